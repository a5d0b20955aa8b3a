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
