#!/bin/sh
# restart_job.sh - a single SQLite instance killed (kill -9) in the middle
# of a screening job and started again finishes that job: start-up recovery
# runs it again through the take-over path (docs/internals/jobs.md) to
# done, its screening written once over all enterprises, the second run
# counted in its params and audited job.takeover naming the killed
# instance; `audit verify` passes. TAP output, loopback only, every wait
# bounded.
. "$(dirname "$0")/lib/kc.sh"

DB=$KC_TMP/r.db
N=3000 # enterprises: a cold screening takes a moment, so the kill finds
# it running (else the attempt is repeated, at most TRIES times)
TRIES=5

if ! command -v sqlite3 >/dev/null 2>&1; then
    kc_check 1 "the sqlite3 command-line tool is installed (tools/deps.sh)"
    kc_done
    exit 1
fi
sql() {
    sqlite3 -batch -noheader "$DB" "$@"
}
# a 2-second job lease: the killed process's lease runs out quickly
printf 'job_lease_seconds = 2\n' >"$KC_TMP/r.conf"

# start: serve the database with the short lease and an empty data
# directory (no snapshot: the screening starts by building it); info: the
# take-over line is read below (tests/run.sh sets warn)
start() {
    kc_start --config "$KC_TMP/r.conf" --data-dir "$KC_TMP/d" --log info "$DB"
}

kc_init "$DB"
kc_check $? "init"
mkdir -p "$KC_TMP/d"
"$BIN" --db "$DB" --data-dir "$KC_TMP/d" demo --enterprises $N --seed 7 \
    --quiet >"$KC_TMP/o" 2>&1 &&
    [ "$(sql 'SELECT COUNT(*) FROM enterprises')" = $N ]
kc_check $? "demo library of $N enterprises"

# kill -9 the server right after it accepted a screening; again (with an
# empty data directory) when the job had already finished
J=""
try=1
while [ $try -le $TRIES ]; do
    rm -rf "$KC_TMP/d"
    mkdir -p "$KC_TMP/d"
    start || break
    kc_login || break
    kc_req POST /api/v1/screenings -H "Cookie: $KC_COOKIE" \
        -H "X-CSRF-Token: $KC_CSRF" -H 'Content-Type: application/json' \
        --data-binary '{"rulesets":["sme-2017"],"as_of":"2026-06-30"}'
    kill -9 "$KC_PID"
    wait "$KC_PID" 2>/dev/null
    KC_PID=""
    j=$(sed -n 's/^{"id":[[:space:]]*\([0-9]*\).*/\1/p' "$KC_TMP/b")
    if [ -n "$j" ] &&
        [ "$(sql "SELECT status FROM jobs WHERE id = $j")" = running ]; then
        J=$j
        break
    fi
    try=$((try + 1))
done
[ -n "$J" ]
kc_check $? "the server was killed while screening job $J ran (attempt $try)"
OWNER=$(sql "SELECT lease_owner FROM jobs WHERE id = $J")
n=$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'elig.screen' AND \
object_id = $J")
[ "$n" = 0 ]
kc_check $? "nothing of the killed run was committed ($n screening entries)"

# the killed process's lease runs out (2 s), then the server starts again
i=0
while [ $i -lt 100 ] && [ "$(sql "SELECT COUNT(*) FROM jobs WHERE id = $J \
AND lease_until < strftime('%Y-%m-%dT%H:%M:%SZ', 'now')")" != 1 ]; do
    sleep 0.1
    i=$((i + 1))
done
start
kc_check $? "the server starts again"
kc_login
kc_check $? "login"
st=""
i=0
while [ $i -lt 300 ]; do
    kc_req GET "/api/v1/jobs/$J" -H "Cookie: $KC_COOKIE"
    st=$(kc_json_str status "$KC_TMP/b")
    case "$st" in running | queued) ;; *) break ;; esac
    sleep 0.1
    i=$((i + 1))
done
[ "$st" = done ]
kc_check $? "start-up recovery ran job $J again to done ($st)"
grep -q "job $J (screening) of instance .* taken over: running again here" \
    "$KC_TMP/serve.err"
kc_check $? "the server's log says it ran the job again"
s=$(sql "SELECT json_extract(params, '\$.attempt') FROM jobs WHERE id = $J")
[ "$s" = 2 ]
kc_check $? "its params count the second run ($s)"
n=$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'elig.screen' AND \
object_id = $J")
s=$(sql "SELECT json_extract(after_json, '\$.enterprises') FROM audit_log \
WHERE action = 'elig.screen' AND object_id = $J")
[ "$n" = 1 ] && [ "$s" = $N ]
kc_check $? "its screening was written once, over all $s enterprises ($n entry)"
n=$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'job.takeover' AND \
object_id = $J AND after_json LIKE '%$OWNER%' AND after_json LIKE \
'%running%'")
[ "$n" = 1 ]
kc_check $? "the second run is audited job.takeover naming $OWNER ($n)"
kc_stop TERM
kc_check $? "clean stop"
"$BIN" --db "$DB" audit verify >"$KC_TMP/verify.out" 2>&1
kc_check $? "kechuang audit verify passes"

kc_done
