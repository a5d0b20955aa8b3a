#!/bin/sh
# run.sh - `make run`: create the demo database once, then serve it.
#   BUILD   build directory (default build)
#   LISTEN  address to serve on (default 127.0.0.1:8080)
set -u
BUILD=${BUILD:-build}
LISTEN=${LISTEN:-127.0.0.1:8080}
BIN=$BUILD/kechuang
DIR=$BUILD/run
DB=$DIR/kechuang.db
PWFILE=$DIR/admin-password

mkdir -p "$DIR"
if [ ! -f "$DB" ]; then
    echo "kechuang: 创建演示数据库 $DB"
    if ! "$BIN" --db "$DB" init --root-name "天津市河东区" >"$DIR/init.log" 2>&1; then
        cat "$DIR/init.log" >&2
        rm -f "$DB" "$DB-wal" "$DB-shm"
        exit 1
    fi
    # A known password for the demo admin, kept beside the demo database.
    pw=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
    if ! printf '%s\n' "$pw" | "$BIN" --db "$DB" user passwd admin >/dev/null; then
        echo "kechuang: 设置演示管理员密码失败" >&2
        exit 1
    fi
    umask 077
    printf '%s\n' "$pw" >"$PWFILE"
    if "$BIN" --db "$DB" demo --help >/dev/null 2>&1; then
        "$BIN" --db "$DB" demo --enterprises 3000 --seed 1 || exit 1
        # a first screening, so 全区筛查 and 达标名单 have something to show
        "$BIN" --db "$DB" evaluate --all >"$DIR/evaluate.log" 2>&1 ||
            echo "kechuang: 首次全区筛查失败，见 $DIR/evaluate.log" >&2
    fi
fi
echo "kechuang: 网址 http://$LISTEN/"
echo "kechuang: 登录用户名 admin，密码 $(cat "$PWFILE")"
exec "$BIN" --db "$DB" serve --listen "$LISTEN"
