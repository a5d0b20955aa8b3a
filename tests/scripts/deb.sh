#!/bin/sh
# deb.sh - the Debian package (make deb, packaging/): assembled from the
# already-built BIN, its metadata and contents checked, then installed in
# throwaway roots without touching the host:
#   - unpacked with dpkg -x: the packaged binary runs `init` and `serve`
#     through the packaged config (db, listen and access_log pointed into
#     the test directory), an admin logs in, the access log is written;
#   - as root, where a private mount namespace can be made: dpkg -i into an
#     overlay of / (chroot), which runs the real maintainer scripts
#     (lib/deb_install.sh: user, directories, database, root-only password
#     file, the service's command line, logrotate, reconfigure, remove,
#     purge). KC_DEB_OVERLAY=0 skips it; KC_DEB_INSTALL=1 runs it on the
#     host itself when no namespace can be made (a throwaway machine only).
#   - where systemd-nspawn is installed: the same in a container booted
#     with systemd (lib/deb_systemd.sh): postinst starts the service, which
#     runs hardened as kechuang, serves, reloads, stops; purge.
# TAP output.
. "$(dirname "$0")/lib/kc.sh"
TOP=$(cd "$(dirname "$0")/../.." && pwd)

if ! command -v dpkg-deb >/dev/null 2>&1; then
    echo "1..0 # SKIP no dpkg-deb: not a Debian system"
    exit 0
fi
if command -v readelf >/dev/null 2>&1 &&
    readelf -d "$BIN" 2>/dev/null | grep -q 'libasan\|libubsan'; then
    echo "1..0 # SKIP $BIN is a SAN=1 build, which make deb refuses"
    exit 0
fi

VERSION=$(tr -d ' \n' <"$TOP/VERSION")
ARCH=$(dpkg --print-architecture)
DEB=$(sh "$TOP/packaging/mkdeb.sh" "$BIN" "$KC_TMP/out" 2>"$KC_TMP/mkdeb.err")
[ -f "$DEB" ] && [ "$DEB" = "$KC_TMP/out/kechuang_${VERSION}_$ARCH.deb" ]
kc_check $? "mkdeb.sh builds kechuang_${VERSION}_$ARCH.deb from $BIN"
if [ ! -f "$DEB" ]; then
    sed 's/^/# /' "$KC_TMP/mkdeb.err"
    kc_done
    exit 1
fi

f() { dpkg-deb -f "$DEB" "$1"; }
[ "$(f Package)" = kechuang ] && [ "$(f Version)" = "$VERSION" ] &&
    [ "$(f Architecture)" = "$ARCH" ]
kc_check $? "control: Package, Version from VERSION, Architecture $ARCH"

dep=$(f Depends)
ok=0
for p in libc6 libmicrohttpd12 libsqlite3-0 libjansson4 libsodium23 \
    libxlsxwriter libzip libexpat1 adduser; do
    echo "$dep" | grep -q "$p" || {
        echo "# Depends lacks $p: $dep"
        ok=1
    }
done
kc_check $ok "Depends names the runtime libraries' packages and adduser"

dpkg-deb -c "$DEB" | awk '{print $1, $2, $NF}' >"$KC_TMP/contents"
ok=0
for want in '-rwxr-xr-x root/root ./usr/bin/kechuang' \
    '-rw-r--r-- root/root ./lib/systemd/system/kechuang.service' \
    '-rw-r--r-- root/root ./etc/kechuang/kechuang.conf' \
    '-rw-r--r-- root/root ./etc/logrotate.d/kechuang' \
    '-rw-r--r-- root/root ./usr/share/doc/kechuang/copyright' \
    '-rw-r--r-- root/root ./usr/share/doc/kechuang/changelog.gz' \
    '-rw-r--r-- root/root ./usr/share/man/man1/kechuang.1.gz'; do
    grep -qxF -- "$want" "$KC_TMP/contents" || {
        echo "# missing: $want"
        ok=1
    }
done
kc_check $ok "contents: binary, unit, config, logrotate, copyright, changelog, man page"

dpkg-deb -e "$DEB" "$KC_TMP/ctl"
grep -qx /etc/kechuang/kechuang.conf "$KC_TMP/ctl/conffiles" &&
    grep -qx /etc/logrotate.d/kechuang "$KC_TMP/ctl/conffiles"
kc_check $? "conffiles lists the config and the logrotate file"

ok=0
for s in postinst prerm postrm; do
    [ -x "$KC_TMP/ctl/$s" ] && sh -n "$KC_TMP/ctl/$s" || ok=1
done
kc_check $ok "maintainer scripts are executable and parse (sh -n)"

dpkg-deb -x "$DEB" "$KC_TMP/root"
R=$KC_TMP/root
U=$R/lib/systemd/system/kechuang.service
grep -qx 'User=kechuang' "$U" && grep -qx 'StateDirectory=kechuang' "$U" &&
    grep -qx 'ExecStart=/usr/bin/kechuang --config /etc/kechuang/kechuang.conf serve' "$U" &&
    grep -qx 'NoNewPrivileges=yes' "$U" && grep -qx 'ProtectSystem=strict' "$U" &&
    grep -qx 'ProtectHome=yes' "$U" && grep -qx 'PrivateTmp=yes' "$U" &&
    grep -qx 'ReadWritePaths=/var/lib/kechuang /var/log/kechuang' "$U" &&
    grep -qx 'Restart=on-failure' "$U"
kc_check $? "the unit runs serve as kechuang through the config, hardened"

# Every key set in the packaged config is one the program reads.
ok=0
for k in $(sed -n 's/^[[:space:]]*#\{0,1\}\([a-z_]*\)[[:space:]]*=.*/\1/p' \
    "$R/etc/kechuang/kechuang.conf"); do
    grep -rqF "cli_config_get(\"$k\")" "$TOP/src/cli" || {
        echo "# config key $k is not read by the program"
        ok=1
    }
done
grep -qx 'db = /var/lib/kechuang/kechuang.db' "$R/etc/kechuang/kechuang.conf" &&
    grep -qx 'listen = 127.0.0.1:8080' "$R/etc/kechuang/kechuang.conf" || ok=1
kc_check $ok "config: db in /var/lib/kechuang, listen 127.0.0.1:8080, real keys"

# The unpacked package, run through its own config pointed at the test
# directory.
CONF=$KC_TMP/kechuang.conf
sed -e "s|^db = .*|db = $KC_TMP/var/kechuang.db|" \
    -e "s|^listen = .*|listen = 127.0.0.1:0|" \
    -e "s|^access_log = .*|access_log = $KC_TMP/access.log|" \
    "$R/etc/kechuang/kechuang.conf" >"$CONF"
mkdir -p "$KC_TMP/var"
BIN=$R/usr/bin/kechuang
"$BIN" --version | grep -qF "kechuang $VERSION "
kc_check $? "the packaged binary runs and reports version $VERSION"

# The config example of docs/admin.md (shipped as admin.md.gz) is accepted
# by serve (which checks threads and session_hours before --help).
awk '/^db = \/srv\/kechuang/ {on = 1} on && /^```/ {exit} on' \
    "$TOP/docs/admin.md" >"$KC_TMP/example.conf"
[ -s "$KC_TMP/example.conf" ] &&
    "$BIN" --config "$KC_TMP/example.conf" serve --help >/dev/null 2>"$KC_TMP/e"
kc_check $? "the config example in docs/admin.md is accepted"

"$BIN" --config "$CONF" init >"$KC_TMP/init.out" 2>&1 &&
    [ -f "$KC_TMP/var/kechuang.db" ]
kc_check $? "init through the packaged config creates the configured db"
KC_PASS=$(sed -n 's/.*初始密码：\([^ ]*\).*/\1/p' "$KC_TMP/init.out")
KC_USER=admin

: >"$KC_TMP/serve.out"
"$BIN" --config "$CONF" serve >"$KC_TMP/serve.out" 2>>"$KC_TMP/serve.err" &
KC_PID=$!
i=0
KC_PORT=""
while [ $i -lt 100 ] && [ -z "$KC_PORT" ] && kill -0 "$KC_PID" 2>/dev/null; do
    sleep 0.1
    KC_PORT=$(sed -n 's|.*http://127\.0\.0\.1:\([0-9][0-9]*\)/.*|\1|p' \
        "$KC_TMP/serve.out" | head -n 1)
    i=$((i + 1))
done
KC_URL="http://127.0.0.1:$KC_PORT"
[ -n "$KC_PORT" ] && kc_login && kc_req GET /api/v1/system -H "Cookie: $KC_COOKIE" &&
    [ "$KC_STATUS" = 200 ]
kc_check $? "serve through the packaged config: login, GET /api/v1/system"

kc_stop && grep -q 'GET /api/v1/system' "$KC_TMP/access.log"
kc_check $? "stops on SIGTERM; the configured access log has the requests"

# A real install in an overlay of / (root only).
INSTALL=$TOP/tests/scripts/lib/deb_install.sh
how=""
if [ "${KC_DEB_OVERLAY:-1}" = 0 ]; then
    how="skip:KC_DEB_OVERLAY=0"
elif [ "$(id -u)" -ne 0 ]; then
    how="skip:not root"
elif ! command -v unshare >/dev/null 2>&1 || ! command -v chroot >/dev/null 2>&1; then
    how="skip:no unshare/chroot"
elif unshare -m sh -c "mount -t tmpfs tmpfs '$KC_TMP/out'" 2>/dev/null; then
    how=overlay
elif [ "${KC_DEB_INSTALL:-0}" = 1 ]; then
    if dpkg-query -W kechuang >/dev/null 2>&1 || getent passwd kechuang >/dev/null; then
        how="skip:kechuang is already on this host; not touching it"
    else
        how=host
    fi
else
    how="skip:no mount namespace (KC_DEB_INSTALL=1 installs on this host)"
fi

case "$how" in
overlay)
    OV=$KC_TMP/ov
    mkdir -p "$OV"
    timeout 120 unshare -m --propagation private sh -c '
        set -e
        ov=$1
        mount -t tmpfs tmpfs "$ov"
        mkdir "$ov/u" "$ov/w" "$ov/m"
        mount -t overlay overlay \
            -o "lowerdir=/,upperdir=$ov/u,workdir=$ov/w" "$ov/m"
        mount --rbind /dev "$ov/m/dev"
        mount --rbind /proc "$ov/m/proc"
        mount -t tmpfs tmpfs "$ov/m/tmp"
        mount -t tmpfs tmpfs "$ov/m/run"
        cp "$2" "$ov/m/tmp/kechuang.deb"
        cp "$3" "$ov/m/tmp/deb_install.sh"
        exec chroot "$ov/m" sh /tmp/deb_install.sh /tmp/kechuang.deb
    ' sh "$OV" "$DEB" "$INSTALL" >"$KC_TMP/install.tap" 2>&1
    ;;
host)
    timeout 120 sh "$INSTALL" "$DEB" >"$KC_TMP/install.tap" 2>&1
    ;;
*)
    kc_skip "dpkg -i in a throwaway root (${how#skip:})"
    ;;
esac
if [ -f "$KC_TMP/install.tap" ]; then
    n=0
    while IFS= read -r line; do
        case "$line" in
        "ok - "*" # SKIP"*) n=$((n + 1)); l=${line#ok - }; kc_skip "${l% \# SKIP*}" ;;
        "ok - "*) n=$((n + 1)); kc_check 0 "$how: ${line#ok - }" ;;
        "not ok - "*) n=$((n + 1)); kc_check 1 "$how: ${line#not ok - }" ;;
        "#"*) echo "$line" ;;
        *) echo "# $line" ;;
        esac
    done <"$KC_TMP/install.tap"
    [ "$n" -ge 12 ]
    kc_check $? "$how: the install test ran to its end ($n checks)"
fi

# The service under systemd: a container booted with systemd-nspawn on a
# second overlay of /, with its own network (the packaged config's port
# 8080 is free there). Where systemd-nspawn is installed (systemd-container;
# tools/deps.sh deb) and namespaces can be made; KC_DEB_NSPAWN=0 skips.
if [ "$how" != overlay ] || [ "${KC_DEB_NSPAWN:-1}" = 0 ] ||
    ! command -v systemd-nspawn >/dev/null 2>&1 ||
    [ ! -x /lib/systemd/systemd ]; then
    kc_skip "the service under systemd (needs root, namespaces, systemd-nspawn)"
else
    NS=$KC_TMP/ns
    mkdir -p "$NS"
    timeout 150 unshare -m --propagation private sh -c '
        set -e
        ns=$1
        mount -t tmpfs tmpfs "$ns"
        mkdir "$ns/u" "$ns/w" "$ns/m"
        mount -t overlay overlay \
            -o "lowerdir=/,upperdir=$ns/u,workdir=$ns/w" "$ns/m"
        mount -t tmpfs tmpfs /run
        m=$ns/m
        cp "$2" "$m/root/kechuang.deb"
        cp "$3" "$m/root/deb_systemd.sh"
        rm -f "$m/usr/sbin/policy-rc.d" "$m/root/result"
        : >"$m/etc/machine-id"
        printf "[Unit]\nAfter=multi-user.target\n[Service]\nType=oneshot\nExecStart=/bin/sh /root/deb_systemd.sh /root/kechuang.deb\n[Install]\nWantedBy=multi-user.target\n" \
            >"$m/etc/systemd/system/kc-deb-test.service"
        mkdir -p "$m/etc/systemd/system/multi-user.target.wants"
        ln -sf /etc/systemd/system/kc-deb-test.service \
            "$m/etc/systemd/system/multi-user.target.wants/"
        timeout 120 systemd-nspawn -q -D "$m" --boot --register=no \
            --keep-unit --link-journal=no --private-network \
            >"$4/boot.log" 2>&1 || true
        cp "$m/root/result" "$4/systemd.tap" 2>/dev/null || true
    ' sh "$NS" "$DEB" "$TOP/tests/scripts/lib/deb_systemd.sh" "$KC_TMP" \
        >"$KC_TMP/ns.out" 2>&1
    if [ -f "$KC_TMP/systemd.tap" ]; then
        while IFS= read -r line; do
            case "$line" in
            "ok - "*) kc_check 0 "systemd: ${line#ok - }" ;;
            "not ok - "*) kc_check 1 "systemd: ${line#not ok - }" ;;
            *) echo "$line" ;;
            esac
        done <"$KC_TMP/systemd.tap"
    else
        kc_check 1 "systemd: the container booted and ran the test"
        sed 's/^/# /' "$KC_TMP/ns.out" "$KC_TMP/boot.log" 2>/dev/null |
            tail -n 20
    fi
fi

kc_done
