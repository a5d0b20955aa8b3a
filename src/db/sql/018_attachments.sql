-- 018_attachments.sql - files attached to records (佐证材料): a task's
-- progress report, a manual figure. See docs/internals/attach.md.
--
-- owner_type names the record kind (plan_report, plan_actual), owner_id
-- its id; unit_path is the owner's unit when the file was added (the data
-- scope of the file). The content is kept in the database, so a backup,
-- `migrate --to` and several app servers on one PostgreSQL all carry it.
-- A deleted file keeps its row and content (deleted_at, the audit log
-- names who and why); lists leave it out.
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    owner_type TEXT NOT NULL,
    owner_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    mime TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    unit_path TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    deleted_at TEXT,
    deleted_by INTEGER REFERENCES users (id),
    delete_reason TEXT
);
CREATE INDEX attachments_owner ON attachments (owner_type, owner_id);
