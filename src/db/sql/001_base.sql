-- 001_base.sql - organisation tree, accounts, sessions, API tokens, audit.
--
-- Portable subset (SQLite and PostgreSQL): INTEGER PRIMARY KEY ids, TEXT
-- timestamps in ISO-8601 UTC ("2026-11-22T10:00:00Z", they sort as text),
-- booleans as INTEGER 0/1, partial indexes. Nothing is deleted in place:
-- units are retired, users disabled, sessions and tokens revoked.

-- The organisation tree: 区 → 街道 / 镇 / 园区 (→ 社区), plus 部门.
-- path is the materialized path of ids ("/1/4/"); a user of unit /1/4/
-- sees every unit whose path starts with /1/4/.
CREATE TABLE org_units (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES org_units (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    code TEXT,
    path TEXT NOT NULL UNIQUE,
    sort INTEGER NOT NULL DEFAULT 0,
    retired_at TEXT,
    retire_reason TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX org_units_parent ON org_units (parent_id);
CREATE UNIQUE INDEX org_units_live_name ON org_units (parent_id, name)
    WHERE retired_at IS NULL;

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role INTEGER NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES org_units (id),
    disabled INTEGER NOT NULL DEFAULT 0,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    last_login_at TEXT,
    password_changed_at TEXT
);
CREATE INDEX users_unit ON users (unit_id);
CREATE INDEX users_role ON users (role);

-- Browser sessions. The cookie carries a random token; only its SHA-256
-- (hex) is stored.
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    csrf TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id),
    addr TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Login throttling: one row per key ("user:NAME" or "addr:ADDRESS").
CREATE TABLE login_attempts (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL DEFAULT 0,
    last_failure_at TEXT,
    locked_until TEXT
);

-- API tokens ("kc_" + 43 characters); only the SHA-256 (hex) is stored,
-- prefix keeps the first characters for display.
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users (id),
    unit_id INTEGER NOT NULL REFERENCES org_units (id),
    role INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    last_used_at TEXT,
    revoked_at TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
CREATE INDEX api_tokens_unit ON api_tokens (unit_id);

-- The audit log: append-only and hash-chained (see docs/internals/
-- accounts.md). user_id is -1 for the command line, NULL when anonymous.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user_id INTEGER,
    username TEXT NOT NULL,
    addr TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id INTEGER NOT NULL,
    unit_path TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_user ON audit_log (user_id, id);
CREATE INDEX audit_log_action ON audit_log (action, id);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id, id);
CREATE INDEX audit_log_unit_path ON audit_log (unit_path);
