-- 020_catalogue.sql - declarations become an import kind.
--
-- enterprise_declarations is written by the import engine as well as by
-- the declarations API (src/domain/io/import.c, kind "declarations"). The
-- engine addresses a row by id and keeps the provenance columns every
-- imported table has (src_ref = the import job, created_at, updated_at,
-- retired_at, which stays NULL: a declaration is replaced, never retired).
-- (enterprise_id, field, year) stays unique. SQLite cannot add an id to a
-- WITHOUT ROWID table: the table is rebuilt with the same rows.
CREATE TABLE enterprise_declarations_new (
    id INTEGER PRIMARY KEY,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    field TEXT NOT NULL,
    year INTEGER NOT NULL DEFAULT 0,
    value INTEGER NOT NULL,
    valid_from TEXT,
    valid_to TEXT,
    verified INTEGER NOT NULL DEFAULT 0,
    note TEXT,
    src_kind TEXT NOT NULL DEFAULT 'user',
    src_user_id INTEGER,
    src_ref INTEGER,
    src_at TEXT NOT NULL,
    retired_at TEXT,
    created_at TEXT,
    updated_at TEXT,
    UNIQUE (enterprise_id, field, year)
);

INSERT INTO enterprise_declarations_new (
    enterprise_id, field, year, value, valid_from, valid_to, verified, note,
    src_kind, src_user_id, src_at, created_at, updated_at)
SELECT
    enterprise_id, field, year, value, valid_from, valid_to, verified, note,
    src_kind, src_user_id, src_at, src_at, src_at
FROM enterprise_declarations;
DROP TABLE enterprise_declarations;
ALTER TABLE enterprise_declarations_new RENAME TO enterprise_declarations;

-- The bureau's catalogue of restricted / eliminated / prohibited
-- industries (产业结构调整指导目录（2024年本）限制类、淘汰类；市场准入负面清单
-- 禁止类), keyed by a GB/T 4754 industry code that is matched as a prefix of
-- an enterprise's 行业代码 ("C33" matches "C3311"). An enterprise with a
-- matching entry gets the rule input prohibited_industry = 1 with the entry
-- named in the explanation (src/domain/eligibility/catalogue.c); no match
-- derives nothing (the catalogue lists products and processes, not whole
-- industries). class: restricted 限制类, eliminated 淘汰类, prohibited 禁止类.
-- unverified = 1 where mapping the item to the code is the bureau's own
-- reading. The table ships empty: entries come from the import.
CREATE TABLE industry_catalogue (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL,
    class TEXT NOT NULL,
    item TEXT NOT NULL,
    source TEXT NOT NULL,
    doc_no TEXT,
    unverified INTEGER NOT NULL DEFAULT 1,
    note TEXT,
    src_user_id INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (code, class, item)
);
CREATE INDEX industry_catalogue_code ON industry_catalogue (code);
