#!/bin/sh
# bench_locks.sh - `npm ci` in bench/screen and bench/import installs on a
# clean checkout: every package.json's dependencies are in its lock file, and
# every optional dependency (the DuckDB bindings are one package per
# platform) has its own entry with a version and an integrity hash, so
# npm ci does not stop on a lock file that lacks this machine's binding. The
# check reads the lock files only (no network, no install). It is first run
# on a made-up lock without the platform entries, so a checker that cannot
# fail fails this test. TAP output.
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

kc_done
