-- 005_decisions.sql - eligibility: declarations (rule inputs the library
-- has no table for) and stored decisions (one current decision per
-- enterprise and rule set). See docs/internals/eligibility.md.

-- Declared values of rule input fields (src/rules/field.c names). One
-- current value per (enterprise, field, year); year 0 for scalar fields,
-- the accounting year for yearly ones (conversions). value is an integer
-- as the rule engine holds it (booleans 0/1, money in 元, dates as days
-- since 1970-01-01). valid_from/valid_to (civil dates, NULL = open) bound
-- when the value applies; outside the period a boolean reads as 0 (an
-- expired certificate) and any other value as missing. verified: 0
-- self-declared, 1 verified by bureau staff. History is in the audit log.
CREATE TABLE enterprise_declarations (
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
    src_at TEXT NOT NULL,
    PRIMARY KEY (enterprise_id, field, year)
) WITHOUT ROWID;

-- Rule-set versions decisions were made with: the 64-hex content hash is
-- stored once here, decisions refer to it by a small id.
CREATE TABLE decision_rulesets (
    id INTEGER PRIMARY KEY,
    ruleset TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (ruleset, hash)
);

-- The current decision per (enterprise, rule set id). unit_path is the
-- enterprise's unit path when decided (scope and unit filters as a
-- prefix range on the index). verdict is RULE_V_* (1 达标, 2 未达标,
-- 3 缺数据, 4 待专家评审, 5 待人工确认, 6 数据矛盾). rank orders "closest
-- first" (smaller is closer; see eligibility.md). outcomes has one
-- character per explanation row (Y met, N unmet, U unknown, E expert,
-- M manual, X conflict, I information); gaps the first unmet criteria's
-- gaps (capped). input_hash is the 32-byte SHA-256 of the rule input.
-- score_lo/score_hi are NULL when the set has no score or the data
-- contradict each other.
CREATE TABLE decisions (
    ruleset TEXT NOT NULL,
    enterprise_id INTEGER NOT NULL,
    unit_path TEXT NOT NULL,
    verdict INTEGER NOT NULL,
    rank INTEGER NOT NULL,
    unmet INTEGER NOT NULL,
    unknown INTEGER NOT NULL,
    score_lo INTEGER,
    score_hi INTEGER,
    rs_id INTEGER NOT NULL REFERENCES decision_rulesets (id),
    input_hash BLOB NOT NULL,
    as_of TEXT NOT NULL,
    evaluated_at TEXT NOT NULL,
    job_id INTEGER,
    outcomes TEXT NOT NULL,
    gaps TEXT,
    PRIMARY KEY (enterprise_id, ruleset)
) WITHOUT ROWID;
-- Keyed by enterprise first: a screening writes in enterprise order, so
-- the table is appended to (full pages) and one enterprise's decisions
-- are together; lists by rule set use the two indexes.
CREATE INDEX decisions_rank ON decisions (ruleset, rank);
CREATE INDEX decisions_unit ON decisions (ruleset, unit_path, verdict, rank);
