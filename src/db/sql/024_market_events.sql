-- 024_market_events.sql - 成果对接会 (matchmaking events): the event, the
-- achievements and demands presented, the attendance, and the resulting
-- deals (a registered contract, or an intended deal with its amount in 元).
-- The event row is the current view; every write is audited with its
-- before/after (market_event.*). Notes: docs/internals/market.md.
-- (Assigned number 023; 022 here because the embedder wants consecutive
-- numbers on this branch. The number is set at merge.)

CREATE TABLE market_events (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    held_on TEXT NOT NULL,            -- 'YYYY-MM-DD'
    place TEXT,
    organiser TEXT,
    status TEXT NOT NULL,             -- planned held cancelled
    cancel_reason TEXT,
    note TEXT,
    unit_id INTEGER NOT NULL REFERENCES org_units (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX market_events_held ON market_events (held_on);
CREATE INDEX market_events_unit ON market_events (unit_id, held_on);

CREATE TABLE market_event_items (
    event_id INTEGER NOT NULL REFERENCES market_events (id),
    item_id INTEGER NOT NULL REFERENCES market_items (id),
    pos INTEGER NOT NULL,
    PRIMARY KEY (event_id, item_id)
);

CREATE TABLE market_event_attendees (
    event_id INTEGER NOT NULL REFERENCES market_events (id),
    pos INTEGER NOT NULL,
    kind TEXT NOT NULL,               -- enterprise institution
    name TEXT NOT NULL,
    ent_id INTEGER REFERENCES enterprises (id),
    attended INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (event_id, pos)
);

CREATE TABLE market_event_deals (
    event_id INTEGER NOT NULL REFERENCES market_events (id),
    pos INTEGER NOT NULL,
    contract_id INTEGER REFERENCES contracts (id),
    title TEXT NOT NULL,
    parties TEXT,
    amount INTEGER NOT NULL,          -- 元: the contract's 成交额, or intended
    item_id INTEGER REFERENCES market_items (id),
    PRIMARY KEY (event_id, pos)
);
CREATE INDEX market_event_deals_contract ON market_event_deals (contract_id);

-- 创新资源库 sharing records: one use of an instrument or lab (a
-- market_items row of kind 'resource') by an enterprise of the library;
-- the record belongs to the user enterprise's unit (data scope). Retired
-- with a reason, never deleted.
CREATE TABLE resource_uses (
    id INTEGER PRIMARY KEY,
    resource_id INTEGER NOT NULL REFERENCES market_items (id),
    ent_id INTEGER NOT NULL REFERENCES enterprises (id),
    used_from TEXT NOT NULL,          -- 'YYYY-MM-DD'
    used_to TEXT NOT NULL,            -- = used_from for one day
    hours10 INTEGER NOT NULL,         -- hours × 10 (one decimal)
    fee INTEGER NOT NULL,             -- 元
    purpose TEXT,
    unit_id INTEGER NOT NULL REFERENCES org_units (id),
    retired_at TEXT,
    retire_reason TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX resource_uses_resource ON resource_uses (resource_id, used_from);
CREATE INDEX resource_uses_unit ON resource_uses (unit_id, used_from);
