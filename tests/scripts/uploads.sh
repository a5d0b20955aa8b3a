#!/bin/sh
# uploads.sh - request bodies over the real server, with curl:
#   - unauthenticated uploads are refused (401) from their headers and their
#     bodies are never read: while UNAUTH_N uploads of UNAUTH_MB MiB each
#     are sent at once (Content-Length and chunked), the server's peak
#     resident memory (VmHWM in /proc/PID/status) stays under BOUND_MB MiB;
#   - an authorised upload is written to a spool file, not to memory: a
#     AUTH_MB MiB upload raises the peak by less than GROW_MB MiB, and the
#     spool file is gone afterwards;
#   - concurrent uploads are capped: a third upload of one user is 429, an
#     upload past the server's total is 503 (both with Retry-After);
#   - refusals from the headers: 403 CSRF, 413 Content-Length past the cap;
#   - a spool file left by a server that is gone is removed at start.
# TAP output. Needs BIN (set by tests/run.sh) and Linux /proc.
. "$(dirname "$0")/lib/kc.sh"

DB=$KC_TMP/k.db
UNAUTH_N=4
UNAUTH_MB=100
BOUND_MB=64
AUTH_MB=150
GROW_MB=32
PW=Upload1234

# status_kib FIELD: a field of the server's /proc status in KiB.
status_kib() {
    sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$KC_PID/status"
}

sql() {
    sqlite3 -batch -noheader "$DB" "$@"
}

kc_init "$DB"
kc_check $? "init"
ROOT=$(sql 'SELECT id FROM org_units WHERE parent_id IS NULL ORDER BY id LIMIT 1')
for u in alice bob; do
    printf '%s\n' "$PW" | "$BIN" --db "$DB" user add "$u" --role staff \
        --unit "$ROOT" >/dev/null 2>&1 || echo "# cannot add $u"
done

if ! kc_start "$DB" --threads 4; then
    kc_check 1 "server starts"
    kc_done
    exit 1
fi
kc_check 0 "server starts on port $KC_PORT"
[ -r "/proc/$KC_PID/status" ]
kc_check $? "the server's /proc status is readable"

# Sparse files: no disk used, curl streams them.
truncate -s "${UNAUTH_MB}M" "$KC_TMP/unauth.bin"
truncate -s "${AUTH_MB}M" "$KC_TMP/auth.bin"

# --- unauthenticated uploads ----------------------------------------------
hwm0=$(status_kib VmHWM)
pids=""
i=1
while [ $i -le $UNAUTH_N ]; do
    if [ $((i % 2)) -eq 0 ]; then
        # chunked: no Content-Length, the server cannot know the size
        curl -s --max-time 60 -o /dev/null -w '%{http_code}\n' -X POST \
            -H 'Content-Type: text/csv' -T - \
            "$KC_URL/api/v1/imports/enterprises" <"$KC_TMP/unauth.bin" \
            >"$KC_TMP/unauth.$i" 2>/dev/null &
    else
        curl -s --max-time 60 -o /dev/null -w '%{http_code}\n' -X POST \
            -H 'Content-Type: text/csv' -T "$KC_TMP/unauth.bin" \
            "$KC_URL/api/v1/imports/enterprises" \
            >"$KC_TMP/unauth.$i" 2>/dev/null &
    fi
    pids="$pids $!"
    i=$((i + 1))
done
for p in $pids; do
    wait "$p"
done
ok=0
i=1
while [ $i -le $UNAUTH_N ]; do
    [ "$(head -n 1 "$KC_TMP/unauth.$i")" = 401 ] && ok=$((ok + 1))
    i=$((i + 1))
done
[ $ok -eq $UNAUTH_N ]
kc_check $? "$UNAUTH_N unauthenticated uploads of $UNAUTH_MB MiB are all 401"
hwm=$(status_kib VmHWM)
rss=$(status_kib VmRSS)
echo "# VmHWM before ${hwm0} kB, after ${hwm} kB; VmRSS ${rss} kB"
[ -n "$hwm" ] && [ "$hwm" -lt $((BOUND_MB * 1024)) ]
kc_check $? "peak memory stays under $BOUND_MB MiB (VmHWM $hwm kB)"
kill -0 "$KC_PID" 2>/dev/null
kc_check $? "the server is still running"

kc_req GET /api/v1/healthz
[ "$KC_STATUS" = 200 ]
kc_check $? "the server answers after the refused uploads"

# --- authorised upload -----------------------------------------------------
# a fresh server, so that the peak above does not hide this one
kc_stop
kc_check $? "server stops cleanly"
# a spool file of a server killed in the middle of an upload
sh -c 'exit 0' &
dead=$!
wait "$dead"
mkdir -p "$DB.imports"
: >"$DB.imports/spool-$dead-stale1"
kc_start "$DB" --threads 4
kc_check $? "server starts again"
[ ! -e "$DB.imports/spool-$dead-stale1" ]
kc_check $? "the start removes the spool file of a server that is gone"
kc_login
kc_check $? "login"
A="-H Cookie:$KC_COOKIE -H X-CSRF-Token:$KC_CSRF"

# refused from the headers, body never read
kc_req POST /api/v1/imports/enterprises -H "Cookie: $KC_COOKIE" \
    -H 'Content-Type: text/csv' -T "$KC_TMP/unauth.bin" --max-time 30
[ "$KC_STATUS" = 403 ] && grep -q csrf "$KC_TMP/b"
kc_check $? "upload without the CSRF token is 403"
kc_req POST /api/v1/imports/enterprises $A -H 'Content-Type: text/csv' \
    -H 'Content-Length: 314572800' --max-time 5
[ "$KC_STATUS" = 413 ] && grep -q '"too_big"' "$KC_TMP/b"
kc_check $? "upload with Content-Length 300 MiB is 413 before its body"

hwm1=$(status_kib VmHWM)
# kind "none" is no import type: the body is received in full, then the
# handler answers 404 and nothing is imported
kc_req POST /api/v1/imports/none $A -H 'Content-Type: text/csv' \
    -T "$KC_TMP/auth.bin" --max-time 120
[ "$KC_STATUS" = 404 ] && grep -q '"kind"' "$KC_TMP/b"
kc_check $? "an authorised $AUTH_MB MiB upload is received (404 for the kind)"
hwm2=$(status_kib VmHWM)
echo "# VmHWM before the upload ${hwm1} kB, after ${hwm2} kB"
[ -n "$hwm2" ] && [ "$hwm2" -lt $((hwm1 + GROW_MB * 1024)) ]
kc_check $? "the upload raised peak memory by less than $GROW_MB MiB"
n=$(find "$DB.imports" -type f 2>/dev/null | wc -l)
[ "$n" -eq 0 ]
kc_check $? "no spool file is left ($n)"

# a real import still works through the spool file
printf '统一社会信用代码,企业名称\n' >"$KC_TMP/small.csv"
kc_req POST '/api/v1/imports/enterprises?dry_run=true' $A \
    -H 'Content-Type: text/csv' -H 'X-File-Name: small.csv' \
    --data-binary @"$KC_TMP/small.csv"
[ "$KC_STATUS" = 202 ] && grep -q '"id"' "$KC_TMP/b"
kc_check $? "a small authorised upload starts an import job (202)"

# --- concurrent uploads --------------------------------------------------------
# login_as USER: cookie and CSRF token of USER into U_COOKIE, U_CSRF
login_as() {
    printf '{"username":"%s","password":"%s"}' "$1" "$PW" >"$KC_TMP/l.json"
    kc_req POST /api/v1/session -H 'Content-Type: application/json' \
        --data-binary @"$KC_TMP/l.json"
    U_COOKIE=$(kc_header Set-Cookie | sed 's/;.*//')
    U_CSRF=$(kc_json_str csrf_token "$KC_TMP/b")
    [ "$KC_STATUS" = 200 ]
}

# hold N COOKIE CSRF: an upload whose body is a FIFO kept open on fd N+2,
# so the server has its headers and waits for the rest. One byte of the
# body is written at once.
hold() {
    rm -f "$KC_TMP/fifo$1" "$KC_TMP/held.$1.code"
    mkfifo "$KC_TMP/fifo$1"
    curl -s --max-time 120 -o "$KC_TMP/held.$1" -w '%{http_code}\n' \
        -X POST -H "Cookie: $2" -H "X-CSRF-Token: $3" \
        -H 'Content-Type: text/csv' -T - "$KC_URL/api/v1/imports/none" \
        <"$KC_TMP/fifo$1" >"$KC_TMP/held.$1.code" 2>/dev/null &
    HELD="$HELD $!"
    eval "HELD_PID$1=\$!"
    eval "exec $(($1 + 2))>\"\$KC_TMP/fifo$1\""
    eval "printf a >&$(($1 + 2))"
}

# rehold N COOKIE CSRF: start upload N again when it has ended already. A
# polling upload takes a slot for a moment; an upload held just then is
# refused (429 or 503) through no fault of the server.
rehold() {
    eval "pid=\$HELD_PID$1"
    kill -0 "$pid" 2>/dev/null && return 0
    wait "$pid"
    eval "exec $(($1 + 2))>&-"
    echo "# upload $1 was refused ($(cat "$KC_TMP/held.$1.code" 2>/dev/null)) while a poll held a slot; again"
    hold "$@"
}

# poll_upload COOKIE CSRF WANT: send small uploads until one is answered
# WANT (at most 10 s); status of the last one in KC_STATUS.
poll_upload() {
    j=0
    while [ $j -lt 100 ]; do
        kc_req POST /api/v1/imports/none -H "Cookie: $1" \
            -H "X-CSRF-Token: $2" -H 'Content-Type: text/csv' \
            --data-binary 'x'
        [ "$KC_STATUS" = "$3" ] && return 0
        sleep 0.1
        j=$((j + 1))
    done
    return 1
}

HELD=""
login_as alice
kc_check $? "alice logs in"
AC=$U_COOKIE
AX=$U_CSRF
login_as bob
kc_check $? "bob logs in"
BC=$U_COOKIE
BX=$U_CSRF

hold 1 "$AC" "$AX"
hold 2 "$AC" "$AX"
try=0
until poll_upload "$AC" "$AX" 429 || [ $try -ge 5 ]; do
    rehold 2 "$AC" "$AX"
    try=$((try + 1))
done
[ "$KC_STATUS" = 429 ] && [ -n "$(kc_header Retry-After)" ] &&
    grep -q '正在上传' "$KC_TMP/b"
kc_check $? "alice's third upload at once is 429 with Retry-After (got $KC_STATUS)"
kc_req POST /api/v1/imports/none -H "Cookie: $BC" -H "X-CSRF-Token: $BX" \
    -H 'Content-Type: text/csv' --data-binary 'x'
[ "$KC_STATUS" = 404 ]
kc_check $? "bob's upload meanwhile goes through (404 for the kind)"

hold 3 "$BC" "$BX"
hold 4 "$BC" "$BX"
try=0
until poll_upload "$KC_COOKIE" "$KC_CSRF" 503 || [ $try -ge 5 ]; do
    rehold 3 "$BC" "$BX"
    rehold 4 "$BC" "$BX"
    try=$((try + 1))
done
[ "$KC_STATUS" = 503 ] && [ -n "$(kc_header Retry-After)" ]
kc_check $? "an upload past the server's total is 503 with Retry-After (got $KC_STATUS)"

exec 3>&- 4>&- 5>&- 6>&-
for p in $HELD; do
    wait "$p"
done
ok=0
for i in 1 2 3 4; do
    [ "$(cat "$KC_TMP/held.$i.code")" = 404 ] && ok=$((ok + 1))
done
[ $ok -eq 4 ]
kc_check $? "the held uploads complete once their bodies end ($ok of 4)"
poll_upload "$AC" "$AX" 404
kc_check $? "the slots are free again"

kc_stop
kc_check $? "server stops cleanly"
kc_done
