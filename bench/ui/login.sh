#!/bin/sh
# bench/ui/login.sh - the wait after login (issue 22, item 21): from the
# click on 登录 until the enterprise list shows rows, the detail page and
# each of its tabs, with the requests each step makes, in Debian's
# headless chromium against `kechuang demo` data (median of RUNS runs, a
# fresh browser context each: empty cache).
#
#   sh bench/ui/login.sh                    # build/kechuang, 3000 enterprises
#   BUILD=build-x RUNS=9 N=10000 VERBOSE=1 sh bench/ui/login.sh
#   BURN=2 sh bench/ui/login.sh             # the same with 2 CPU-bound
#                                           # processes beside it (a loaded
#                                           # machine, reproducibly)
#
# Needs node, web/node_modules (playwright-core), /usr/bin/chromium and a
# build with the UI (make). Prints a Markdown table; the raw figures go to
# $BUILD/bench-ui-login.json.
BUILD=${BUILD:-build}
BIN=${BIN:-$BUILD/kechuang}
RUNS=${RUNS:-5}
N=${N:-3000}
BURN=${BURN:-0}
export BUILD BIN RUNS
. "$(dirname "$0")/../../tests/scripts/lib/kc.sh"

[ -x "$BIN" ] || make --no-print-directory "BUILD=$BUILD" "$BIN" || exit 1
if [ ! -f web/node_modules/playwright-core/package.json ] ||
    [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
    echo "bench/ui: 需要 web/node_modules 和 chromium：请先运行 make deps 和 make" >&2
    exit 1
fi

PW=Bench2026pw
{ "$BIN" --db "$KC_TMP/k.db" init &&
    printf '%s\n' "$PW" | "$BIN" --db "$KC_TMP/k.db" user passwd admin &&
    "$BIN" --db "$KC_TMP/k.db" demo --enterprises "$N" --quiet; } \
    >"$KC_TMP/setup.log" 2>&1 || {
    cat "$KC_TMP/setup.log" >&2
    echo "bench/ui: init/demo failed" >&2
    exit 1
}
kc_start "$KC_TMP/k.db" || { cat "$KC_TMP/serve.err" >&2; exit 1; }

# BURN busy loops at normal priority, started after the set-up and stopped
# with the measurement: each keeps one CPU busy, as a build beside the
# browser would.
burners=
i=0
while [ "$i" -lt "$BURN" ]; do
    sh -c 'while :; do :; done' &
    burners="$burners $!"
    i=$((i + 1))
done
stop_burners() { [ -n "$burners" ] && kill $burners 2>/dev/null; burners=; }
trap 'stop_burners; kc_cleanup' EXIT

E2E_URL=$KC_URL E2E_ADMIN_PW=$PW E2E_TMP=$KC_TMP RUNS=$RUNS \
    OUT=$BUILD/bench-ui-login.json timeout 900 node bench/ui/login.mjs
rc=$?
stop_burners
exit $rc
