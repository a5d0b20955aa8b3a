-- 004_import.sql - imports of the enterprise library: the stored error
-- report of each import job and the conflicts an import found between its
-- values and values entered or verified by users.
--
-- An import is a job (003_jobs.sql, kind 'import.<kind>'); its uploaded
-- file is staged beside the database file until the job ends (see
-- docs/internals/import.md). Rows written by an import carry src_kind
-- 'import' and src_ref = the job id (002_enterprise.sql).

-- Per-row, per-column messages of the last validation of an import (the
-- first IMPORT_ERRORS_STORED of them; the job result counts all).
CREATE TABLE import_errors (
    job_id INTEGER NOT NULL REFERENCES jobs (id),
    seq INTEGER NOT NULL,
    row_no INTEGER NOT NULL,   -- spreadsheet row (header row = its own no.)
    col_title TEXT,            -- template column title, NULL = whole row
    field TEXT,                -- column key
    message TEXT NOT NULL,     -- zh-CN
    PRIMARY KEY (job_id, seq)
);

-- A value an import did not write because the stored one was entered by a
-- user (src_kind 'user') or verified. Both are kept; staff decide.
-- target_table/target_id/field name the stored value (field is a column of
-- that table, checked against the import column registry when resolving).
-- incoming_db is the value as it would be stored (text of an integer for
-- integer columns). status: open, resolved; resolution: keep, incoming.
-- Lists are scoped through the enterprise's unit.
CREATE TABLE import_conflicts (
    id INTEGER PRIMARY KEY,
    job_id INTEGER REFERENCES jobs (id), -- NULL: an import without a job
    kind TEXT NOT NULL,              -- enterprises, figures, ip, facts
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    year INTEGER NOT NULL DEFAULT 0, -- figures: the year, else 0
    target_table TEXT NOT NULL,
    target_id INTEGER NOT NULL,
    field TEXT NOT NULL,
    col_title TEXT NOT NULL,
    row_no INTEGER NOT NULL,         -- row of the imported file
    existing_value TEXT,             -- as shown in the template
    existing_src_kind TEXT NOT NULL,
    existing_src_user_id INTEGER,
    existing_src_ref INTEGER,
    existing_verified INTEGER NOT NULL DEFAULT 0,
    incoming_value TEXT,             -- as shown in the template
    incoming_db TEXT,
    status TEXT NOT NULL DEFAULT 'open',
    resolution TEXT,
    resolved_by INTEGER REFERENCES users (id),
    resolved_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX import_conflicts_status ON import_conflicts (status, id);
CREATE INDEX import_conflicts_ent ON import_conflicts (enterprise_id);
CREATE INDEX import_conflicts_job ON import_conflicts (job_id);
