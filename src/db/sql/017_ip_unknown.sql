-- 017_ip_unknown.sql - a blank 用于主要产品 is not known, never 否.
--
-- ip_rights.main_product was NOT NULL DEFAULT 0, so a blank cell of an
-- import or an omitted API field became 否 and the rules counted the right
-- out of ip1/ip2 (a 未达标 that should have been 缺数据). It is nullable
-- now: 1 是, 0 否, NULL 未填, and the rules count such a right as "may
-- count" (an unknown within bounds, src/rules/rules.c rule_ip_count_add).
-- Rows written before this version keep their 0: whether it came from a
-- blank cannot be told any more (docs/admin.md says so).
--
-- SQLite cannot drop NOT NULL in place: the table is rebuilt with the same
-- columns and index (nothing refers to ip_rights). On PostgreSQL the same
-- change is ALTER COLUMN ... DROP NOT NULL, DROP DEFAULT.
CREATE TABLE ip_rights_new (
    id INTEGER PRIMARY KEY,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    kind TEXT NOT NULL,
    klass INTEGER NOT NULL CHECK (klass IN (1, 2)),
    defense INTEGER NOT NULL DEFAULT 0, -- 国防专利 (invention patents)
    number TEXT NOT NULL,
    title TEXT NOT NULL,
    applied_on TEXT,
    granted_on TEXT,
    expires_on TEXT,
    status TEXT NOT NULL DEFAULT 'valid', -- valid 有效 / lapsed 失效 /
                                           -- transferred 转让
    acquisition TEXT NOT NULL DEFAULT 'self', -- self 自主研发 / acquired 受让…
    acquired_on TEXT,
    main_product INTEGER, -- 用于主要产品: 1 是, 0 否, NULL 未填
    hnte_year INTEGER, -- year of the 高企 application that used it
    src_kind TEXT NOT NULL DEFAULT 'user',
    src_user_id INTEGER,
    src_ref INTEGER,
    src_at TEXT NOT NULL,
    verified INTEGER NOT NULL DEFAULT 0,
    retired_at TEXT,
    retire_reason TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (enterprise_id, kind, number)
);

INSERT INTO ip_rights_new (
    id, enterprise_id, kind, klass, defense, number, title, applied_on,
    granted_on, expires_on, status, acquisition, acquired_on, main_product,
    hnte_year, src_kind, src_user_id, src_ref, src_at, verified, retired_at,
    retire_reason, created_at, updated_at)
SELECT
    id, enterprise_id, kind, klass, defense, number, title, applied_on,
    granted_on, expires_on, status, acquisition, acquired_on, main_product,
    hnte_year, src_kind, src_user_id, src_ref, src_at, verified, retired_at,
    retire_reason, created_at, updated_at
FROM ip_rights;
DROP TABLE ip_rights;
ALTER TABLE ip_rights_new RENAME TO ip_rights;
CREATE INDEX ip_rights_class ON ip_rights (enterprise_id, klass, status,
                                           expires_on);
