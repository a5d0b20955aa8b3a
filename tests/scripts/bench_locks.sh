#!/bin/sh
# bench_locks.sh - `npm ci` in bench/screen and bench/import installs on a
# clean checkout: every package.json's dependencies are in its lock file, and
# every optional dependency (the DuckDB bindings are one package per
# platform) has its own entry with a version and an integrity hash, so
# npm ci does not stop on a lock file that lacks this machine's binding. That
# check reads the lock files only (no network, no install). It is first run
# on a made-up lock without the platform entries, so a checker that cannot
# fail fails this test.
#
# Then, when the npm registry answers (`npm ping`, 15 s at most), each
# directory's package.json and lock are copied to a temporary directory and
# installed there as run.sh does on a clean checkout (`npm ci`, with a new
# empty npm cache so nothing comes from this machine's cache, install
# scripts allowed), and DuckDB is loaded from that copy and answers a
# query: the binding of this platform was installed and works. Offline,
# or without npm, these checks are skipped with the reason. The benchmark
# itself is not run. About 5 s and 25 MB of downloads per directory.
# TAP output.
. "$(dirname "$0")/lib/kc.sh"

# lock_ok DIR: status 0 when DIR/package-lock.json is complete.
lock_ok() {
    node -e '
const fs = require("fs");
const dir = process.argv[1];
const pkg = JSON.parse(fs.readFileSync(dir + "/package.json", "utf8"));
const lock = JSON.parse(fs.readFileSync(dir + "/package-lock.json", "utf8"));
const pk = lock.packages || {};
const bad = [];
const want = (name) => {
  const e = pk["node_modules/" + name];
  if (!e || !e.version || !e.integrity) bad.push(name);
};
for (const d of Object.keys(pkg.dependencies || {})) want(d);
for (const [path, e] of Object.entries(pk)) {
  if (!path) continue;
  for (const d of Object.keys(e.dependencies || {})) want(d);
  for (const d of Object.keys(e.optionalDependencies || {})) want(d);
}
if (bad.length) { console.error("lock lacks: " + bad.join(", ")); process.exit(1); }
' "$1"
}

if ! command -v node >/dev/null 2>&1; then
    echo "1..0 # SKIP node not installed"
    exit 0
fi

# the checker fails on a lock that names optional bindings without entries
mkdir -p "$KC_TMP/bad"
cat >"$KC_TMP/bad/package.json" <<'J'
{ "dependencies": { "a": "1.0.0" } }
J
cat >"$KC_TMP/bad/package-lock.json" <<'J'
{ "lockfileVersion": 3, "packages": { "": {},
  "node_modules/a": { "version": "1.0.0", "resolved": "https://r/a.tgz",
    "integrity": "sha512-x", "optionalDependencies": { "a-linux-x64": "1.0.0" } } } }
J
lock_ok "$KC_TMP/bad" 2>/dev/null
kc_check $(( $? == 0 )) "the checker refuses a lock without the platform entries"

for d in bench/screen bench/import; do
    lock_ok "$d"
    kc_check $? "$d/package-lock.json holds every dependency and platform binding"
done

# npm_ci_loads DIR: npm ci of DIR's lock into a temporary copy, then DuckDB
# from that copy runs a query (status 0 when it printed 42).
npm_ci_loads() {
    t=$KC_TMP/ci-$(basename "$1")
    mkdir -p "$t"
    cp "$1/package.json" "$1/package-lock.json" "$t/" || return 1
    (cd "$t" && timeout 120 npm ci --ignore-scripts=false --no-audit \
        --no-fund --loglevel=error --cache "$KC_TMP/npm-cache") \
        >"$t.log" 2>&1 || {
        sed "s/^/# /" "$t.log" | head -n 8
        return 1
    }
    # resolved from the copy (cwd $t), not from bench/*/node_modules
    got=$(cd "$t" && timeout 60 node --input-type=module -e '
import { DuckDBInstance } from "@duckdb/node-api";
const db = await DuckDBInstance.create(":memory:");
const con = await db.connect();
const r = await con.runAndReadAll("SELECT 40 + 2 AS n");
console.log(String(r.getRows()[0][0]));
' 2>&1)
    [ "$got" = 42 ] || {
        echo "$got" | sed 's/^/# /' | tail -n 20
        return 1
    }
}

if ! command -v npm >/dev/null 2>&1; then
    kc_skip "npm ci of bench/screen and bench/import: npm not installed"
elif ! timeout 15 npm ping --fetch-retries=0 --fetch-timeout=10000 \
    >"$KC_TMP/ping.log" 2>&1; then
    kc_skip "npm ci of bench/screen and bench/import: npm registry" \
        "$(npm config get registry 2>/dev/null) unreachable (offline)"
else
    for d in bench/screen bench/import; do
        npm_ci_loads "$d"
        kc_check $? "$d: npm ci on a clean copy installs this platform's" \
            "DuckDB binding, and it loads and runs a query"
    done
fi

kc_done
