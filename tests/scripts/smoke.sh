#!/bin/sh
# smoke.sh - the real server over loopback with curl: routing errors, body
# caps, login and cookies, CSRF, security headers, static files (ETag, gzip,
# single-page-app fallback), the access log and a clean stop. TAP output.
# Needs BIN (set by tests/run.sh); runs in a temporary directory.
. "$(dirname "$0")/lib/kc.sh"

DB=$KC_TMP/k.db
ALOG=$KC_TMP/access.log

# --- command line ----------------------------------------------------------
"$BIN" --db "$KC_TMP/none.db" serve --listen 127.0.0.1:0 \
    >"$KC_TMP/o" 2>"$KC_TMP/e"
st=$?
[ $st -eq 1 ] && grep -q 'kechuang init' "$KC_TMP/e" &&
    [ ! -e "$KC_TMP/none.db" ]
kc_check $? "serve refuses a missing database and points at kechuang init"

"$BIN" serve --help >"$KC_TMP/o" 2>&1
kc_check $? "serve --help exits 0"
"$BIN" serve --bogus >"$KC_TMP/o" 2>&1
[ $? -eq 2 ]
kc_check $? "serve with an unknown option exits 2"

kc_init "$DB"
kc_check $? "init creates the database and prints the admin password"

printf 'GET /api/v1/healthz HTTP/1.1\r\nHost: x\r\n\r\n' |
    "$BIN" --db "$DB" http >"$KC_TMP/o" 2>"$KC_TMP/e" &&
    head -n 1 "$KC_TMP/o" | grep -q '^HTTP/1.1 200'
kc_check $? "kechuang http answers one request from stdin"

# --- server ------------------------------------------------------------------
if ! kc_start "$DB" --threads 2 --access-log "$ALOG"; then
    kc_check 1 "server starts and answers healthz"
    cat "$KC_TMP/serve.err" >&2
    kc_done
    exit 1
fi
kc_check 0 "server starts on 127.0.0.1:$KC_PORT and answers healthz"

kc_req GET /api/v1/healthz
[ "$KC_STATUS" = 200 ] && kc_header Content-Type | grep -q application/json
kc_check $? "GET /api/v1/healthz is 200 JSON"

csp=$(kc_header Content-Security-Policy)
echo "$csp" | grep -q "script-src 'self'" &&
    ! echo "$csp" | sed -n "s/.*script-src\([^;]*\).*/\1/p" |
        grep -q 'unsafe-inline' &&
    echo "$csp" | grep -q "frame-ancestors 'none'"
kc_check $? "CSP: script-src without 'unsafe-inline', frame-ancestors 'none'"
[ "$(kc_header X-Content-Type-Options)" = nosniff ] &&
    [ -n "$(kc_header Referrer-Policy)" ]
kc_check $? "X-Content-Type-Options: nosniff and Referrer-Policy"

kc_req GET /api/v1/no-such-thing
[ "$KC_STATUS" = 404 ] && grep -q '"error"' "$KC_TMP/b"
kc_check $? "unknown API route is 404 with a JSON error"

kc_req DELETE /api/v1/healthz
[ "$KC_STATUS" = 405 ] && kc_header Allow | grep -q GET
kc_check $? "wrong method is 405 with Allow"

# Headers promise 2 MB and no byte follows: only an answer given before the
# body is read comes back within the time limit.
kc_req POST /api/v1/session -H 'Content-Type: application/json' \
    -H 'Content-Length: 2097152' --max-time 5
[ "$KC_STATUS" = 413 ] && grep -q '"too_big"' "$KC_TMP/b"
kc_check $? "Content-Length 2 MB is answered 413 without reading the body"

head -c 1200000 /dev/zero | tr '\0' ' ' >"$KC_TMP/big"
kc_req POST /api/v1/session -H 'Content-Type: application/json' \
    -H 'Transfer-Encoding: chunked' --data-binary @"$KC_TMP/big"
[ "$KC_STATUS" = 413 ]
kc_check $? "chunked body past the cap is 413"

kc_req GET /api/v1/users
[ "$KC_STATUS" = 401 ]
kc_check $? "GET /api/v1/users without a session is 401"

kc_login
kc_check $? "login as $KC_USER returns a session cookie and a CSRF token"
sc=$(kc_header Set-Cookie)
echo "$sc" | grep -q 'HttpOnly' && echo "$sc" | grep -q 'SameSite=Strict' &&
    echo "$sc" | grep -q 'Path=/' && ! echo "$sc" | grep -q 'Secure'
kc_check $? "session cookie is HttpOnly, SameSite=Strict, Path=/ (no Secure on http)"

kc_req GET '/api/v1/users?page=1' -H "Cookie: $KC_COOKIE"
[ "$KC_STATUS" = 200 ] && grep -q '"items"' "$KC_TMP/b"
kc_check $? "GET /api/v1/users with the cookie lists users"

kc_req POST /api/v1/users -H "Cookie: $KC_COOKIE" \
    -H 'Content-Type: application/json' --data-binary '{}'
[ "$KC_STATUS" = 403 ] && grep -q csrf "$KC_TMP/b"
kc_check $? "POST without X-CSRF-Token is 403"

kc_req POST /api/v1/users -H "Cookie: $KC_COOKIE" -H "X-CSRF-Token: x$KC_CSRF" \
    -H 'Content-Type: application/json' --data-binary '{}'
[ "$KC_STATUS" = 403 ]
kc_check $? "POST with a wrong X-CSRF-Token is 403"

kc_req POST /api/v1/users -H "Cookie: $KC_COOKIE" -H "X-CSRF-Token: $KC_CSRF" \
    -H 'Content-Type: application/json' --data-binary '{"nonsense":1}'
[ "$KC_STATUS" = 400 ]
kc_check $? "POST with the CSRF token reaches the handler (400 for a bad body)"

# --- static files --------------------------------------------------------------
kc_req GET /
etag=$(kc_header ETag)
[ "$KC_STATUS" = 200 ] && kc_header Content-Type | grep -q text/html &&
    [ -n "$etag" ] && [ "$(kc_header Cache-Control)" = no-cache ] &&
    grep -qi '<html' "$KC_TMP/b"
kc_check $? "/ serves the HTML page with an ETag and Cache-Control: no-cache"
kc_header Content-Security-Policy | grep -q "frame-ancestors 'none'"
kc_check $? "the HTML page carries the security headers"

kc_req GET / -H "If-None-Match: $etag"
[ "$KC_STATUS" = 304 ] && ! [ -s "$KC_TMP/b" ]
kc_check $? "If-None-Match with the ETag is 304 without a body"

kc_req GET /index.html -H 'Accept-Encoding: gzip'
[ "$KC_STATUS" = 200 ] && [ "$(kc_header Content-Encoding)" = gzip ] &&
    kc_header Vary | grep -q Accept-Encoding &&
    gzip -dc <"$KC_TMP/b" | grep -qi '<html'
kc_check $? "Accept-Encoding: gzip gets the gzip copy (Vary: Accept-Encoding)"

kc_req GET /index.html -H 'Accept-Encoding: gzip;q=0, br'
[ "$KC_STATUS" = 200 ] && [ -z "$(kc_header Content-Encoding)" ]
kc_check $? "gzip;q=0 gets the plain file"

kc_req GET /enterprises/42/edit
[ "$KC_STATUS" = 200 ] && grep -qi '<html' "$KC_TMP/b"
kc_check $? "single-page-app route without extension serves index.html"

kc_req GET /assets/missing-1234.js
[ "$KC_STATUS" = 404 ]
kc_check $? "missing file with an extension is 404"

kc_req GET '/a/%2e%2e/%2e%2e/etc/passwd'
[ "$KC_STATUS" = 400 ]
kc_check $? "encoded dot-dot path is 400"

kc_req POST /index.html --data-binary x
[ "$KC_STATUS" = 405 ] && kc_header Allow | grep -q 'GET, HEAD'
kc_check $? "POST to a static file is 405 with Allow: GET, HEAD"

kc_req HEAD / -I
[ "$KC_STATUS" = 200 ] && ! grep -qi '<html' "$KC_TMP/b"
kc_check $? "HEAD / is 200 without a body"

# --- keep-alive: two requests on one connection ------------------------------
curl -sv --max-time 10 -o /dev/null -o /dev/null "$KC_URL/api/v1/healthz" \
    "$KC_URL/api/v1/healthz" 2>"$KC_TMP/v"
[ "$(grep -c '^\* Connected to' "$KC_TMP/v")" -eq 1 ]
kc_check $? "keep-alive: two requests share one connection"

# --- logout ----------------------------------------------------------------
kc_req DELETE /api/v1/session -H "Cookie: $KC_COOKIE" -H "X-CSRF-Token: $KC_CSRF"
case $KC_STATUS in 200 | 204) st=0 ;; *) st=1 ;; esac
kc_req GET /api/v1/users -H "Cookie: $KC_COOKIE"
[ $st -eq 0 ] && [ "$KC_STATUS" = 401 ]
kc_check $? "after logout the cookie no longer works"

# --- stop ----------------------------------------------------------------------
kc_stop TERM
kc_check $? "SIGTERM stops the server cleanly (exit 0)"

grep -q '"GET /api/v1/healthz" 200 ' "$ALOG" &&
    grep -q '"POST /api/v1/session" 413 ' "$ALOG"
kc_check $? "access log has one line per request with status"
! grep -q "${KC_COOKIE#kc_session=}" "$ALOG" && ! grep -q "$KC_CSRF" "$ALOG"
kc_check $? "access log holds no session cookie or CSRF token"

kc_done
