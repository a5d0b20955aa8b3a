-- 011_pipeline.sql - the 四个一批 pipeline (遴选 -> 入库 -> 培育 -> 认定) and
-- the 包联 service log. See docs/internals/pipeline.md.
--
-- A batch (批次) targets one ladder tier (rule-set tier code: sme, hnte,
-- chuying ...) in one year. review_chain is a JSON array of the review
-- steps after a recommendation, in order: [{"role": "staff", "unit_id":
-- 1, "label": "科技局审核"}] (unit_id optional). Batches are closed, never
-- deleted.
CREATE TABLE pipeline_batches (
    id INTEGER PRIMARY KEY,
    tier TEXT NOT NULL,
    year INTEGER NOT NULL,
    name TEXT NOT NULL,
    review_chain TEXT NOT NULL,
    closed INTEGER NOT NULL DEFAULT 0,
    note TEXT,
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tier, year, name)
);

-- One enterprise in one batch. stage: selected (遴选), recommended
-- (awaiting review step review_step, 0-based), returned (退回), admitted
-- (入库), cultivating (培育), certified / not_certified (认定), withdrawn.
-- reached is the furthest stage reached (1 遴选, 2 入库, 3 培育, 4 认定
-- certified) for the funnel. unadmitted = 1 flags a 认定 recorded for an
-- enterprise that never was 入库. attempts counts 认定 outcomes.
CREATE TABLE pipeline_entries (
    id INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES pipeline_batches (id),
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    stage TEXT NOT NULL,
    reached INTEGER NOT NULL DEFAULT 1,
    review_step INTEGER NOT NULL DEFAULT 0,
    source TEXT NOT NULL,       -- screening / manual
    reason TEXT,               -- why added by hand
    ruleset TEXT,              -- screening: rule set of the decision
    rank INTEGER,              -- screening: position, closest first (1 ..)
    verdict TEXT,              -- screening: verdict when selected
    gaps TEXT,                 -- screening: gaps when selected
    attempts INTEGER NOT NULL DEFAULT 0,
    unadmitted INTEGER NOT NULL DEFAULT 0,
    outcome_reason TEXT,
    qualification_id INTEGER REFERENCES qualifications (id),
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (batch_id, enterprise_id)
);
CREATE INDEX pipeline_entries_ent ON pipeline_entries (enterprise_id);
-- The board (batch, stage) and the funnel read only these columns: the
-- index covers them, and enterprises_id_unit covers the enterprise's unit
-- (the funnel's scope and grouping), so counting 50,000 entries reads no
-- wide row (bench/pipeline: about half the time of the plain join).
CREATE INDEX pipeline_entries_batch ON pipeline_entries
    (batch_id, stage, reached, enterprise_id);
CREATE INDEX enterprises_id_unit ON enterprises (id, unit_id);

-- The journey: one row per transition (who, when, why), shown on the
-- enterprise's timeline; the audit log holds the same with before/after.
CREATE TABLE pipeline_events (
    id INTEGER PRIMARY KEY,
    entry_id INTEGER NOT NULL REFERENCES pipeline_entries (id),
    at TEXT NOT NULL,
    user_id INTEGER,
    user_name TEXT NOT NULL,
    action TEXT NOT NULL,
    from_stage TEXT,
    to_stage TEXT NOT NULL,
    step INTEGER,
    comment TEXT
);
CREATE INDEX pipeline_events_entry ON pipeline_events (entry_id, id);

-- Cultivation tasks (培育计划): one per gap of the rule engine for the
-- batch's tier (criterion + gap text), or added by hand. status: open /
-- done / dropped. due_on 'YYYY-MM-DD'.
CREATE TABLE pipeline_tasks (
    id INTEGER PRIMARY KEY,
    entry_id INTEGER NOT NULL REFERENCES pipeline_entries (id),
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    criterion TEXT,
    title TEXT NOT NULL,
    owner_user_id INTEGER REFERENCES users (id),
    due_on TEXT,
    status TEXT NOT NULL DEFAULT 'open',
    done_on TEXT,
    note TEXT,
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX pipeline_tasks_entry ON pipeline_tasks (entry_id);
CREATE INDEX pipeline_tasks_owner ON pipeline_tasks (owner_user_id, status);
CREATE INDEX pipeline_tasks_due ON pipeline_tasks (status, due_on);

-- Service log (服务记录): visits, meetings, calls, trainings, policy
-- briefings. kind: visit (走访) / meeting (座谈) / call (电话) / training
-- (培训) / briefing (政策宣讲) / other. unit_id: the organising unit (data
-- scope).
CREATE TABLE service_logs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    held_on TEXT NOT NULL,
    year INTEGER NOT NULL,
    title TEXT NOT NULL,
    topics TEXT,
    participants TEXT,
    unit_id INTEGER NOT NULL REFERENCES org_units (id),
    note TEXT,
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX service_logs_year ON service_logs (year, kind);
CREATE INDEX service_logs_unit ON service_logs (unit_id);

-- The enterprises a log concerns (attendance of a training).
CREATE TABLE service_log_enterprises (
    log_id INTEGER NOT NULL REFERENCES service_logs (id),
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    PRIMARY KEY (log_id, enterprise_id)
);
CREATE INDEX service_log_enterprises_ent ON service_log_enterprises
    (enterprise_id);

-- An enterprise's ask (诉求), followed up until closed. status: open /
-- closed. due_on: when an answer is due ('YYYY-MM-DD').
CREATE TABLE service_asks (
    id INTEGER PRIMARY KEY,
    log_id INTEGER REFERENCES service_logs (id),
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    content TEXT NOT NULL,
    handler_user_id INTEGER REFERENCES users (id),
    due_on TEXT,
    status TEXT NOT NULL DEFAULT 'open',
    closed_on TEXT,
    result TEXT,
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX service_asks_ent ON service_asks (enterprise_id);
CREATE INDEX service_asks_status ON service_asks (status, due_on);

CREATE TABLE service_ask_notes (
    id INTEGER PRIMARY KEY,
    ask_id INTEGER NOT NULL REFERENCES service_asks (id),
    at TEXT NOT NULL,
    user_id INTEGER,
    user_name TEXT NOT NULL,
    note TEXT NOT NULL
);
CREATE INDEX service_ask_notes_ask ON service_ask_notes (ask_id, id);
