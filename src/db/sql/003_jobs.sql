-- 003_jobs.sql - background jobs (imports, whole-district screening).
--
-- Status changes are committed as they happen; live progress is kept in
-- the running process (src/domain/job.c) and only the last figures are
-- stored when the job ends. unit_path is the creator's scope when the job
-- was created: actors whose scope contains it may see the job.
-- status: queued, running, done, failed, cancelled, or a resting status a
-- two-step job names (an import's "validated").

CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued',
    phase TEXT,
    created_by INTEGER REFERENCES users (id),
    created_by_name TEXT NOT NULL,
    unit_path TEXT NOT NULL,
    params TEXT,          -- JSON object
    result TEXT,          -- JSON object
    error_code TEXT,
    error_message TEXT,
    progress_done INTEGER NOT NULL DEFAULT 0,
    progress_total INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX jobs_kind ON jobs (kind, id);
CREATE INDEX jobs_status ON jobs (status);
