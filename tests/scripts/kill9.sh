#!/bin/sh
# kill9.sh - crash safety: writes in parallel over HTTP, `kill -9` of the
# server in the middle, then the database must be intact (integrity_check),
# every acknowledged write present, nothing half-applied (each created unit
# has exactly one org.create audit entry and vice versa), the audit chain
# must verify, and the server must start again. TAP output, loopback only,
# bounded to well under a minute.
. "$(dirname "$0")/lib/kc.sh"

DB=$KC_TMP/k.db
WRITERS=4
PER_WRITER=400  # upper bound; the kill comes long before
KILL_AFTER=40   # acknowledged writes before the kill

if ! command -v sqlite3 >/dev/null 2>&1; then
    kc_check 1 "the sqlite3 command-line tool is installed (tools/deps.sh)"
    kc_done
    exit 1
fi
sql() {
    sqlite3 -batch -noheader "$DB" "$@"
}

kc_init "$DB"
kc_check $? "init"
kc_start "$DB" --threads 4
kc_check $? "server starts"
kc_login
kc_check $? "login"
ROOT=$(sql 'SELECT id FROM org_units WHERE parent_id IS NULL ORDER BY id LIMIT 1')
[ -n "$ROOT" ]
kc_check $? "the root unit exists (id $ROOT)"

# writer W: create units k9-wW-1, k9-wW-2 ... and record "name status" after
# each answer; stop at the first request that gets no answer.
writer() {
    w=$1
    n=1
    while [ $n -le $PER_WRITER ]; do
        name="k9-w$w-$n"
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
            -X POST -H "Cookie: $KC_COOKIE" -H "X-CSRF-Token: $KC_CSRF" \
            -H 'Content-Type: application/json' \
            --data-binary "{\"parent_id\":$ROOT,\"name\":\"$name\",\"kind\":\"park\"}" \
            "$KC_URL/api/v1/org-units")
        echo "$name $code" >>"$KC_TMP/w$w.log"
        [ "$code" = 000 ] && break
        n=$((n + 1))
    done
}

w=1
wpids=""
while [ $w -le $WRITERS ]; do
    : >"$KC_TMP/w$w.log"
    writer $w &
    wpids="$wpids $!"
    w=$((w + 1))
done

acked() {
    cat "$KC_TMP"/w*.log | awk '$2 ~ /^2/' | wc -l
}
i=0
while [ $i -lt 200 ] && [ "$(acked)" -lt $KILL_AFTER ]; do
    sleep 0.05
    i=$((i + 1))
done
kill -9 "$KC_PID"
wait "$KC_PID" 2>/dev/null
KC_PID=""
for p in $wpids; do
    wait "$p"
done

cat "$KC_TMP"/w*.log | awk '$2 ~ /^2/ {print $1}' >"$KC_TMP/acked"
cat "$KC_TMP"/w*.log | awk '$2 == "000" {print $1}' >"$KC_TMP/lost"
n_acked=$(wc -l <"$KC_TMP/acked")
n_other=$(cat "$KC_TMP"/w*.log | awk '$2 !~ /^2/ && $2 != "000"' | wc -l)
[ "$n_acked" -ge 1 ]
kc_check $? "writes were acknowledged before the kill ($n_acked acknowledged)"
[ "$n_other" -eq 0 ]
kc_check $? "no write was refused before the kill ($n_other non-2xx answers)"

[ "$(sql 'PRAGMA integrity_check')" = ok ]
kc_check $? "PRAGMA integrity_check is ok after kill -9"

{
    echo "CREATE TEMP TABLE acked (name TEXT PRIMARY KEY);"
    sed "s/.*/INSERT INTO acked VALUES ('&');/" "$KC_TMP/acked"
    echo "SELECT count(*) FROM acked a WHERE (SELECT count(*) FROM org_units o"
    echo "  WHERE o.name = a.name AND o.parent_id = $ROOT) <> 1;"
    echo "SELECT count(*) FROM acked a WHERE (SELECT count(*) FROM audit_log l"
    echo "  WHERE l.action = 'org.create'"
    echo "  AND json_extract(l.after_json, '\$.name') = a.name) <> 1;"
} >"$KC_TMP/check.sql"
out=$(sql <"$KC_TMP/check.sql" | tr '\n' ' ')
[ "$out" = "0 0 " ]
kc_check $? "every acknowledged unit is present once with one audit entry (missing: $out)"

n=$(sql "SELECT count(*) FROM org_units o WHERE o.name LIKE 'k9-%' AND
    (SELECT count(*) FROM audit_log l WHERE l.action = 'org.create'
     AND l.object_id = o.id) <> 1")
[ "$n" = 0 ]
kc_check $? "no unit without exactly one org.create audit entry ($n)"
n=$(sql "SELECT count(*) FROM audit_log l WHERE l.action = 'org.create'
    AND NOT EXISTS (SELECT 1 FROM org_units o WHERE o.id = l.object_id)")
[ "$n" = 0 ]
kc_check $? "no org.create audit entry without its unit ($n)"
n_units=$(sql "SELECT count(*) FROM org_units WHERE name LIKE 'k9-%'")
n_lost=$(wc -l <"$KC_TMP/lost")
[ "$n_units" -ge "$n_acked" ] && [ "$n_units" -le $((n_acked + n_lost)) ]
kc_check $? "units created ($n_units) = acknowledged ($n_acked) + some of the unanswered ($n_lost)"

"$BIN" --db "$DB" audit verify >"$KC_TMP/verify.out" 2>&1
kc_check $? "kechuang audit verify exits 0 after the crash"

kc_start "$DB" --threads 2
kc_check $? "the server starts again on the crashed database"
kc_req POST /api/v1/org-units -H "Cookie: $KC_COOKIE" \
    -H "X-CSRF-Token: $KC_CSRF" -H 'Content-Type: application/json' \
    --data-binary "{\"parent_id\":$ROOT,\"name\":\"k9-after\",\"kind\":\"park\"}"
[ "$KC_STATUS" = 201 ]
kc_check $? "the session survives the crash and a new write succeeds"
kc_stop TERM
kc_check $? "clean stop"
"$BIN" --db "$DB" audit verify >"$KC_TMP/verify.out" 2>&1
kc_check $? "audit verify after the restart"

kc_done
