#!/bin/sh
# cross-arm64.sh - build kechuang for arm64 on an x86-64 Debian machine,
# run its tests under qemu, and package it.
#
#   sh tools/cross-arm64.sh [BUILD]      (default build-arm64)
#
# Installs Debian's cross compiler and qemu-user (tools/deps.sh arm64).
# The arm64 libraries come from Debian's arm64 packages, fetched with
# apt-get into a private apt state under BUILD/apt and unpacked into
# BUILD/sysroot: the machine's own dpkg and apt configuration is not
# changed (no dpkg --add-architecture). Then: the binary and the test
# programs built with aarch64-linux-gnu-gcc (WEB_UI=0: Node.js builds the
# UI on any machine, the C code is what differs), the unit, API and replay
# tests and the script tests run under qemu-aarch64, and
# BUILD/kechuang_VERSION_arm64.deb assembled. Ends with
# "N passed, N failed"; exit status 0 when nothing failed.
set -u
BUILD=${1:-build-arm64}
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
mkdir -p "$BUILD" || exit 1
B=$(cd "$BUILD" && pwd)
S=$B/sysroot
A=$B/apt

sh tools/deps.sh arm64 || exit 1

# arm64 -dev packages (those of tools/deps.sh's build group) and, by apt's
# dependency resolution against an empty status, their libraries.
DEV="libmicrohttpd-dev libsqlite3-dev libjansson-dev libsodium-dev
libxlsxwriter-dev zlib1g-dev libzip-dev libexpat1-dev libcmocka-dev"
mkdir -p "$A/lists/partial" "$A/cache/archives/partial"
: >"$A/status"
APT="-o APT::Architecture=arm64 -o APT::Architectures::=arm64
-o Dir::State::Lists=$A/lists -o Dir::Cache=$A/cache
-o Dir::State::status=$A/status -o Debug::NoLocking=1"
# shellcheck disable=SC2086
if [ ! -d "$S/usr/include" ]; then
    echo "cross-arm64: 下载 arm64 软件包到 $A"
    apt-get $APT update -qq &&
        apt-get $APT install --download-only -y -qq --no-install-recommends \
            $DEV || {
        echo "cross-arm64: 下载 arm64 软件包失败" >&2
        exit 1
    }
    rm -rf "$S"
    for d in "$A"/cache/archives/*.deb; do
        # The C library's development files come with the cross compiler
        # (their linker scripts here would name the host's paths).
        case "${d##*/}" in
        libc6-dev_* | libc-dev-bin_* | linux-libc-dev_* | libcrypt-dev_* | \
            libnsl-dev_* | libtirpc-dev_* | rpcsvc-proto_*) continue ;;
        esac
        dpkg-deb -x "$d" "$S" || exit 1
    done
    # Absolute symlinks (libz.so -> /lib/...) point into the sysroot.
    find "$S" -type l | while read -r l; do
        t=$(readlink "$l")
        case "$t" in
        /*) ln -sfn "$S$t" "$l" ;;
        esac
    done
fi

L="$S/usr/lib/aarch64-linux-gnu"
L2="$S/lib/aarch64-linux-gnu"
make --no-print-directory CC=aarch64-linux-gnu-gcc BUILD="$BUILD" WEB_UI=0 \
    PKG_CFLAGS="-idirafter $S/usr/include -idirafter $S/usr/include/aarch64-linux-gnu" \
    PKG_LIBS="-L$L -L$L2 -lmicrohttpd -lsqlite3 -ljansson -lsodium -lzip -lexpat -lxlsxwriter -lz" \
    LDFLAGS="-Wl,-rpath-link,$L:$L2" -j2 tests || exit 1

# Run the tests as tests/run.sh does, each program under qemu.
QEMU="qemu-aarch64 -L $S"
printf '#!/bin/sh\nexec %s %s "$@"\n' "$QEMU" "$B/kechuang" >"$B/kechuang-qemu"
chmod +x "$B/kechuang-qemu"
export CMOCKA_MESSAGE_OUTPUT=TAP KECHUANG_LOG=${KECHUANG_LOG:-warn}
export BUILD BIN="$B/kechuang-qemu"
LOGS=$B/test-logs
mkdir -p "$LOGS"
passed=0
failed=0
run_one() {
    n=$1
    shift
    "$@" >"$LOGS/$n.log" 2>&1
    rc=$?
    ok=$(grep -c '^ok ' "$LOGS/$n.log")
    nok=$(grep -c '^not ok ' "$LOGS/$n.log")
    if [ "$rc" -ne 0 ] && [ "$nok" -eq 0 ]; then
        nok=1
    fi
    passed=$((passed + ok))
    failed=$((failed + nok))
    if [ "$nok" -gt 0 ]; then
        echo "FAIL $n ($ok passed, $nok failed) — log: $LOGS/$n.log"
    else
        echo "ok   $n ($ok passed)"
    fi
}
for t in "$B"/tests/unit/test_* "$B"/tests/api/test_*; do
    [ -x "$t" ] || continue
    # shellcheck disable=SC2086
    run_one "$(basename "$t")" $QEMU "$t"
done
for r in "$B"/tests/replay/fuzz_*; do
    n=$(basename "$r")
    [ -d "tests/fuzz/corpus/$n" ] || continue
    # shellcheck disable=SC2086
    run_one "replay-$n" $QEMU "$r" "tests/fuzz/corpus/$n"
done
# Not here: e2e and ui_no_external (the web UI), bench_locks (timing),
# deb (builds the host's package; the arm64 one is built below).
for s in tests/scripts/*.sh; do
    case "$s" in
    */e2e.sh | */ui_no_external.sh | */bench_locks.sh | */deb.sh) continue ;;
    esac
    run_one "$(basename "$s" .sh)" sh "$s"
done

deb=$(DEB_ARCH=arm64 STRIP=aarch64-linux-gnu-strip \
    sh packaging/mkdeb.sh "$B/kechuang" "$B") || failed=$((failed + 1))
[ -n "$deb" ] && echo "cross-arm64: 软件包 $deb"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
