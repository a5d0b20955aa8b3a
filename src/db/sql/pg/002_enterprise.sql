-- 002_enterprise.sql - the enterprise library: records, former names,
-- yearly figures with provenance, IP rights, dated facts, name search.
--
-- Conventions as in 001: INTEGER PRIMARY KEY ids, ISO-8601 UTC TEXT
-- timestamps, civil dates as TEXT 'YYYY-MM-DD', booleans INTEGER 0/1.
-- Money is INTEGER 元; ratios are never stored except the derived
-- latest_rd_bp (basis points) used by the list filter. A NULL figure means
-- "not known" (rules report it as unknown), never zero. Nothing is deleted
-- in place: enterprises, IP rights and facts are retired with a reason.
-- See docs/internals/enterprise.md.
--
-- Provenance: each record row carries its own (src_kind, src_user_id,
-- src_ref, src_at, verified); single fields whose provenance differs from
-- their row's are listed in field_provenance (year 0 = the enterprise
-- record itself). At 1M enterprises x 3 years that is 3M row provenances
-- plus only the overrides, instead of ~50M per-field rows.
-- src_kind: 'user' (entered in the UI/API), 'import' (src_ref = import job
-- id), 'demo' (synthetic), 'system'. verified: 0 self-declared, 1 verified.

CREATE TABLE enterprises (
    id INTEGER PRIMARY KEY,
    uscc TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES org_units (id),
    address TEXT,
    legal_rep TEXT,
    established_on TEXT,
    registered_capital INTEGER,
    industry_code TEXT,
    tech_domain INTEGER CHECK (tech_domain BETWEEN 1 AND 8),
    tech_subdomain TEXT,
    listing_status TEXT NOT NULL DEFAULT 'none',
    contact_name TEXT,
    contact_phone TEXT,
    contact_email TEXT,
    liaison_user_id INTEGER REFERENCES users (id),
    note TEXT,
    -- Derived from the latest enterprise_years row (maintained by the
    -- domain layer on every write of yearly figures) for list filters.
    latest_year INTEGER,
    latest_revenue INTEGER,
    latest_rd_bp INTEGER,
    src_kind TEXT NOT NULL DEFAULT 'user',
    src_user_id INTEGER,
    src_ref INTEGER,
    src_at TEXT NOT NULL,
    verified INTEGER NOT NULL DEFAULT 0,
    retired_at TEXT,
    retire_reason TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX enterprises_unit ON enterprises (unit_id);
CREATE INDEX enterprises_industry ON enterprises (industry_code);
CREATE INDEX enterprises_domain ON enterprises (tech_domain);
CREATE INDEX enterprises_established ON enterprises (established_on);
CREATE INDEX enterprises_revenue ON enterprises (latest_revenue);
CREATE INDEX enterprises_rd ON enterprises (latest_rd_bp);
CREATE INDEX enterprises_name ON enterprises (name);
CREATE INDEX enterprises_liaison ON enterprises (liaison_user_id);

-- Former names (曾用名), with the period they were used when known.
CREATE TABLE enterprise_names (
    id INTEGER PRIMARY KEY,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    name TEXT NOT NULL,
    used_from TEXT,
    used_to TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (enterprise_id, name)
);

-- One row per enterprise and accounting year. Money in 元, people counts.
CREATE TABLE enterprise_years (
    id INTEGER PRIMARY KEY,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    year INTEGER NOT NULL CHECK (year BETWEEN 1900 AND 2999),
    employees INTEGER,          -- 职工总数
    tech_staff INTEGER,         -- 科技人员
    rd_staff INTEGER,           -- 研发人员
    sales_revenue INTEGER,      -- 销售收入（营业收入）
    total_revenue INTEGER,      -- 总收入
    main_revenue INTEGER,       -- 主营业务收入
    hitech_income INTEGER,      -- 高新技术产品（服务）收入
    rd_expense INTEGER,         -- 研发费用
    rd_domestic INTEGER,        -- 境内研发费用
    total_cost INTEGER,         -- 成本费用总额
    total_assets INTEGER,       -- 资产总额
    total_liabilities INTEGER,  -- 负债总额
    net_profit INTEGER,         -- 净利润
    equity_financing INTEGER,   -- 新增股权融资（实缴）
    tax_paid INTEGER,           -- 纳税总额
    src_kind TEXT NOT NULL DEFAULT 'user',
    src_user_id INTEGER,
    src_ref INTEGER,
    src_at TEXT NOT NULL,
    verified INTEGER NOT NULL DEFAULT 0,
    verified_by INTEGER,
    verified_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (enterprise_id, year)
);
CREATE INDEX enterprise_years_year ON enterprise_years (year);

-- Per-field provenance where it differs from the row's (see the header).
CREATE TABLE field_provenance (
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    year INTEGER NOT NULL,
    field TEXT NOT NULL,
    src_kind TEXT NOT NULL,
    src_user_id INTEGER,
    src_ref INTEGER,
    src_at TEXT NOT NULL,
    verified INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (enterprise_id, year, field)
);

-- Intellectual property rights. klass (1 = Ⅰ类, 2 = Ⅱ类) is derived from
-- kind by the domain layer (src/domain/industry.c ip types) and stored so
-- the "has valid class-Ⅰ IP" filter can use an index.
CREATE TABLE ip_rights (
    id INTEGER PRIMARY KEY,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    kind TEXT NOT NULL,
    klass INTEGER NOT NULL CHECK (klass IN (1, 2)),
    defense INTEGER NOT NULL DEFAULT 0, -- 国防专利 (invention patents)
    number TEXT NOT NULL,
    title TEXT NOT NULL,
    applied_on TEXT,
    granted_on TEXT,
    expires_on TEXT,
    status TEXT NOT NULL DEFAULT 'valid', -- valid 有效 / lapsed 失效 /
                                           -- transferred 转让
    acquisition TEXT NOT NULL DEFAULT 'self', -- self 自主研发 / acquired 受让…
    acquired_on TEXT,
    main_product INTEGER NOT NULL DEFAULT 0,
    hnte_year INTEGER, -- year of the 高企 application that used it
    src_kind TEXT NOT NULL DEFAULT 'user',
    src_user_id INTEGER,
    src_ref INTEGER,
    src_at TEXT NOT NULL,
    verified INTEGER NOT NULL DEFAULT 0,
    retired_at TEXT,
    retire_reason TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (enterprise_id, kind, number)
);
CREATE INDEX ip_rights_class ON ip_rights (enterprise_id, klass, status,
                                           expires_on);

-- Dated facts: awards, R&D institutions, standards, competitions,
-- financing rounds, science-plan projects, software certificates, credit
-- flags and incidents. kind/subkind/level codes are listed in
-- src/domain/fact.c; amount in 元; rank is the rank among units.
CREATE TABLE enterprise_facts (
    id INTEGER PRIMARY KEY,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    kind TEXT NOT NULL,
    subkind TEXT,
    level TEXT,
    rank INTEGER,
    amount INTEGER,
    counterparty TEXT, -- investor, issuing body, organiser
    title TEXT,
    number TEXT,
    occurred_on TEXT,  -- date of the award, round, incident, listing
    valid_from TEXT,   -- validity or listing period when it has one
    valid_to TEXT,
    note TEXT,
    src_kind TEXT NOT NULL DEFAULT 'user',
    src_user_id INTEGER,
    src_ref INTEGER,
    src_at TEXT NOT NULL,
    verified INTEGER NOT NULL DEFAULT 0,
    retired_at TEXT,
    retire_reason TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX enterprise_facts_ent ON enterprise_facts (enterprise_id, kind);
CREATE INDEX enterprise_facts_kind ON enterprise_facts (kind, subkind);

-- PostgreSQL version of 002 (src/db/sql/pg): the same tables; the name /
-- former name / USCC search is a case-folding LIKE (ILIKE) on the base
-- columns served by pg_trgm GIN indexes, which find substrings of any
-- length (queries shorter than 3 characters scan the index, still without
-- reading the table). No FTS table, no sync triggers. The database should
-- use a UTF-8 ctype (C.UTF-8) so that CJK characters are word characters
-- to pg_trgm (docs/admin.md).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX enterprises_name_trgm ON enterprises
    USING gin (name gin_trgm_ops);
CREATE INDEX enterprises_uscc_trgm ON enterprises
    USING gin (uscc gin_trgm_ops);
CREATE INDEX enterprise_names_name_trgm ON enterprise_names
    USING gin (name gin_trgm_ops);
