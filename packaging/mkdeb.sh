#!/bin/sh
# mkdeb.sh - assemble the kechuang Debian package from a built binary.
#
#   sh packaging/mkdeb.sh BIN OUTDIR
#
# Writes OUTDIR/kechuang_VERSION_ARCH.deb and prints its path. VERSION is
# the VERSION file (packaging/debian/changelog must have an entry for it),
# ARCH is `dpkg --print-architecture`, or DEB_ARCH for a cross-built
# binary (tools/cross-arm64.sh; STRIP names its strip). Depends is
# computed from the binary's shared libraries: by dpkg-shlibdeps
# (dpkg-dev) for a native binary when installed, else from the packages
# that hold each library the binary names (NEEDED) on this machine (the
# library packages have the same names on every architecture). The binary
# is stripped of debug information. Needs dpkg-deb (no fakeroot: files are
# owned by root through --root-owner-group).
set -eu

if [ $# -ne 2 ]; then
    echo "用法: sh packaging/mkdeb.sh 可执行文件 输出目录" >&2
    exit 2
fi
bin=$1
outdir=$2
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
deb=$here/debian

die() {
    echo "mkdeb: $*" >&2
    exit 1
}

command -v dpkg-deb >/dev/null 2>&1 ||
    die "没有 dpkg-deb（Debian 的 dpkg 软件包），无法构建 .deb"
[ -x "$bin" ] || die "找不到可执行文件 $bin，请先运行 make"
version=$(tr -d ' \n' <"$top/VERSION")
host_arch=$(dpkg --print-architecture)
arch=${DEB_ARCH:-$host_arch}
strip=${STRIP:-strip}
case "$version" in
[0-9]*) ;;
*) die "VERSION 文件的版本号 '$version' 无效" ;;
esac
clver=$(sed -n '1s/^kechuang (\([^)]*\)).*/\1/p' "$deb/changelog")
[ "$clver" = "$version" ] ||
    die "packaging/debian/changelog 的最新版本为 '$clver'，与 VERSION（$version）不一致：请先添加 $version 的条目"
if command -v readelf >/dev/null 2>&1 &&
    readelf -d "$bin" | grep -q 'libasan\|libubsan'; then
    die "$bin 是 SAN=1 构建的，不能打包：请用普通构建"
fi

mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
stage=$(mktemp -d "$outdir/.deb-stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
root=$stage/kechuang
doc=$root/usr/share/doc/kechuang

umask 022
install -d "$root/DEBIAN" "$root/usr/bin" "$root/lib/systemd/system" \
    "$root/etc/kechuang" "$root/etc/logrotate.d" "$doc" \
    "$root/usr/share/man/man1"
install -m 0755 "$bin" "$root/usr/bin/kechuang"
if command -v "$strip" >/dev/null 2>&1; then
    "$strip" --strip-unneeded --remove-section=.comment --remove-section=.note \
        "$root/usr/bin/kechuang"
fi
install -m 0644 "$deb/kechuang.service" "$root/lib/systemd/system/"
install -m 0644 "$deb/kechuang.conf" "$root/etc/kechuang/kechuang.conf"
install -m 0644 "$deb/kechuang.logrotate" "$root/etc/logrotate.d/kechuang"
install -m 0644 "$deb/copyright" "$doc/copyright"
gzip -9n <"$deb/changelog" >"$doc/changelog.gz"
gzip -9n <"$top/docs/admin.md" >"$doc/admin.md.gz"
gzip -9n <"$deb/kechuang.1" >"$root/usr/share/man/man1/kechuang.1.gz"
chmod 0644 "$doc/changelog.gz" "$doc/admin.md.gz" \
    "$root/usr/share/man/man1/kechuang.1.gz"
for s in postinst prerm postrm; do
    install -m 0755 "$deb/$s" "$root/DEBIAN/$s"
done
install -m 0644 "$deb/conffiles" "$root/DEBIAN/conffiles"

# Depends: the packages of the shared libraries the binary needs.
depends=""
if [ "$arch" = "$host_arch" ] && command -v dpkg-shlibdeps >/dev/null 2>&1; then
    mkdir -p "$stage/debian"
    printf 'Source: kechuang\n\nPackage: kechuang\nArchitecture: any\n' \
        >"$stage/debian/control"
    depends=$(cd "$stage" && dpkg-shlibdeps -O -ekechuang/usr/bin/kechuang \
        2>"$stage/shlibdeps.err" | sed -n 's/^shlibs:Depends=//p') ||
        depends=""
    rm -rf "$stage/debian"
fi
if [ -z "$depends" ]; then
    # The libraries the binary names (NEEDED), not their own dependencies.
    for so in $(readelf -d "$root/usr/bin/kechuang" |
        sed -n 's/.*(NEEDED).*\[\(.*\)\].*/\1/p'); do
        pkg=$(dpkg -S "*/$so" 2>/dev/null | grep "/$so\$" | head -n 1 |
            cut -d: -f1)
        [ -n "$pkg" ] || die "找不到提供 $so 的软件包"
        echo "$pkg"
    done | sort -u >"$stage/deps"
    depends=$(paste -sd, "$stage/deps" | sed 's/,/, /g')
fi
[ -n "$depends" ] || die "无法确定依赖的软件包"
depends="$depends, adduser"

size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<CONTROL
Package: kechuang
Version: $version
Architecture: $arch
Maintainer: ${DEB_MAINTAINER:-kechuang maintainers <kechuang@localhost>}
Installed-Size: $size
Depends: $depends
Recommends: logrotate
Section: web
Priority: optional
Description: science and technology innovation plan system for a district
 kechuang is the system a district science and technology bureau uses to
 run its innovation plan: the enterprise library and its tier ladders,
 eligibility screening against the official criteria with explained gaps,
 bulk import and export, a hash-chained audit log and a JSON API.
 .
 科技创新行动计划系统：科技企业库、梯度培育筛查、审计。
 .
 One binary with embedded SQLite and a Chinese web UI. The package runs
 it as a systemd service under the kechuang system user, with its
 database in /var/lib/kechuang and its settings in
 /etc/kechuang/kechuang.conf.
CONTROL

out=$outdir/kechuang_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$out" >/dev/null
echo "$out"
