-- 008_decision_cols.sql - stored decisions as columns.
--
-- A screening decides every enterprise of its scope at once, and lists,
-- counts and exports read whole rule sets; a row per decision made the
-- first screening of a large library a matter of inserting millions of
-- index entries. The current decisions of one rule set are now one
-- decision_sets row and one blob per column in decision_cols (layout in
-- src/domain/dec_cols.h): rows in ascending enterprise id, each column
-- little-endian fixed width. A screening of a unit rewrites the columns
-- in one transaction, keeping the rows of the other units.
--
-- decision_runs holds what rows share: the rule-set version, the as-of
-- date, when and by which job the decision was made. A row keeps the run
-- that first made its decision while a re-screen finds it unchanged.
--
-- Decisions are derived data (rule set + enterprise data + as-of date);
-- those stored row by row before this version are dropped here and come
-- back with the next screening (the audit log keeps the screenings).

DROP INDEX decisions_rank;
DROP INDEX decisions_unit;
DROP TABLE decisions;

CREATE TABLE decision_sets (
    ruleset TEXT PRIMARY KEY,
    token INTEGER NOT NULL,  -- changes with every write: readers' cache key
    n INTEGER NOT NULL       -- rows
);

CREATE TABLE decision_cols (
    id INTEGER PRIMARY KEY,
    ruleset TEXT NOT NULL REFERENCES decision_sets (ruleset),
    col TEXT NOT NULL,
    data BLOB NOT NULL,
    UNIQUE (ruleset, col)
);

CREATE TABLE decision_runs (
    id INTEGER PRIMARY KEY,
    ruleset TEXT NOT NULL,
    rs_id INTEGER NOT NULL REFERENCES decision_rulesets (id),
    as_of TEXT NOT NULL,
    evaluated_at TEXT NOT NULL,
    job_id INTEGER
);
CREATE INDEX decision_runs_ruleset ON decision_runs (ruleset);

-- Retired enterprises stay in the columns until the next screening;
-- readers leave them out through this (small) index.
CREATE INDEX enterprises_retired ON enterprises (id)
    WHERE retired_at IS NOT NULL;
