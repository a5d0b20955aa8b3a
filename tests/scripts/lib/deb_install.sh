#!/bin/sh
# deb_install.sh DEB - install, run, reconfigure, remove and purge the
# kechuang package on the root it runs in. deb.sh runs it as root inside a
# throwaway overlay of / (chroot in a private mount namespace), or on the
# host itself only when asked (KC_DEB_INSTALL=1). Prints "ok - ..." /
# "not ok - ..." lines and "# ..." notes; every wait is bounded.
deb=$1
T=$(mktemp -d /tmp/kc-deb.XXXXXX) || exit 1
CONF=/etc/kechuang/kechuang.conf
PWFILE=/var/lib/kechuang/initial-admin-password
PID=""

cleanup() {
    if [ -n "$PID" ]; then
        kill -9 "$PID" 2>/dev/null
        wait "$PID" 2>/dev/null
    fi
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

t() {
    if [ "$1" -eq 0 ]; then
        echo "ok - $2"
    else
        echo "not ok - $2"
    fi
}

note() {
    sed 's/^/# /' "$1" | tail -n 20
}

dpkg -i "$deb" >"$T/install.out" 2>&1
st=$?
t $st "dpkg -i installs the package (postinst configure)"
[ $st -eq 0 ] || note "$T/install.out"
dpkg-query -W -f='${Status}' kechuang 2>/dev/null | grep -q 'install ok installed'
t $? "dpkg lists kechuang as installed"

ent=$(getent passwd kechuang)
uid=$(echo "$ent" | cut -d: -f3)
[ -n "$ent" ] && [ "$uid" -lt 1000 ] &&
    [ "$(echo "$ent" | cut -d: -f7)" = /usr/sbin/nologin ] &&
    getent group kechuang >/dev/null
t $? "postinst creates the kechuang system user and group"

[ "$(stat -c '%U:%G %a' /var/lib/kechuang 2>/dev/null)" = "kechuang:kechuang 750" ] &&
    [ "$(stat -c '%U:%G %a' /var/log/kechuang 2>/dev/null)" = "kechuang:kechuang 750" ]
t $? "/var/lib/kechuang and /var/log/kechuang belong to kechuang, mode 750"

[ "$(stat -c '%U' /var/lib/kechuang/kechuang.db 2>/dev/null)" = kechuang ]
t $? "postinst initialises the database as kechuang through the config"

[ "$(stat -c '%U:%G %a' "$PWFILE" 2>/dev/null)" = "root:root 600" ]
t $? "the one-time admin password is in a root-only file"

PASS=$(sed -n 's/.*初始密码：\([^ ]*\).*/\1/p' "$PWFILE" 2>/dev/null)
[ ${#PASS} -eq 16 ] && grep -q "$PWFILE" "$T/install.out" &&
    ! grep -q "$PASS" "$T/install.out"
t $? "postinst says where the password is and does not print it"

if command -v systemd-analyze >/dev/null 2>&1; then
    systemd-analyze verify /lib/systemd/system/kechuang.service \
        >"$T/verify.out" 2>&1 && [ ! -s "$T/verify.out" ]
    st=$?
    t $st "systemd-analyze verify: the unit has no error or warning"
    [ $st -eq 0 ] || note "$T/verify.out"
else
    echo "ok - systemd-analyze verify # SKIP no systemd-analyze"
fi

# The service's command line, as the service user (no systemd here),
# on a free port instead of the configured one.
cd /var/lib/kechuang || exit 1
setpriv --reuid=kechuang --regid=kechuang --init-groups \
    /usr/bin/kechuang --config "$CONF" serve --listen 127.0.0.1:0 \
    >"$T/serve.out" 2>"$T/serve.err" &
PID=$!
cd / || exit 1
i=0
PORT=""
while [ $i -lt 100 ] && [ -z "$PORT" ] && kill -0 "$PID" 2>/dev/null; do
    sleep 0.1
    PORT=$(sed -n 's|.*http://127\.0\.0\.1:\([0-9][0-9]*\)/.*|\1|p' \
        "$T/serve.out" | head -n 1)
    i=$((i + 1))
done
printf '{"username":"admin","password":"%s"}' "$PASS" >"$T/login.json"
code=""
if [ -n "$PORT" ]; then
    code=$(curl -s --max-time 10 -o "$T/b" -w '%{http_code}' \
        -H 'Content-Type: application/json' --data-binary @"$T/login.json" \
        "http://127.0.0.1:$PORT/api/v1/session")
fi
[ "$code" = 200 ]
t $? "the service's command line serves; admin logs in with the password"
[ -n "$PORT" ] || note "$T/serve.err"

kill -TERM "$PID" 2>/dev/null
i=0
while [ $i -lt 100 ] && kill -0 "$PID" 2>/dev/null; do
    sleep 0.1
    i=$((i + 1))
done
wait "$PID"
st=$?
PID=""
[ $st -eq 0 ] && grep -q 'POST /api/v1/session' /var/log/kechuang/access.log &&
    [ "$(stat -c '%U' /var/log/kechuang/access.log)" = kechuang ]
t $? "stops on SIGTERM; the access log is in /var/log/kechuang"

if command -v logrotate >/dev/null 2>&1; then
    logrotate -f -s "$T/logrotate.state" /etc/logrotate.d/kechuang \
        >"$T/lr.out" 2>&1 && [ -s /var/log/kechuang/access.log.1 ] &&
        [ ! -s /var/log/kechuang/access.log ]
    t $? "logrotate rotates the access log"
else
    echo "ok - logrotate rotates the access log # SKIP no logrotate"
fi

cp "$PWFILE" "$T/pw.before"
/var/lib/dpkg/info/kechuang.postinst configure 0.1.0 >"$T/again.out" 2>&1 &&
    grep -q '已初始化' "$T/again.out" && cmp -s "$PWFILE" "$T/pw.before"
t $? "configure again (upgrade) migrates only and keeps the password file"

dpkg -r kechuang >"$T/rm.out" 2>&1 && [ -f /var/lib/kechuang/kechuang.db ] &&
    getent passwd kechuang >/dev/null && [ ! -e /usr/bin/kechuang ] &&
    [ -f "$CONF" ]
t $? "dpkg -r removes the program, keeps data, user and config"

dpkg -P kechuang >"$T/purge.out" 2>&1 && [ ! -e /var/lib/kechuang ] &&
    [ ! -e /var/log/kechuang ] && [ ! -e /etc/kechuang ] &&
    ! getent passwd kechuang >/dev/null && ! getent group kechuang >/dev/null
t $? "dpkg -P deletes data, logs, config, user and group"

# A config whose database cannot be created: configure fails with a clear
# message and no password; fixed, dpkg --configure -a completes.
mkdir -p /etc/kechuang
printf 'db = /nonexistent/kechuang.db\n' >"$CONF"
dpkg -i --force-confold "$deb" >"$T/bad.out" 2>&1
st=$?
[ $st -ne 0 ] && grep -q '数据库初始化失败' "$T/bad.out" &&
    ! grep -q '初始密码' "$T/bad.out" && [ ! -e "$PWFILE" ]
t $? "a bad db path fails configure with a zh-CN message, no password"
[ $st -ne 0 ] || note "$T/bad.out"
printf 'db = /var/lib/kechuang/kechuang.db\n' >"$CONF"
dpkg --configure -a >"$T/fixed.out" 2>&1 &&
    [ "$(stat -c '%U:%G %a' "$PWFILE" 2>/dev/null)" = "root:root 600" ]
t $? "after fixing the config, dpkg --configure -a completes the install"
dpkg -P kechuang >/dev/null 2>&1
