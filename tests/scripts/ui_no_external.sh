#!/bin/sh
# ui_no_external.sh - the built web UI (web/dist) names no external URL: no
# CDN, no web font, no link that a browser would fetch. Allowed: URLs inside
# license comments (/*! ... */ or comments holding @license) and the W3C
# namespace identifiers (SVG xmlns, XLink, MathML, XHTML), which are names,
# never fetched. The checker is first run on two made-up files so that a
# checker which cannot fail fails this test. TAP output.
DIST=${DIST:-web/dist}
N=0
FAILED=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/kc-uiext.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT

check() {
    N=$((N + 1))
    if [ "$1" -eq 0 ]; then
        echo "ok $N - $2"
    else
        echo "not ok $N - $2"
        FAILED=$((FAILED + 1))
    fi
}

# scan DIR: prints "file: url" for every external URL; status 1 if any.
scan() {
    find "$1" -type f \( -name '*.js' -o -name '*.mjs' -o -name '*.css' \
        -o -name '*.html' -o -name '*.svg' -o -name '*.json' \
        -o -name '*.webmanifest' -o -name '*.txt' \) | LC_ALL=C sort |
        while IFS= read -r f; do
            perl -0777 -ne '
                # license comments: /*! ... */ and /* ... @license ... */
                s{/\*!.*?\*/}{}gs;
                s{/\*(?:(?!\*/).)*\@license(?:(?!\*/).)*\*/}{}gs;
                # W3C namespace names (not fetched)
                s{https?://www\.w3\.org/(?:2000/svg|1999/xlink|1998/Math/MathML|1999/xhtml|XML/1998/namespace|2000/xmlns/?)(?![\w/.-])}{}g;
                while (m{(https?://[^\s"'"'"'`()<>\\]*)}g) { print "$ARGV: $1\n"; }
            ' "$f"
        done >"$TMP/found.$$"
    cat "$TMP/found.$$"
    [ ! -s "$TMP/found.$$" ]
}

# --- the checker must be able to fail ----------------------------------------
mkdir -p "$TMP/bad" "$TMP/good"
printf 'const f="https://cdn.example.com/vue.js";\n' >"$TMP/bad/a.js"
printf '@font-face{src:url(http://fonts.example.net/x.woff2)}\n' >"$TMP/bad/b.css"
printf '/*! lib v1 | MIT | https://example.com/LICENSE */\nconst ns="http://www.w3.org/2000/svg";\n' \
    >"$TMP/good/c.js"
printf '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"/>\n' \
    >"$TMP/good/d.svg"
n=$(scan "$TMP/bad" | wc -l)
[ "$n" -eq 2 ]
check $? "checker finds a script URL and a font URL in made-up files"
scan "$TMP/good" >/dev/null
check $? "checker accepts license comments and SVG namespaces"

# --- the real build ----------------------------------------------------------
if [ ! -f "$DIST/index.html" ]; then
    echo "# $DIST/index.html is missing: build the UI (make, after make deps)" >&2
    check 1 "web/dist exists"
else
    check 0 "web/dist exists"
    scan "$DIST" >"$TMP/real"
    st=$?
    sed 's/^/# /' "$TMP/real" | head -20
    check $st "web/dist names no external URL"
    grep -q '<script[^>]*type="module"[^>]*src="/assets/' "$DIST/index.html" &&
        ! grep -q '<script>' "$DIST/index.html"
    check $? "index.html loads its script from /assets/ (no inline script)"
    ls "$DIST"/assets/*-*.js >/dev/null 2>&1 &&
        ! ls "$DIST"/assets/ | grep -v -- '-[A-Za-z0-9_-]\{8\}\.[a-z0-9]*$' | grep -q .
    check $? "every file under /assets/ has a hashed name"
fi

echo "1..$N"
[ "$FAILED" -eq 0 ]
