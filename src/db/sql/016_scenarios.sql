-- 016_scenarios.sql - saved scenarios of the policy sandbox: a named draft
-- rule text (with its evaluation date) kept for re-running and comparing.
-- A scenario belongs to the unit of the user who saved it (data scope:
-- unit_path) and remembers its newest run (a sandbox job, whose changes
-- are in sandbox_changes while the run is among the newest kept).
CREATE TABLE sandbox_scenarios (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    ruleset TEXT NOT NULL,
    ruleset_name TEXT NOT NULL,
    source TEXT NOT NULL,
    source_hash TEXT NOT NULL,
    as_of TEXT NOT NULL,
    note TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES org_units (id),
    unit_path TEXT NOT NULL,
    created_by INTEGER NOT NULL,
    created_by_name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_job_id INTEGER REFERENCES jobs (id),
    last_run_at TEXT
);
CREATE UNIQUE INDEX sandbox_scenarios_name ON sandbox_scenarios (unit_id, name);
CREATE INDEX sandbox_scenarios_path ON sandbox_scenarios (unit_path, id);
