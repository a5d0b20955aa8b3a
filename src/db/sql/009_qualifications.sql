-- 009_qualifications.sql - the qualifications register (资质): one row per
-- recognition an enterprise holds or held (高新技术企业 certificate, 科技型
-- 中小企业 入库登记编号, 雏鹰 / 瞪羚 / 科技领军 recognition, 专精特新 ...).
--
-- kind is the ladder tier code of the rule sets (rules/*.kcr `tier`: sme,
-- hnte, chuying, dengling, lingjun, lingjun_peiyu, liebao, unicorn,
-- innovative_sme, zjtx, xiaojuren) or a library code for recognitions that
-- have no rule set (names and formats in src/domain/qual/). A row is valid
-- on date D when valid_from <= D, (valid_to IS NULL or D <= valid_to) and
-- not ended on or before D (ended_on: 撤销 / 取消 / 迁出 / 注销, with
-- status and end_reason). Rows are never deleted; corrections are audited
-- updates, endings are dates. Written in the portable SQL subset of db.h.
CREATE TABLE qualifications (
    id INTEGER PRIMARY KEY,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    kind TEXT NOT NULL,
    level TEXT,                 -- 国家 / 市 / 区 where the kind has levels
    cert_no TEXT,               -- certificate number / 入库登记编号
    batch TEXT,                 -- 批次 as published
    year INTEGER,               -- recognition year (科小: year of validity)
    issued_on TEXT,             -- date of recognition / issue
    valid_from TEXT NOT NULL,
    valid_to TEXT,              -- inclusive; NULL = no end known
    basis TEXT,                 -- first / recert / move_in / rename ...
    status TEXT NOT NULL DEFAULT 'valid',
    ended_on TEXT,
    end_reason TEXT,
    note TEXT,
    cert_name TEXT,             -- enterprise name on the certificate
    renamed_on TEXT,            -- date of the last 更名 (new certificate,
                                -- same number and expiry)
    src_kind TEXT NOT NULL DEFAULT 'user',
    src_user_id INTEGER,
    src_ref INTEGER,
    src_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (valid_to IS NULL OR valid_to >= valid_from),
    CHECK (ended_on IS NULL OR ended_on >= valid_from)
);
CREATE INDEX qualifications_ent ON qualifications (enterprise_id, kind);
CREATE INDEX qualifications_kind ON qualifications (kind, valid_from);
CREATE INDEX qualifications_valid_to ON qualifications (valid_to);
-- covers the counts on a date (qual_counts: validity, kind, enterprise)
CREATE INDEX qualifications_count ON qualifications (kind, valid_from,
    valid_to, ended_on, enterprise_id);
CREATE UNIQUE INDEX qualifications_cert ON qualifications (kind, cert_no)
    WHERE cert_no IS NOT NULL;
