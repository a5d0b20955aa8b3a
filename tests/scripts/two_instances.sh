#!/bin/sh
# two_instances.sh - two `kechuang serve` processes on one PostgreSQL
# database (docs/admin.md, 多实例): a session made on A is valid on B and
# its CSRF token too, a write on A is read on B, login throttling counts
# the failures made on both, a screening job started on A runs once (on A),
# B's screening notices a write made on A (its own snapshot file is stale),
# and a job left by an instance killed mid-job is taken over by the other
# and run again there to done (its decisions written once, audited
# job.takeover naming the lost instance) while start-up recovery leaves a
# live instance's job alone; an import killed mid-job on A is run again
# on B from the upload in their shared data directory, its rows written
# once; the audit chain verifies at the end.
# Needs KC_TEST_PG (tests/run.sh's PostgreSQL pass; tests/scripts/lib/pg.sh)
# and psql; skipped without. TAP output, loopback only, every wait bounded.
. "$(dirname "$0")/lib/kc.sh"

if [ -z "${KC_TEST_PG:-}" ] || ! command -v psql >/dev/null 2>&1; then
    kc_skip "two instances need PostgreSQL (KC_TEST_PG) and psql"
    kc_done
    exit 0
fi
# the shim maps file paths only; a postgres:// location passes through
BIN=${KC_REAL_BIN:-$BIN}
NAME=kc_two_$$
URI=$(printf '%s' "$KC_TEST_PG" |
    sed "s|^\(postgres[a-z]*://[^/]*\)/[^?]*|\1/$NAME|")
PID_A=""
PID_B=""
HOLD=""

two_cleanup() {
    for p in $PID_A $PID_B $HOLD; do
        kill -9 "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    psql "$KC_TEST_PG" -qc "DROP DATABASE IF EXISTS $NAME" >/dev/null 2>&1
    kc_cleanup
}
trap two_cleanup EXIT

q() {
    psql "$URI" -tAqc "$1"
}

# start X: serve the database as instance X (a or b) with a data directory
# of its own and a 3-second job lease; sets PID_X and URL_X.
start() {
    x=$1
    mkdir -p "$KC_TMP/$x.d"
    printf 'job_lease_seconds = 3\n' >"$KC_TMP/$x.conf"
    : >"$KC_TMP/$x.out"
    "$BIN" --db "$URI" --config "$KC_TMP/$x.conf" --data-dir "$KC_TMP/$x.d" \
        serve --listen 127.0.0.1:0 >"$KC_TMP/$x.out" 2>>"$KC_TMP/serve.err" &
    pid=$!
    i=0
    port=""
    while [ $i -lt 100 ]; do
        port=$(sed -n 's|.*http://127\.0\.0\.1:\([0-9][0-9]*\)/.*|\1|p' \
            "$KC_TMP/$x.out" | head -n 1)
        [ -n "$port" ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
        i=$((i + 1))
    done
    eval "PID_$(echo "$x" | tr ab AB)=$pid"
    [ -n "$port" ] || return 1
    eval "URL_$(echo "$x" | tr ab AB)=http://127.0.0.1:$port"
}

# on X METHOD PATH [CURL ARGS]: kc_req against instance X with the session
on() {
    eval "KC_URL=\$URL_$(echo "$1" | tr ab AB)"
    m=$2
    p=$3
    shift 3
    kc_req "$m" "$p" -H "Cookie: $KC_COOKIE" -H "X-CSRF-Token: $KC_CSRF" "$@"
}

# wait_job X ID: poll job ID on instance X until it has ended (20 s max);
# its status in JOB_STATUS
wait_job() {
    i=0
    JOB_STATUS=""
    while [ $i -lt 200 ]; do
        on "$1" GET "/api/v1/jobs/$2"
        JOB_STATUS=$(kc_json_str status "$KC_TMP/b")
        case "$JOB_STATUS" in done | failed | cancelled) return 0 ;; esac
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

psql "$KC_TEST_PG" -qc "CREATE DATABASE $NAME TEMPLATE template0" >/dev/null
kc_check $? "a database of its own on the test cluster"
kc_init "$URI"
kc_check $? "init"
mkdir -p "$KC_TMP/a.d"
"$BIN" --db "$URI" --data-dir "$KC_TMP/a.d" demo --enterprises 120 --seed 7 \
    >"$KC_TMP/o" 2>&1 && [ "$(q "SELECT COUNT(*) FROM enterprises")" = 120 ]
kc_check $? "demo library of 120 enterprises"

start a && start b
kc_check $? "instances A ($URL_A) and B ($URL_B) serve one database"

KC_URL=$URL_A
kc_login
kc_check $? "log in on A"
on b GET /api/v1/session
[ "$KC_STATUS" = 200 ]
kc_check $? "A's session is valid on B ($KC_STATUS)"

ROOT=$(q "SELECT id FROM org_units WHERE parent_id IS NULL ORDER BY id LIMIT 1")
on a POST /api/v1/org-units -H 'Content-Type: application/json' \
    --data-binary "{\"parent_id\":$ROOT,\"name\":\"双实例-A\",\"kind\":\"park\"}"
st_a=$KC_STATUS
on b POST /api/v1/org-units -H 'Content-Type: application/json' \
    --data-binary "{\"parent_id\":$ROOT,\"name\":\"双实例-B\",\"kind\":\"park\"}"
[ "$st_a" = 201 ] && [ "$KC_STATUS" = 201 ]
kc_check $? "writes through A and B with A's CSRF token ($st_a, $KC_STATUS)"
on b GET /api/v1/org-units
grep -q '双实例-A' "$KC_TMP/b"
kc_check $? "B reads the unit written on A"
on a GET /api/v1/org-units
grep -q '双实例-B' "$KC_TMP/b"
kc_check $? "A reads the unit written on B"

# screening on A: runs once, on A
on a POST /api/v1/screenings -H 'Content-Type: application/json' \
    --data-binary '{"rulesets":["sme-2017"],"as_of":"2026-06-30"}'
J1=$(sed -n 's/^{"id":[[:space:]]*\([0-9]*\).*/\1/p' "$KC_TMP/b")
[ "$KC_STATUS" = 202 ] && [ -n "$J1" ] && wait_job b "$J1" &&
    [ "$JOB_STATUS" = done ]
kc_check $? "a screening started on A is done, as B reads it (job $J1: $JOB_STATUS)"
OWNER_A=$(q "SELECT lease_owner FROM jobs WHERE id = $J1")
case "$OWNER_A" in *":$PID_A:"*) true ;; *) false ;; esac
kc_check $? "it was claimed by A ($OWNER_A)"
n=$(q "SELECT COUNT(*) FROM audit_log WHERE action = 'elig.screen'")
[ "$n" = 1 ]
kc_check $? "it ran exactly once (elig.screen entries: $n)"

# B screens (its own snapshot file), A writes, B screens again
on b POST /api/v1/screenings -H 'Content-Type: application/json' \
    --data-binary '{"rulesets":["sme-2017"],"as_of":"2026-06-30"}'
J2=$(sed -n 's/^{"id":[[:space:]]*\([0-9]*\).*/\1/p' "$KC_TMP/b")
wait_job b "$J2" && [ "$JOB_STATUS" = done ] && [ -f "$KC_TMP/b.d/snapshot" ]
kc_check $? "a screening on B is done and left B's snapshot file (job $J2)"
n2=$(q "SELECT CAST(after_json AS jsonb) ->> 'enterprises' FROM audit_log \
WHERE action = 'elig.screen' ORDER BY id DESC LIMIT 1")
ENT=$(q "SELECT id FROM enterprises WHERE retired_at IS NULL ORDER BY id LIMIT 1")
on a PATCH "/api/v1/enterprises/$ENT" -H 'Content-Type: application/json' \
    --data-binary '{"retired":true,"retire_reason":"迁出"}'
[ "$KC_STATUS" = 200 ]
kc_check $? "A retires enterprise $ENT ($KC_STATUS)"
on b POST /api/v1/screenings -H 'Content-Type: application/json' \
    --data-binary '{"rulesets":["sme-2017"],"as_of":"2026-06-30"}'
J3=$(sed -n 's/^{"id":[[:space:]]*\([0-9]*\).*/\1/p' "$KC_TMP/b")
wait_job b "$J3"
n3=$(q "SELECT CAST(after_json AS jsonb) ->> 'enterprises' FROM audit_log \
WHERE action = 'elig.screen' ORDER BY id DESC LIMIT 1")
[ "$JOB_STATUS" = done ] && [ -n "$n2" ] && [ "$n3" = $((n2 - 1)) ]
kc_check $? "B's next screening sees A's write: $n2 then $n3 enterprises"

# login throttling is in the database: failures on A and B add up
printf '{"username":"%s","password":"wrong-password"}' "$KC_USER" \
    >"$KC_TMP/bad.json"
for x in a b a b a b a b; do
    eval "KC_URL=\$URL_$(echo "$x" | tr ab AB)"
    kc_req POST /api/v1/session -H 'Content-Type: application/json' \
        --data-binary @"$KC_TMP/bad.json"
done
printf '{"username":"%s","password":"%s"}' "$KC_USER" "$KC_PASS" \
    >"$KC_TMP/good.json"
KC_URL=$URL_B
kc_req POST /api/v1/session -H 'Content-Type: application/json' \
    --data-binary @"$KC_TMP/good.json"
[ "$KC_STATUS" = 429 ]
kc_check $? "8 failures alternating A and B lock the account on B ($KC_STATUS)"
q "DELETE FROM login_attempts" >/dev/null

# A dies mid-job. The job waits to read the enterprises, locked here by
# psql (its lock timeout is 5 s: A is killed well before).
PGAPPNAME=kc_hold psql "$URI" -qc "BEGIN; LOCK TABLE enterprises IN ACCESS \
EXCLUSIVE MODE; SELECT pg_sleep(60); COMMIT" >/dev/null 2>&1 &
HOLD=$!
i=0
while [ $i -lt 50 ] && [ "$(q "SELECT COUNT(*) FROM pg_locks WHERE \
mode = 'AccessExclusiveLock' AND granted AND relation = \
CAST('enterprises' AS regclass)")" != 1 ]; do
    sleep 0.1
    i=$((i + 1))
done
on a POST /api/v1/screenings -H 'Content-Type: application/json' \
    --data-binary '{"rulesets":["sme-2017"],"as_of":"2026-06-30"}'
J4=$(sed -n 's/^{"id":[[:space:]]*\([0-9]*\).*/\1/p' "$KC_TMP/b")
[ "$KC_STATUS" = 202 ] && [ -n "$J4" ]
kc_check $? "A starts job $J4 while the enterprises are locked"
# B restarts meanwhile: its start-up recovery must leave A's job alone
kill -TERM "$PID_B"
wait "$PID_B"
PID_B=""
start b
kc_check $? "B restarts while A's job runs"
s=$(q "SELECT status || ' ' || lease_owner FROM jobs WHERE id = $J4")
[ "$s" = "running $OWNER_A" ]
kc_check $? "B's start-up recovery left A's running job alone ($s)"
kill -9 "$PID_A"
wait "$PID_A" 2>/dev/null
PID_A=""
q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE \
application_name = 'kc_hold'" >/dev/null
wait "$HOLD" 2>/dev/null
HOLD=""
wait_job b "$J4"
[ "$JOB_STATUS" = done ]
kc_check $? "B took over the job of the killed A and ran it to done ($JOB_STATUS)"
s=$(q "SELECT lease_owner FROM jobs WHERE id = $J4")
case "$s" in *":$PID_B:"*) true ;; *) false ;; esac
kc_check $? "it ran on B ($s)"
s=$(q "SELECT CAST(params AS jsonb) ->> 'attempt' FROM jobs WHERE id = $J4")
[ "$s" = 2 ]
kc_check $? "its params count the second run ($s)"
n=$(q "SELECT COUNT(*) FROM audit_log WHERE action = 'elig.screen' AND \
object_id = $J4")
n4=$(q "SELECT CAST(after_json AS jsonb) ->> 'enterprises' FROM audit_log \
WHERE action = 'elig.screen' AND object_id = $J4")
[ "$n" = 1 ] && [ "$n4" = "$n3" ]
kc_check $? "its screening was written once, over all $n4 enterprises ($n entry)"
s=$(q "SELECT CAST(result AS jsonb) ->> 'enterprises' FROM jobs WHERE id = $J4")
[ "$s" = "$n3" ]
kc_check $? "its result is the same as the last screening's ($s)"
n=$(q "SELECT COUNT(*) FROM audit_log WHERE action = 'job.takeover' AND \
object_id = $J4 AND after_json LIKE '%$OWNER_A%' AND after_json LIKE \
'%running%'")
[ "$n" = 1 ]
kc_check $? "one job.takeover audit entry names A ($n)"
on b GET /api/v1/session
[ "$KC_STATUS" = 200 ]
kc_check $? "the session goes on working on B after A died"

# An import whose instance dies mid-job is run again from its upload by
# the other instance when both reach it: A restarts with B's data
# directory (the shared storage docs/admin.md asks for). Its validation
# waits to read the enterprises, locked again.
rm -rf "$KC_TMP/a.d" && ln -s "$KC_TMP/b.d" "$KC_TMP/a.d" && start a
kc_check $? "A restarts sharing B's data directory"
NE=$(q "SELECT COUNT(*) FROM enterprises")
PGAPPNAME=kc_hold psql "$URI" -qc "BEGIN; LOCK TABLE enterprises IN ACCESS \
EXCLUSIVE MODE; SELECT pg_sleep(60); COMMIT" >/dev/null 2>&1 &
HOLD=$!
i=0
while [ $i -lt 50 ] && [ "$(q "SELECT COUNT(*) FROM pg_locks WHERE \
mode = 'AccessExclusiveLock' AND granted AND relation = \
CAST('enterprises' AS regclass)")" != 1 ]; do
    sleep 0.1
    i=$((i + 1))
done
on a POST '/api/v1/imports/enterprises?dry_run=false&confirm_blank_unit=true' \
    -H 'Content-Type: text/csv' \
    --data-binary @"$(dirname "$0")/../data/import/ent_ok.csv"
J5=$(sed -n 's/^{"id":[[:space:]]*\([0-9]*\).*/\1/p' "$KC_TMP/b")
[ "$KC_STATUS" = 202 ] && [ -n "$J5" ]
kc_check $? "A starts import $J5 while the enterprises are locked ($KC_STATUS)"
kill -9 "$PID_A"
wait "$PID_A" 2>/dev/null
PID_A=""
q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE \
application_name = 'kc_hold'" >/dev/null
wait "$HOLD" 2>/dev/null
HOLD=""
wait_job b "$J5"
[ "$JOB_STATUS" = done ]
kc_check $? "B took over the import of the killed A and ran it to done ($JOB_STATUS)"
n=$(q "SELECT COUNT(*) FROM enterprises")
a=$(q "SELECT COUNT(*) FROM audit_log WHERE action = 'import.apply' AND \
object_id = $J5")
[ "$n" = $((NE + 3)) ] && [ "$a" = 1 ]
kc_check $? "its 3 enterprises were written once ($NE then $n, $a import.apply)"
n=$(q "SELECT COUNT(*) FROM audit_log WHERE action = 'job.takeover' AND \
object_id = $J5 AND after_json LIKE '%running%'")
s=$(q "SELECT lease_owner FROM jobs WHERE id = $J5")
case "$s" in *":$PID_B:"*) [ "$n" = 1 ] ;; *) false ;; esac
kc_check $? "it ran on B after a job.takeover ($s, $n entry)"
[ ! -e "$KC_TMP/b.d/imports/$J5.upload" ]
kc_check $? "its staged upload is removed after the write"

kill -TERM "$PID_B"
wait "$PID_B"
kc_check $? "B stops cleanly"
PID_B=""
"$BIN" --db "$URI" audit verify >"$KC_TMP/verify.out" 2>&1
kc_check $? "the audit chain written by both instances verifies"

kc_done
