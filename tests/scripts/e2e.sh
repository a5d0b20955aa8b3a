#!/bin/sh
# e2e.sh - browser tests: the real binary on a free loopback port with a
# temporary database, driven by playwright-core through Debian's headless
# chromium (tests/e2e/*.test.mjs). TAP output; screenshots go to
# $BUILD/e2e/. Missing chromium or web/node_modules is a failure that says
# how to install them, never a silent skip.
. "$(dirname "$0")/lib/kc.sh"

BUILD=${BUILD:-build}
ROOT=$(pwd)
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
SHOTS=$BUILD/e2e
ADMIN_PW=Kc-e2e-Hedong-731

missing=""
command -v node >/dev/null 2>&1 || missing="$missing node"
[ -x "$CHROMIUM" ] || missing="$missing chromium($CHROMIUM)"
[ -f web/node_modules/playwright-core/package.json ] ||
    missing="$missing web/node_modules(playwright-core)"
if [ -n "$missing" ]; then
    echo "# 缺少浏览器测试所需的:$missing" >&2
    echo "# 请运行 make deps（或 sh tools/deps.sh）安装 nodejs、npm、chromium，再运行 make 以安装 web/node_modules" >&2
    kc_check 1 "browser test prerequisites present (node, chromium, web/node_modules)"
    kc_done
    exit 1
fi
kc_check 0 "browser test prerequisites present (node, chromium, web/node_modules)"

"$BIN" --db "$KC_TMP/k.db" init >"$KC_TMP/init.out" 2>&1 &&
    printf '%s\n' "$ADMIN_PW" |
    "$BIN" --db "$KC_TMP/k.db" user passwd admin >"$KC_TMP/pw.out" 2>&1
st=$?
[ $st -eq 0 ] || cat "$KC_TMP/init.out" "$KC_TMP/pw.out" | sed 's/^/# /'
kc_check $st "temporary database initialised, admin password set"

# an empty rules directory: ladder.test.mjs puts broken files there and
# reloads
mkdir -p "$KC_TMP/rules"
if ! kc_start "$KC_TMP/k.db" --threads 4 --rules-dir "$KC_TMP/rules"; then
    sed 's/^/# /' "$KC_TMP/serve.err"
    kc_check 1 "server starts on loopback"
    kc_done
    exit 1
fi
kc_check 0 "server starts on $KC_URL"

kc_req GET /
[ "$KC_STATUS" = 200 ] && grep -q '/assets/index-' "$KC_TMP/b"
kc_check $? "the binary serves the built UI (web/dist), not the fallback page"

mkdir -p "$SHOTS"
rm -f "$SHOTS"/*.png
# E2E_ONLY=name runs tests/e2e/name.test.mjs alone (while writing a test).
for t in tests/e2e/${E2E_ONLY:-*}.test.mjs; do
    [ -f "$t" ] || continue
    # The test file numbers its TAP lines from KC_N + 1 and writes how many
    # it printed to $KC_TMP/n. Node and the browser run on Beijing time, as
    # the product's "today" does (date_today) and as its users do, so dates
    # a test computes agree with the server's at every hour of the run.
    TZ=Asia/Shanghai E2E_URL=$KC_URL E2E_START=$KC_N E2E_COUNT_FILE=$KC_TMP/n \
        E2E_SHOTS=$ROOT/$SHOTS E2E_ADMIN_PW=$ADMIN_PW CHROMIUM=$CHROMIUM \
        E2E_TMP=$KC_TMP timeout 300 node "$t"
    st=$?
    n=$(cat "$KC_TMP/n" 2>/dev/null || echo 0)
    KC_N=$((KC_N + n))
    if [ $st -ne 0 ]; then
        KC_FAILED=$((KC_FAILED + 1))
        if [ "$n" -eq 0 ] || [ $st -ge 124 ]; then
            kc_check 1 "$(basename "$t") ran to the end (status $st)"
        fi
    fi
done

kc_stop
kc_check $? "server stops cleanly"
kc_done
