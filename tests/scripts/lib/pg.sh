# pg.sh - a throwaway PostgreSQL cluster for the tests (sourced).
#
#   pg_find            sets PG_BIN to the server's bin directory, or returns
#                      1 when PostgreSQL is not installed
#   pg_start           initdb + pg_ctl start in a fresh temporary directory,
#                      on a free port, listening only on a Unix socket in
#                      that directory; sets PG_DIR and KC_TEST_PG (a libpq
#                      URI of the maintenance database "postgres") and
#                      exports KC_TEST_PG
#   pg_stop            stops the cluster and removes PG_DIR
#
# initdb refuses to run as root: as root the cluster belongs to the
# "postgres" system user (Debian's postgresql package creates it), run with
# runuser; otherwise to the invoking user. Authentication is "trust" on the
# socket only (the directory is private to the test). The cluster is
# UTF-8 with the C.UTF-8 locale: byte order like SQLite's, and CJK
# characters are word characters to pg_trgm.

pg_find() {
    PG_BIN=""
    for d in /usr/lib/postgresql/*/bin; do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
            PG_BIN=$d
        fi
    done
    [ -n "$PG_BIN" ]
}

# pg_as CMD...: run CMD as the cluster's owner.
pg_as() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u "$PG_OWNER" -- "$@"
    else
        "$@"
    fi
}

pg_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

pg_start() {
    pg_find || return 1
    PG_OWNER=$(id -un)
    if [ "$(id -u)" -eq 0 ]; then
        PG_OWNER=postgres
        id "$PG_OWNER" >/dev/null 2>&1 || {
            echo "pg.sh: 以 root 运行需要系统用户 postgres（安装 postgresql 软件包）" >&2
            return 1
        }
    fi
    PG_DIR=$(mktemp -d /tmp/kc_pg_XXXXXX) || return 1
    chmod 700 "$PG_DIR"
    [ "$(id -u)" -eq 0 ] && chown "$PG_OWNER" "$PG_DIR"
    PG_PORT=$(pg_free_port)
    if ! pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust \
        --encoding=UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1; then
        cat "$PG_DIR/initdb.log" >&2
        rm -rf "$PG_DIR"
        return 1
    fi
    # sockets in the test directory, no TCP; small and fast (fsync off:
    # a test cluster is thrown away)
    if ! pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
        -o "-c listen_addresses='' -c unix_socket_directories='$PG_DIR' \
-p $PG_PORT -c fsync=off -c synchronous_commit=off \
-c full_page_writes=off -c max_connections=200" start >/dev/null; then
        cat "$PG_DIR/server.log" >&2
        rm -rf "$PG_DIR"
        return 1
    fi
    KC_TEST_PG="postgresql:///postgres?host=$PG_DIR&port=$PG_PORT&user=postgres"
    export KC_TEST_PG
    return 0
}

pg_stop() {
    [ -n "${PG_DIR:-}" ] || return 0
    pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1
    rm -rf "$PG_DIR"
    PG_DIR=""
}
