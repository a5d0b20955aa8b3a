# kc.sh - helpers shared by tests/scripts/*.sh (POSIX sh, sourced).
#
# Expects BIN (the kechuang binary). Provides TAP output, a temporary
# directory removed at exit, a server started on a free loopback port and
# always stopped, and small curl wrappers. Every wait is bounded.

BIN=${BIN:-build/kechuang}
KC_N=0
KC_FAILED=0
KC_PID=""
KC_TMP=$(mktemp -d "${TMPDIR:-/tmp}/kc-test.XXXXXX") || exit 1

kc_cleanup() {
    if [ -n "$KC_PID" ]; then
        kill -9 "$KC_PID" 2>/dev/null
        wait "$KC_PID" 2>/dev/null
    fi
    rm -rf "$KC_TMP"
}
trap kc_cleanup EXIT
trap 'exit 1' INT TERM HUP

# ok COND_STATUS DESCRIPTION: TAP line from the status of the last command.
kc_check() {
    st=$1
    shift
    KC_N=$((KC_N + 1))
    if [ "$st" -eq 0 ]; then
        echo "ok $KC_N - $*"
    else
        echo "not ok $KC_N - $*"
        KC_FAILED=$((KC_FAILED + 1))
    fi
}

kc_skip() {
    KC_N=$((KC_N + 1))
    echo "ok $KC_N - $* # SKIP"
}

kc_done() {
    echo "1..$KC_N"
    if [ "$KC_FAILED" -gt 0 ] && [ -s "$KC_TMP/serve.err" ]; then
        echo "# server stderr:"
        sed 's/^/# /' "$KC_TMP/serve.err" | tail -n 40
    fi
    [ "$KC_FAILED" -eq 0 ]
}

# kc_init DB: initialise DB; sets KC_USER and KC_PASS from the output of
# `kechuang init` ("管理员账号：admin  初始密码：XXXX": the password ends
# the line that holds 密码, the user name follows 账号).
kc_init() {
    "$BIN" --db "$1" init >"$KC_TMP/init.out" 2>"$KC_TMP/init.err" || return 1
    KC_PASS=$(grep -i '密码\|password' "$KC_TMP/init.out" | head -n 1 |
        sed 's/.*[：:][[:space:]]*//' | awk '{print $NF}')
    KC_USER=$(sed -n 's/.*\(账号\|用户名\)[：:][[:space:]]*\([A-Za-z0-9_.-]*\).*/\2/p' \
        "$KC_TMP/init.out" | head -n 1)
    [ -n "$KC_USER" ] || KC_USER=admin
    [ -n "$KC_PASS" ]
}

# kc_start [--config FILE] [--data-dir DIR] [--log LEVEL] DB [ARGS...]:
# serve DB on 127.0.0.1 with a port the kernel picks (the listen line
# tells which), with that configuration file, data directory and log
# level (KECHUANG_LOG; default: the caller's) and ARGS after serve; sets
# KC_PID, KC_PORT and KC_URL once the server answers /healthz.
kc_start() {
    kc_conf=""
    kc_dir=""
    kc_log=${KECHUANG_LOG:-}
    while :; do
        case $1 in
        --config) kc_conf=$2 ;;
        --data-dir) kc_dir=$2 ;;
        --log) kc_log=$2 ;;
        *) break ;;
        esac
        shift 2
    done
    db=$1
    shift
    : >"$KC_TMP/serve.out"
    KECHUANG_LOG=$kc_log "$BIN" --db "$db" \
        ${kc_conf:+--config "$kc_conf"} ${kc_dir:+--data-dir "$kc_dir"} \
        serve --listen 127.0.0.1:0 "$@" \
        >"$KC_TMP/serve.out" 2>>"$KC_TMP/serve.err" &
    KC_PID=$!
    i=0
    KC_PORT=""
    while [ $i -lt 100 ]; do
        KC_PORT=$(sed -n 's|.*http://127\.0\.0\.1:\([0-9][0-9]*\)/.*|\1|p' \
            "$KC_TMP/serve.out" | head -n 1)
        [ -n "$KC_PORT" ] && break
        kill -0 "$KC_PID" 2>/dev/null || break
        sleep 0.1
        i=$((i + 1))
    done
    [ -n "$KC_PORT" ] || return 1
    KC_URL="http://127.0.0.1:$KC_PORT"
    i=0
    while [ $i -lt 50 ]; do
        curl -s -o /dev/null --max-time 2 "$KC_URL/api/v1/healthz" && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# kc_stop [SIGNAL]: stop the server, wait (at most 10 s); status 0 when it
# exited by itself with status 0.
kc_stop() {
    [ -n "$KC_PID" ] || return 1
    kill "-${1:-TERM}" "$KC_PID" 2>/dev/null
    i=0
    while [ $i -lt 100 ] && kill -0 "$KC_PID" 2>/dev/null; do
        sleep 0.1
        i=$((i + 1))
    done
    if kill -0 "$KC_PID" 2>/dev/null; then
        kill -9 "$KC_PID" 2>/dev/null
        wait "$KC_PID" 2>/dev/null
        KC_PID=""
        return 1
    fi
    wait "$KC_PID"
    st=$?
    KC_PID=""
    return $st
}

# kc_req METHOD PATH [CURL ARGS...]: request; status code in KC_STATUS,
# headers in $KC_TMP/h, body in $KC_TMP/b.
kc_req() {
    m=$1
    p=$2
    shift 2
    rm -f "$KC_TMP/h" "$KC_TMP/b" # curl leaves the old file when no body
    KC_STATUS=$(curl -s --max-time 10 -X "$m" -D "$KC_TMP/h" \
        -o "$KC_TMP/b" -w '%{http_code}' "$@" "$KC_URL$p")
}

# kc_header NAME: value of a response header of the last kc_req (CR cut).
kc_header() {
    grep -i "^$1:" "$KC_TMP/h" | head -n 1 | sed 's/^[^:]*:[[:space:]]*//' |
        tr -d '\r'
}

# kc_json_str FIELD FILE: a string field from JSON (flat enough for sed).
kc_json_str() {
    sed -n "s/.*\"$1\"[[:space:]]*:[[:space:]]*\"\\([^\"]*\\)\".*/\\1/p" "$2" |
        head -n 1
}

# kc_login: log in as KC_USER; sets KC_COOKIE ("kc_session=...") and
# KC_CSRF. Headers of the answer stay in $KC_TMP/h. A user who must change
# the password (the admin of `kechuang init`) changes it first (KC_PASS
# gets the new one), as the API allows nothing else before that.
kc_login() {
    printf '{"username":"%s","password":"%s"}' "$KC_USER" "$KC_PASS" \
        >"$KC_TMP/login.json"
    kc_req POST /api/v1/session -H 'Content-Type: application/json' \
        --data-binary @"$KC_TMP/login.json"
    [ "$KC_STATUS" = 200 ] || return 1
    cp "$KC_TMP/h" "$KC_TMP/login.h"
    KC_COOKIE=$(kc_header Set-Cookie | sed 's/;.*//')
    KC_CSRF=$(kc_json_str csrf_token "$KC_TMP/b")
    [ -n "$KC_COOKIE" ] && [ -n "$KC_CSRF" ] || return 1
    if grep -q '"must_change_password"[[:space:]]*:[[:space:]]*true' \
        "$KC_TMP/b"; then
        printf '{"old_password":"%s","new_password":"%sNew9"}' "$KC_PASS" \
            "$KC_PASS" >"$KC_TMP/pw.json"
        kc_req PUT /api/v1/session/password -H "Cookie: $KC_COOKIE" \
            -H "X-CSRF-Token: $KC_CSRF" -H 'Content-Type: application/json' \
            --data-binary @"$KC_TMP/pw.json"
        [ "$KC_STATUS" = 204 ] || return 1
        KC_PASS="${KC_PASS}New9"
    fi
    cp "$KC_TMP/login.h" "$KC_TMP/h"
}
