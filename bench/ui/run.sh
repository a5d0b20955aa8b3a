#!/bin/sh
# bench/ui/run.sh - web UI load figures: the gzipped size of the first load
# (the JS and CSS that index.html pulls in) and, over loopback with Debian's
# headless chromium, the login page's first contentful paint and the time
# until the audit list shows its rows (median of RUNS cold loads each, a
# fresh browser context per load: empty cache, no service worker).
#
#   sh bench/ui/run.sh                  # uses build/kechuang, 10 loads each
#   BUILD=build-ui RUNS=20 sh bench/ui/run.sh
#
# Needs node, web/node_modules (playwright-core) and /usr/bin/chromium
# (make deps; make). Prints a Markdown table; the raw figures go to
# $BUILD/bench-ui.json.
BUILD=${BUILD:-build}
BIN=${BIN:-$BUILD/kechuang}
RUNS=${RUNS:-10}
export BUILD BIN RUNS
. "$(dirname "$0")/../../tests/scripts/lib/kc.sh"

[ -x "$BIN" ] || make --no-print-directory "BUILD=$BUILD" "$BIN" || exit 1
if [ ! -f web/node_modules/playwright-core/package.json ] ||
    [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
    echo "bench/ui: 需要 web/node_modules 和 chromium：请先运行 make deps 和 make" >&2
    exit 1
fi

PW=Bench2026pw
"$BIN" --db "$KC_TMP/k.db" init >/dev/null 2>&1 &&
    printf '%s\n' "$PW" | "$BIN" --db "$KC_TMP/k.db" user passwd admin \
        >/dev/null 2>&1 || { echo "bench/ui: init failed" >&2; exit 1; }
kc_start "$KC_TMP/k.db" || { cat "$KC_TMP/serve.err" >&2; exit 1; }

# Some audit entries so that the list has a full first page: 30 units.
KC_USER=admin
KC_PASS=$PW
kc_login || { echo "bench/ui: login failed" >&2; exit 1; }
i=1
while [ $i -le 30 ]; do
    kc_req POST /api/v1/org-units -H "Cookie: $KC_COOKIE" \
        -H "X-CSRF-Token: $KC_CSRF" -H 'Content-Type: application/json' \
        --data-binary "{\"parent_id\":1,\"name\":\"基准单位$i\",\"kind\":\"park\"}"
    i=$((i + 1))
done

E2E_URL=$KC_URL E2E_ADMIN_PW=$PW E2E_TMP=$KC_TMP RUNS=$RUNS \
    OUT=$BUILD/bench-ui.json timeout 600 node bench/ui/measure.mjs
