-- 015_carrier.sql - innovation carriers and their tenants, the carriers'
-- yearly sheet values typed in by staff, innovation platforms (with the
-- member enterprises of 产业技术创新战略联盟), talent counts and named
-- talents, and the 重点上市企业资源库 (listing candidates).
--
-- Codes (carrier types, levels, platform kinds, programmes, listing
-- stages) are the C tables of src/domain/carrier/; the database stores the
-- codes only. Dates are 'YYYY-MM-DD' text computed in C. A tenancy runs
-- from moved_in (inclusive) to moved_out (exclusive): an enterprise that
-- moves out of one carrier and into another on the same day is never in
-- both. Rows are never deleted: carriers and platforms are retired or get
-- a status, tenancies end with a date and a reason. Portable SQL (db.h).
CREATE TABLE carriers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    level TEXT,                    -- national / municipal / district
    recognized_on TEXT,
    recognition_doc TEXT,
    operator_enterprise_id INTEGER REFERENCES enterprises (id),
    operator_name TEXT,            -- an institution outside the library
    unit_id INTEGER NOT NULL REFERENCES org_units (id),
    address TEXT,
    area INTEGER,                  -- ㎡
    incubation_area INTEGER,       -- ㎡
    services TEXT,
    staff INTEGER,
    mentors INTEGER,
    note TEXT,
    retired_at TEXT,
    retire_reason TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (operator_enterprise_id IS NOT NULL OR operator_name IS NOT NULL)
);
CREATE UNIQUE INDEX carriers_live_name ON carriers (name)
    WHERE retired_at IS NULL;
CREATE INDEX carriers_unit ON carriers (unit_id);

CREATE TABLE carrier_tenants (
    id INTEGER PRIMARY KEY,
    carrier_id INTEGER NOT NULL REFERENCES carriers (id),
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    moved_in TEXT NOT NULL,
    moved_out TEXT,
    out_reason TEXT,               -- graduated / moved / deregistered
    note TEXT,
    src_kind TEXT NOT NULL DEFAULT 'user',
    src_user_id INTEGER,
    src_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (moved_out IS NULL OR moved_out > moved_in),
    CHECK ((moved_out IS NULL) = (out_reason IS NULL))
);
-- covering: the yearly sheets' counts read this index only
CREATE INDEX carrier_tenants_carrier ON carrier_tenants (carrier_id, moved_in,
    moved_out, out_reason, enterprise_id);
CREATE INDEX carrier_tenants_ent ON carrier_tenants (enterprise_id, moved_in);
-- the yearly sheets start from the IP rights granted in the year (covering)
CREATE INDEX ip_rights_granted ON ip_rights (granted_on, enterprise_id, klass,
    retired_at);

-- Indicators of a carrier's yearly sheet that no record gives (the
-- carrier's revenue, events held ...), typed in with their provenance.
CREATE TABLE carrier_sheet_values (
    carrier_id INTEGER NOT NULL REFERENCES carriers (id),
    year INTEGER NOT NULL CHECK (year BETWEEN 1900 AND 2999),
    indicator TEXT NOT NULL,
    value INTEGER NOT NULL,
    note TEXT,
    src_kind TEXT NOT NULL DEFAULT 'user',
    src_user_id INTEGER,
    src_at TEXT NOT NULL,
    PRIMARY KEY (carrier_id, year, indicator)
);

CREATE TABLE platforms (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    level TEXT NOT NULL,           -- national / municipal / district
    host_enterprise_id INTEGER REFERENCES enterprises (id),
    host_name TEXT,                -- an institution outside the library
    unit_id INTEGER NOT NULL REFERENCES org_units (id),
    recognized_on TEXT NOT NULL,
    recognition_doc TEXT,
    status TEXT NOT NULL DEFAULT 'valid', -- valid / revoked / merged
    status_on TEXT,                -- date of revocation or merger
    merged_into INTEGER REFERENCES platforms (id),
    note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (host_enterprise_id IS NOT NULL OR host_name IS NOT NULL),
    CHECK (status_on IS NULL OR status_on >= recognized_on)
);
CREATE INDEX platforms_kind ON platforms (kind, level);
CREATE INDEX platforms_host ON platforms (host_enterprise_id);

CREATE TABLE platform_members (
    platform_id INTEGER NOT NULL REFERENCES platforms (id),
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    joined_on TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (platform_id, enterprise_id)
);

-- People counts per enterprise, year and programme (海河英才 ...).
CREATE TABLE talent_counts (
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    year INTEGER NOT NULL CHECK (year BETWEEN 1900 AND 2999),
    programme TEXT NOT NULL,
    people INTEGER NOT NULL CHECK (people >= 0),
    src_kind TEXT NOT NULL DEFAULT 'user',
    src_user_id INTEGER,
    src_at TEXT NOT NULL,
    PRIMARY KEY (enterprise_id, year, programme)
);

-- Named high-level talents: personal data, bureau roles only.
CREATE TABLE talents (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    programme TEXT NOT NULL,
    batch TEXT,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    field TEXT,
    note TEXT,
    retired_at TEXT,
    retire_reason TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX talents_ent ON talents (enterprise_id);

-- 重点上市企业资源库: one row per candidate enterprise.
CREATE TABLE listing_candidates (
    id INTEGER PRIMARY KEY,
    enterprise_id INTEGER NOT NULL UNIQUE REFERENCES enterprises (id),
    stage TEXT NOT NULL,           -- cultivate / tutoring / filed / approved / listed
    board TEXT,
    sponsor TEXT,
    entered_on TEXT NOT NULL,
    stage_on TEXT,
    listed_on TEXT,
    note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
