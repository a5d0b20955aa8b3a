#!/bin/sh
# cli_accounts.sh - `kechuang init`, `user` and `audit verify` from the
# command line: exit codes, the admin password printed once, a second init
# that changes no account, users added from stdin, and a tampered audit log
# reported by id. TAP output. Needs BIN (set by tests/run.sh).
. "$(dirname "$0")/lib/kc.sh"

DB=$KC_TMP/cli.db

"$BIN" --db "$DB" init --help >"$KC_TMP/o" 2>&1
kc_check $? "init --help exits 0"
"$BIN" --db "$DB" init --bogus >"$KC_TMP/o" 2>&1
[ $? -eq 2 ]
kc_check $? "init with an unknown option exits 2"

kc_init "$DB" && [ "$KC_USER" = admin ] && [ ${#KC_PASS} -eq 16 ]
kc_check $? "init creates admin with a 16-character password"

"$BIN" --db "$DB" init >"$KC_TMP/o2" 2>&1 &&
    grep -q '已初始化' "$KC_TMP/o2" && ! grep -q "$KC_PASS" "$KC_TMP/o2" &&
    ! grep -q '初始密码' "$KC_TMP/o2"
kc_check $? "a second init only migrates and says so"

printf 'abc12345x\n' | "$BIN" --db "$DB" user add bob --role staff --unit 1 \
    --name '鲍勃' >"$KC_TMP/o" 2>"$KC_TMP/e"
kc_check $? "user add reads the password from stdin"

printf 'short\n' | "$BIN" --db "$DB" user add carol --role staff --unit 1 \
    >"$KC_TMP/o" 2>"$KC_TMP/e"
[ $? -eq 1 ] && grep -q '字母和数字' "$KC_TMP/e"
kc_check $? "user add refuses a weak password with a zh-CN message"

"$BIN" --db "$DB" user add dave --role boss --unit 1 </dev/null \
    >"$KC_TMP/o" 2>&1
[ $? -eq 2 ]
kc_check $? "user add with an unknown role exits 2"

"$BIN" --db "$DB" user list --format csv >"$KC_TMP/o" 2>&1 &&
    grep -q '^2,bob,鲍勃,staff,1,' "$KC_TMP/o" && grep -q '^1,admin,' "$KC_TMP/o"
kc_check $? "user list --format csv"

"$BIN" --db "$DB" user list --format json >"$KC_TMP/o" 2>&1 &&
    grep -q '"username": "bob"' "$KC_TMP/o" && ! grep -q 'argon2' "$KC_TMP/o"
kc_check $? "user list --format json without password hashes"

printf 'new12345pw\n' | "$BIN" --db "$DB" user passwd bob >"$KC_TMP/o" 2>&1
kc_check $? "user passwd reads the new password from stdin"

printf 'new12345pw\n' | "$BIN" --db "$DB" user passwd nobody >"$KC_TMP/o" \
    2>"$KC_TMP/e"
[ $? -eq 1 ] && grep -q '不存在' "$KC_TMP/e"
kc_check $? "user passwd of an unknown user fails"

"$BIN" --db "$DB" user disable bob >"$KC_TMP/o" 2>&1 &&
    "$BIN" --db "$DB" user list --format csv | tr -d '\r' |
        grep -q '^2,bob,.*,1$'
kc_check $? "user disable"

"$BIN" --db "$DB" audit verify >"$KC_TMP/o" 2>&1 &&
    grep -q '^审计链完整：[0-9][0-9]* 条记录$' "$KC_TMP/o"
kc_check $? "audit verify on an intact chain exits 0"

"$BIN" --db "$DB" audit >"$KC_TMP/o" 2>&1
[ $? -eq 2 ]
kc_check $? "audit without a subcommand exits 2"

if command -v sqlite3 >/dev/null 2>&1; then
    sqlite3 "$DB" "UPDATE audit_log SET username = 'mallory' WHERE id = 3"
    "$BIN" --db "$DB" audit verify >"$KC_TMP/o" 2>"$KC_TMP/e"
    [ $? -eq 1 ] && grep -q '审计链在第 3 条记录处断开' "$KC_TMP/e"
    kc_check $? "audit verify reports the edited entry and exits 1"
else
    kc_skip "audit verify on a tampered log (no sqlite3 command)"
fi

kc_done
