#!/bin/sh
# deps.sh - install the Debian packages kechuang needs that are missing.
#
# Idempotent: checks each package with dpkg-query and installs only what is
# missing, saying what it installs. Needs root (or sudo) to install.
#   sh tools/deps.sh            build + test dependencies
#   sh tools/deps.sh lint       + clang-format, clang-tidy, cppcheck
#   sh tools/deps.sh fuzz       + clang and its libFuzzer runtime
#   sh tools/deps.sh bench      + wrk, nginx
#   sh tools/deps.sh deb        + dpkg-dev, logrotate, systemd-nspawn (make deb, its test)
#   sh tools/deps.sh arm64      + cross compiler and qemu (tools/cross-arm64.sh)
# The web UI needs Node.js 18 or later with npm (Debian's nodejs and npm are
# installed when `node` is missing or older); the browser tests need chromium
# and a CJK font (so that screenshots show Chinese text).
set -u

BUILD_PKGS="gcc make pkg-config libc6-dev libmicrohttpd-dev libsqlite3-dev
libjansson-dev libsodium-dev libxlsxwriter-dev zlib1g-dev libzip-dev
libexpat1-dev libcmocka-dev libpq-dev"
TEST_PKGS="curl sqlite3 python3 chromium fonts-wqy-microhei adduser postgresql"
LINT_PKGS="clang-format clang-tidy cppcheck"
FUZZ_PKGS="clang libclang-rt-14-dev"
BENCH_PKGS="wrk nginx-light"
DEB_PKGS="dpkg-dev logrotate systemd-container"
ARM64_PKGS="gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user dpkg-dev"

want="$BUILD_PKGS $TEST_PKGS"
for extra in "$@"; do
    case "$extra" in
    lint) want="$want $LINT_PKGS" ;;
    fuzz) want="$want $FUZZ_PKGS" ;;
    bench) want="$want $BENCH_PKGS" ;;
    deb) want="$want $DEB_PKGS" ;;
    arm64) want="$want $ARM64_PKGS" ;;
    *) echo "deps.sh: 未知的依赖组 $extra（可选 lint fuzz bench deb arm64）" >&2; exit 2 ;;
    esac
done

# Node.js: Debian's packages only when no usable node is installed (a newer
# one from elsewhere is left alone).
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
case "$node_major" in
'' | *[!0-9]*) node_major=0 ;;
esac
if [ "$node_major" -lt 18 ]; then
    want="$want nodejs npm"
elif ! command -v npm >/dev/null 2>&1; then
    want="$want npm"
fi

missing=""
for p in $want; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
    case "$st" in
    *"install ok installed"*) ;;
    *) missing="$missing $p" ;;
    esac
done

if [ -z "$missing" ]; then
    exit 0
fi

echo "kechuang: 安装缺少的 Debian 软件包:$missing"
if ! command -v apt-get >/dev/null 2>&1; then
    echo "kechuang: 本机没有 apt-get，无法自动安装。请手动安装:$missing" >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "kechuang: 需要 root 权限安装软件包，请以 root 运行或手动安装:$missing" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get update -qq; then
    echo "kechuang: apt-get update 失败（检查网络或软件源）" >&2
    exit 1
fi
# shellcheck disable=SC2086
if ! $SUDO apt-get install -y -qq --no-install-recommends $missing; then
    echo "kechuang: 安装失败:$missing" >&2
    exit 1
fi
echo "kechuang: 依赖已安装"
