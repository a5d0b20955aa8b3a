#!/bin/sh
# proxy.sh - kechuang serve behind a (simulated) reverse proxy, as in
# docs/admin.md: every connection comes from 127.0.0.1 and the proxy puts
# the client's address in X-Forwarded-For. With --trust-proxy the access
# log, the audit log and login throttling use that address (the last entry,
# when it is a valid IP); without it the header is ignored. TAP output.
# Needs BIN (set by tests/run.sh).
. "$(dirname "$0")/lib/kc.sh"

DB=$KC_TMP/k.db
ALOG=$KC_TMP/access.log

# wait_log PATTERN: until the access log (flushed once a second) has a line
# matching PATTERN; at most 5 s.
wait_log() {
    i=0
    while [ $i -lt 50 ]; do
        grep -q "$1" "$ALOG" 2>/dev/null && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# login_from ADDR PASSWORD: log in as KC_USER through the "proxy".
login_from() {
    printf '{"username":"%s","password":"%s"}' "$KC_USER" "$2" \
        >"$KC_TMP/l.json"
    kc_req POST /api/v1/session -H 'Content-Type: application/json' \
        -H "X-Forwarded-For: $1" --data-binary @"$KC_TMP/l.json"
}

# newest_login_addr: addr of the newest session.login audit entry.
newest_login_addr() {
    kc_req GET '/api/v1/audit?action=session.login&page_size=1' \
        -H "Cookie: $KC_COOKIE"
    kc_json_str addr "$KC_TMP/b"
}

kc_init "$DB"
kc_check $? "init"

# --- without --trust-proxy ---------------------------------------------------
if ! kc_start "$DB" --threads 2 --access-log "$ALOG"; then
    kc_check 1 "server starts"
    kc_done
    exit 1
fi
kc_req GET /api/v1/healthz?off -H 'X-Forwarded-For: 203.0.113.5'
wait_log 'healthz?off' &&
    grep 'healthz?off' "$ALOG" | grep -q ' 127\.0\.0\.1 ' &&
    ! grep -q '203\.0\.113\.5' "$ALOG"
kc_check $? "without --trust-proxy X-Forwarded-For is ignored (access log)"
kc_login
kc_check $? "login (the initial password changed)"
[ "$(newest_login_addr)" = 127.0.0.1 ]
kc_check $? "without --trust-proxy the audit log records 127.0.0.1"
kc_stop
kc_check $? "server stops"

# --- with --trust-proxy --------------------------------------------------------
kc_start "$DB" --threads 2 --access-log "$ALOG" --trust-proxy
kc_check $? "server starts with --trust-proxy"
kc_req GET /api/v1/healthz?on -H 'X-Forwarded-For: 10.9.9.9, 203.0.113.5'
wait_log 'healthz?on' && grep 'healthz?on' "$ALOG" | grep -q ' 203\.0\.113\.5 '
kc_check $? "the access log records the last X-Forwarded-For address"
kc_req GET /api/v1/healthz?bad -H 'X-Forwarded-For: 203.0.113.5, <script>'
wait_log 'healthz?bad' && grep 'healthz?bad' "$ALOG" | grep -q ' 127\.0\.0\.1 '
kc_check $? "an invalid address falls back to the socket address"
kc_req GET /api/v1/healthz?v6 -H 'X-Forwarded-For: 2001:db8::7'
wait_log 'healthz?v6' && grep 'healthz?v6' "$ALOG" | grep -q ' 2001:db8::7 '
kc_check $? "an IPv6 address is taken"

login_from 198.51.100.4 "$KC_PASS"
[ "$KC_STATUS" = 200 ]
kc_check $? "login through the proxy"
KC_COOKIE=$(kc_header Set-Cookie | sed 's/;.*//')
[ "$(newest_login_addr)" = 198.51.100.4 ]
kc_check $? "the audit log records the client's address"

# One client's failed logins (fresh user names, past the address threshold
# of 20) lock out that client, not the others behind the same proxy.
n=0
locked=0
while [ $n -lt 22 ]; do
    printf '{"username":"nobody%d","password":"wrong1234"}' $n \
        >"$KC_TMP/bad.json"
    kc_req POST /api/v1/session -H 'Content-Type: application/json' \
        -H 'X-Forwarded-For: 203.0.113.66' --data-binary @"$KC_TMP/bad.json"
    [ "$KC_STATUS" = 429 ] && locked=1
    n=$((n + 1))
done
[ $locked -eq 1 ]
kc_check $? "the attacking client is locked out (429)"
# The lock lasts 2^(failures - 20) s, so the one above may end within a
# second; wait each lock out and fail again until it lasts 8 s or more,
# so the check below is not a race with its end (a slow run lost it).
n=0
while [ $n -lt 40 ]; do
    printf '{"username":"nobody%d","password":"wrong1234"}' $((n + 100)) \
        >"$KC_TMP/bad.json"
    kc_req POST /api/v1/session -H 'Content-Type: application/json' \
        -H 'X-Forwarded-For: 203.0.113.66' --data-binary @"$KC_TMP/bad.json"
    if [ "$KC_STATUS" = 429 ]; then
        ra=$(kc_header Retry-After)
        [ "${ra:-0}" -ge 8 ] && break
        sleep "${ra:-1}"
    fi
    n=$((n + 1))
done
login_from 203.0.113.66 "$KC_PASS"
[ "$KC_STATUS" = 429 ]
kc_check $? "the attacking client stays locked out with the right password"
login_from 198.51.100.4 "$KC_PASS"
[ "$KC_STATUS" = 200 ]
kc_check $? "another client behind the same proxy still logs in"

kc_stop
kc_check $? "server stops"
kc_done
