-- 007_sandbox.sql - the policy sandbox: a draft rule set evaluated over
-- the library next to the rule set in force, without touching decisions.
--
-- One sandbox_runs row per sandbox job (the draft's text, its hash, the
-- rule set it was compared with and the as-of date); sandbox_changes holds
-- the enterprises whose verdict or score range differs between the two,
-- with the enterprise's unit at the time of the run. Only the newest
-- SANDBOX_KEEP_RUNS runs (src/domain/sandbox.h) keep their rows: creating
-- a run deletes the rows of older ones (the jobs themselves stay).
-- verdicts are RULE_V_* (1 达标 ... 6 数据矛盾); scores are NULL when the
-- rule set has no total.

CREATE TABLE sandbox_runs (
    job_id INTEGER PRIMARY KEY REFERENCES jobs (id),
    ruleset TEXT NOT NULL,
    against TEXT NOT NULL,
    draft_hash TEXT NOT NULL,
    current_hash TEXT NOT NULL,
    as_of TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE sandbox_changes (
    job_id INTEGER NOT NULL REFERENCES sandbox_runs (job_id),
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    unit_id INTEGER NOT NULL REFERENCES org_units (id),
    verdict_before INTEGER NOT NULL,
    verdict_after INTEGER NOT NULL,
    score_before_lo INTEGER,
    score_before_hi INTEGER,
    score_after_lo INTEGER,
    score_after_hi INTEGER,
    PRIMARY KEY (job_id, enterprise_id)
);
CREATE INDEX sandbox_changes_unit
    ON sandbox_changes (job_id, unit_id, verdict_before, verdict_after);
