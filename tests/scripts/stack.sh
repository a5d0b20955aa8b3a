#!/bin/sh
# stack.sh - the real server started under a low stack limit (ulimit -s
# 256) still checks the deepest rule drafts the parser accepts and refuses
# the 5,300-term chain: request threads have their own stack size
# (src/http/http_mhd.c), so the process limit cannot take the server down.
# TAP output. Needs BIN (set by tests/run.sh).
. "$(dirname "$0")/lib/kc.sh"

DB=$KC_TMP/k.db

kc_init "$DB"
kc_check $? "init creates the database"

# the limit applies to this shell and the server it starts
if ! ulimit -s 256 2>/dev/null; then
    kc_skip "ulimit -s 256 not permitted here"
    kc_done
    exit $?
fi
if ! kc_start "$DB" --threads 2; then
    kc_check 1 "server starts under ulimit -s 256"
    kc_done
    exit 1
fi
kc_check 0 "server starts under ulimit -s 256"
kc_login
kc_check $? "login"

# check_draft FILE: POST {"source": <text of FILE>} to /rulesets/check (the
# text holds no backslashes; quotes and newlines are escaped).
check_draft() {
    {
        printf '{"source":"'
        awk '{ gsub(/"/, "\\\""); printf "%s\\n", $0 }' "$1"
        printf '"}'
    } >"$KC_TMP/body.json"
    kc_req POST /api/v1/rulesets/check -H 'Content-Type: application/json' \
        -H "Cookie: $KC_COOKIE" -H "X-CSRF-Token: $KC_CSRF" \
        --data-binary @"$KC_TMP/body.json"
}

# rep N TEXT: TEXT N times
rep() {
    i=0
    while [ $i -lt "$1" ]; do
        printf '%s' "$2"
        i=$((i + 1))
    done
}

# 23 levels of parentheses: the most the parser takes (RULES_MAX_DEPTH)
{
    printf 'ruleset deep-1\nstatus confirmed\nlet x = '
    rep 23 '('
    printf 'employees[year]'
    rep 23 ')'
    printf '\npass = x > 0\n'
} >"$KC_TMP/deep.kcr"
check_draft "$KC_TMP/deep.kcr"
[ "$KC_STATUS" = 200 ] && grep -q '"ok": *true' "$KC_TMP/b"
kc_check $? "the deepest accepted parentheses are checked (ok)"

# 46 nested groups
{
    printf 'ruleset groups-1\nstatus confirmed\n'
    i=0
    while [ $i -lt 46 ]; do
        printf 'all g%d "g" {\n' $i
        i=$((i + 1))
    done
    printf 'employees[year] > 0 "y"\n'
    rep 46 '}
'
    printf 'pass = g0\n'
} >"$KC_TMP/groups.kcr"
check_draft "$KC_TMP/groups.kcr"
[ "$KC_STATUS" = 200 ] && grep -q '"ok": *true' "$KC_TMP/b"
kc_check $? "46 nested groups are checked (ok)"

{
    printf 'ruleset chain-1\nstatus confirmed\nlet x = employees[year]'
    rep 5299 ' + employees[year]'
    printf '\npass = x > 0\n'
} >"$KC_TMP/chain.kcr"
check_draft "$KC_TMP/chain.kcr"
[ "$KC_STATUS" = 200 ] && grep -q '"ok": *false' "$KC_TMP/b" &&
    grep -q '运算项过多' "$KC_TMP/b"
kc_check $? "the 5,300-term chain is refused with a line:col error"

kc_req GET /api/v1/healthz
[ "$KC_STATUS" = 200 ]
kc_check $? "the server still answers"

kc_stop
kc_check $? "the server stops cleanly"
kc_done
