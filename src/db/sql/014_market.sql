-- 014_market.sql - technology market: registered technology contracts
-- (技术合同认定登记) and their events.
--
-- A contract row is the current view of the registration; it is derived
-- from the append-only contract_events (register, amend, cancel, reject):
-- every change appends an event carrying the fields before and after and
-- updates the row in the same transaction (src/domain/market/contract.c).
-- Money in 元; dates 'YYYY-MM-DD'. unit_id is the seller's unit (the
-- enterprise matched in the library) or the district root when the seller
-- is not in the library: data scope follows the seller.

CREATE TABLE contracts (
    id INTEGER PRIMARY KEY,
    reg_no TEXT NOT NULL UNIQUE,      -- 登记编号
    title TEXT NOT NULL,              -- 合同名称
    type TEXT NOT NULL,               -- KF ZR XK ZX FW (民法典 classes)
    subtype TEXT,                     -- sub-type code of the type
    legacy_type TEXT,                 -- type label of a pre-2021 record
    seller_uscc TEXT,
    seller_name TEXT NOT NULL,
    seller_region TEXT,               -- region code (4/6 digits, 3 abroad)
    seller_place TEXT NOT NULL,       -- district tianjin domestic abroad
    seller_ent_id INTEGER REFERENCES enterprises (id),
    buyer_uscc TEXT,
    buyer_name TEXT NOT NULL,
    buyer_region TEXT,
    buyer_place TEXT NOT NULL,
    buyer_ent_id INTEGER REFERENCES enterprises (id),
    amount INTEGER NOT NULL,          -- 合同成交额
    tech_amount INTEGER NOT NULL,     -- 技术交易额
    signed_on TEXT NOT NULL,
    registered_on TEXT NOT NULL,
    valid_from TEXT,
    valid_to TEXT,
    field INTEGER,                    -- 技术领域 (market.h)
    ip_kind TEXT,                     -- 涉及的知识产权
    office TEXT,                      -- 登记机构
    status TEXT NOT NULL,             -- registered cancelled rejected
    large_confirmed INTEGER NOT NULL DEFAULT 0,
    unit_id INTEGER NOT NULL REFERENCES org_units (id),
    src_kind TEXT NOT NULL DEFAULT 'user',
    src_ref INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX contracts_reg ON contracts (registered_on);
CREATE INDEX contracts_unit ON contracts (unit_id, registered_on);
CREATE INDEX contracts_seller_ent ON contracts (seller_ent_id);
CREATE INDEX contracts_buyer_ent ON contracts (buyer_ent_id);
-- covering index of the statistics (a period's rows without the table)
CREATE INDEX contracts_stats ON contracts (registered_on, status, unit_id,
    amount, tech_amount, type, field, buyer_place, seller_place);
CREATE INDEX contracts_seller_uscc ON contracts (seller_uscc);
CREATE INDEX contracts_seller_name ON contracts (seller_name);

CREATE TABLE contract_events (
    id INTEGER PRIMARY KEY,
    contract_id INTEGER NOT NULL REFERENCES contracts (id),
    kind TEXT NOT NULL,               -- register amend cancel reject
    on_date TEXT NOT NULL,            -- date of the registration act
    reason TEXT,
    before_json TEXT,
    after_json TEXT,
    user_id INTEGER,
    src_ref INTEGER,                  -- the import that wrote it
    at TEXT NOT NULL
);
CREATE INDEX contract_events_contract ON contract_events (contract_id, id);

-- Imports of registration-office exports: one row per applied import
-- (src_ref of the contracts and events it wrote), with its report.
CREATE TABLE contract_imports (
    id INTEGER PRIMARY KEY,
    file_name TEXT,
    mode TEXT NOT NULL,
    user_id INTEGER,
    unit_path TEXT NOT NULL,
    summary_json TEXT,
    at TEXT NOT NULL
);

-- 一池四库: the four libraries of technology transfer in one table, by kind:
-- achievement (成果库), demand (需求库), institution (服务机构库), resource
-- (创新资源库: instrument, lab, expert). Which columns a kind uses and their
-- names are in src/domain/market/pool.c. unit_id: the linked enterprise's
-- unit, else the district root. Records are retired, never deleted.
CREATE TABLE market_items (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    subkind TEXT,                -- holder kind / institution type / resource type
    title TEXT NOT NULL,         -- 成果名称 / 需求名称 / 机构名称 / 资源名称
    org_name TEXT,               -- holder / enterprise / owner
    uscc TEXT,
    ent_id INTEGER REFERENCES enterprises (id),
    field INTEGER,               -- 技术领域 1..11 (as contracts)
    industry_code TEXT,
    summary TEXT,                -- abstract / problem / services / description
    maturity TEXT,               -- 成果成熟度
    modes TEXT,                  -- transfer modes / sharing terms
    ip_numbers TEXT,             -- linked IP rights (numbers, comma-separated)
    qualifications TEXT,
    price INTEGER,               -- asking price / budget / fee (元)
    deadline TEXT,
    contact_name TEXT,
    contact_phone TEXT,
    status TEXT NOT NULL DEFAULT 'open', -- open closed
    unit_id INTEGER NOT NULL REFERENCES org_units (id),
    retired_at TEXT,
    retire_reason TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX market_items_kind ON market_items (kind, unit_id);

-- 揭榜 challenges: a demand published as a challenge, applications, the
-- selection, the contract, milestones, acceptance and the outcome. Every
-- transition is an event (and an audit entry).
CREATE TABLE challenges (
    id INTEGER PRIMARY KEY,
    demand_id INTEGER NOT NULL REFERENCES market_items (id),
    title TEXT NOT NULL,
    reward INTEGER,              -- 元
    deadline TEXT,
    stage TEXT NOT NULL,         -- draft published selected contracted accepted closed withdrawn
    contract_id INTEGER REFERENCES contracts (id),
    selected_app_id INTEGER,
    outcome TEXT,
    reward_paid INTEGER,
    unit_id INTEGER NOT NULL REFERENCES org_units (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE challenge_applications (
    id INTEGER PRIMARY KEY,
    challenge_id INTEGER NOT NULL REFERENCES challenges (id),
    applicant TEXT NOT NULL,
    applicant_kind TEXT NOT NULL, -- expert university institute enterprise
    item_id INTEGER REFERENCES market_items (id),
    proposal TEXT,
    status TEXT NOT NULL DEFAULT 'applied', -- applied selected not_selected
    reason TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE challenge_milestones (
    id INTEGER PRIMARY KEY,
    challenge_id INTEGER NOT NULL REFERENCES challenges (id),
    title TEXT NOT NULL,
    due_on TEXT,
    done_on TEXT,
    note TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE challenge_events (
    id INTEGER PRIMARY KEY,
    challenge_id INTEGER NOT NULL REFERENCES challenges (id),
    action TEXT NOT NULL,
    from_stage TEXT,
    to_stage TEXT,
    note TEXT,
    user_id INTEGER,
    at TEXT NOT NULL
);
CREATE INDEX challenge_events_challenge ON challenge_events (challenge_id, id);
