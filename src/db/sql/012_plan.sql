-- 012_plan.sql - plans (行动计划), their indicators and targets (年度分解表),
-- indicator source definitions, manual actuals, tasks (任务分工表) and the
-- staged imports of a plan's published tables. See docs/internals/plan.md.
--
-- Values of indicators are exact scaled integers: value_e4 is the value in
-- the indicator's own unit (家, 件, 亿元, 万元, %, 个, 人) times 10 000, so
-- 2.57 % is 25700 and 40 亿元 is 400000. NULL means "no figure" (the text
-- column then says why, e.g. 尚未开展), never zero. Portable SQL subset.

CREATE TABLE plans (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    doc_no TEXT,                    -- 文号
    issuer_unit_id INTEGER NOT NULL REFERENCES org_units (id),
    year_from INTEGER NOT NULL,
    year_to INTEGER NOT NULL,
    base_year INTEGER,              -- year whose figures are actuals
    period TEXT NOT NULL DEFAULT 'quarter', -- quarter | month
    note TEXT,
    retired_at TEXT,
    retire_reason TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (year_to >= year_from)
);

-- kind: stock (counted at a date, never summed over years), flow (summed
-- over the year), ratio (never summed). direction: 1 higher is better,
-- -1 lower is better.
CREATE TABLE plan_indicators (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans (id),
    seq INTEGER NOT NULL,
    name TEXT NOT NULL,
    unit TEXT NOT NULL,
    kind TEXT NOT NULL,
    direction INTEGER NOT NULL DEFAULT 1,
    base_e4 INTEGER,                -- base-year actual
    base_text TEXT,
    note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (plan_id, seq)
);

-- Targets per year; unit_id is the plan's issuing unit for the district
-- target, or the street / park / department the target is decomposed to.
CREATE TABLE plan_targets (
    id INTEGER PRIMARY KEY,
    indicator_id INTEGER NOT NULL REFERENCES plan_indicators (id),
    year INTEGER NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES org_units (id),
    value_e4 INTEGER,
    text TEXT,
    updated_at TEXT NOT NULL,
    UNIQUE (indicator_id, year, unit_id)
);

-- How an indicator's actual is computed: a source code and its parameters
-- (JSON), versioned. A figure names the version it was computed with; a
-- new definition is a new row (rows are never updated).
CREATE TABLE plan_sources (
    id INTEGER PRIMARY KEY,
    indicator_id INTEGER NOT NULL REFERENCES plan_indicators (id),
    version INTEGER NOT NULL,
    source TEXT NOT NULL,           -- qual_count | ip_invention | contracts |
                                    -- pipeline_stage | manual
    params TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    created_by INTEGER,
    UNIQUE (indicator_id, version)
);

-- Manual figures per period ("2022", "2022Q3", "2022-07") and unit, with
-- provenance and review (submitted -> accepted | returned).
CREATE TABLE plan_actuals (
    id INTEGER PRIMARY KEY,
    indicator_id INTEGER NOT NULL REFERENCES plan_indicators (id),
    unit_id INTEGER NOT NULL REFERENCES org_units (id),
    period TEXT NOT NULL,
    value_e4 INTEGER NOT NULL,
    note TEXT,
    evidence TEXT,                  -- attachment name / reference
    status TEXT NOT NULL DEFAULT 'submitted',
    src_user_id INTEGER,
    src_at TEXT NOT NULL,
    reviewed_by INTEGER,
    reviewed_at TEXT,
    review_note TEXT,
    UNIQUE (indicator_id, unit_id, period)
);

-- Tasks of the 任务分工表.
CREATE TABLE plan_tasks (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans (id),
    seq INTEGER NOT NULL,
    heading TEXT,
    title TEXT,
    content TEXT NOT NULL,
    due_text TEXT,
    due_on TEXT,
    judgement TEXT,                 -- reviewer: at_risk | done | NULL
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (plan_id, seq)
);

-- role: lead (牵头单位) or resp (责任单位); person: 责任人.
CREATE TABLE plan_task_units (
    id INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL REFERENCES plan_tasks (id),
    unit_id INTEGER NOT NULL REFERENCES org_units (id),
    role TEXT NOT NULL,
    person TEXT,
    UNIQUE (task_id, unit_id, role)
);
CREATE INDEX plan_task_units_unit ON plan_task_units (unit_id);

-- A published table read and checked but not yet written: the parsed
-- content (JSON) waits for the user's unit mapping and confirmation.
CREATE TABLE plan_imports (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans (id),
    kind TEXT NOT NULL,             -- targets | tasks
    file_name TEXT,
    parsed TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'preview', -- preview | applied
    created_by INTEGER,
    created_at TEXT NOT NULL,
    applied_at TEXT
);

-- Milestones (时间节点) of a task.
CREATE TABLE plan_milestones (
    id INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL REFERENCES plan_tasks (id),
    title TEXT NOT NULL,
    due_on TEXT NOT NULL,
    done_on TEXT
);

-- Progress reports per task, unit and period ("2022Q3" / "2022-07"):
-- a responsible unit files (filed), the lead unit consolidates the
-- period (consolidated), the office accepts (accepted, final) or returns
-- (returned: the units file again).
CREATE TABLE plan_reports (
    id INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL REFERENCES plan_tasks (id),
    unit_id INTEGER NOT NULL REFERENCES org_units (id),
    period TEXT NOT NULL,
    text TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'filed',
    filed_by INTEGER,
    filed_at TEXT NOT NULL,
    consolidated_at TEXT,
    reviewed_by INTEGER,
    reviewed_at TEXT,
    review_note TEXT,
    UNIQUE (task_id, unit_id, period)
);

-- 联席会议 of the member units: the problems raised; its decisions are
-- followed up as notices (plan_notices.meeting_id).
CREATE TABLE plan_meetings (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans (id),
    held_on TEXT NOT NULL,
    title TEXT NOT NULL,
    attendees TEXT,
    problems TEXT,
    created_by INTEGER,
    created_at TEXT NOT NULL
);

-- 督办 notices from the office to a unit (or decisions of a meeting),
-- with a deadline, answered by the unit and closed by the office.
CREATE TABLE plan_notices (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans (id),
    task_id INTEGER REFERENCES plan_tasks (id),
    meeting_id INTEGER REFERENCES plan_meetings (id),
    unit_id INTEGER NOT NULL REFERENCES org_units (id),
    text TEXT NOT NULL,
    deadline TEXT NOT NULL,
    issued_by INTEGER,
    issued_at TEXT NOT NULL,
    answer TEXT,
    answered_at TEXT,
    closed_at TEXT
);
CREATE INDEX plan_notices_unit ON plan_notices (unit_id);

-- Scoring schemes of the quarterly evaluation (weights as JSON),
-- versioned: a change is a new version, rows are never updated.
CREATE TABLE plan_schemes (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans (id),
    version INTEGER NOT NULL,
    weights TEXT NOT NULL,
    created_by INTEGER,
    created_at TEXT NOT NULL,
    UNIQUE (plan_id, version)
);

-- Quarterly evaluations: scores and ranks per unit (result JSON) computed
-- with a scheme version. A published evaluation is frozen: it is never
-- rewritten, and reports and figures for its quarter are refused; a
-- re-run is a new version.
CREATE TABLE plan_evals (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans (id),
    quarter TEXT NOT NULL,
    version INTEGER NOT NULL,
    scheme_version INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'draft',
    result TEXT NOT NULL,
    created_by INTEGER,
    created_at TEXT NOT NULL,
    published_by INTEGER,
    published_at TEXT,
    UNIQUE (plan_id, quarter, version)
);

-- Indicators a task contributes to; their completion feeds the task's
-- status.
CREATE TABLE plan_task_indicators (
    task_id INTEGER NOT NULL REFERENCES plan_tasks (id),
    indicator_id INTEGER NOT NULL REFERENCES plan_indicators (id),
    PRIMARY KEY (task_id, indicator_id)
);
