-- peer_enterprises.sql - the sqlite3 peer's move of the staged CSV
-- (stage, as .import made it from the export template) into the same
-- table kechuang writes, with the same indexes and triggers. No
-- validation: names map to codes by join, 万元 to 元 by arithmetic.
CREATE TEMP TABLE m_domain (name TEXT PRIMARY KEY, code INTEGER);
INSERT INTO m_domain VALUES ('电子信息', 1), ('生物与新医药', 2),
    ('航空航天', 3), ('新材料', 4), ('高技术服务', 5), ('新能源与节能', 6),
    ('资源与环境', 7), ('先进制造与自动化', 8);
CREATE TEMP TABLE m_listing (name TEXT PRIMARY KEY, code TEXT);
INSERT INTO m_listing VALUES ('未上市', 'none'), ('上市后备', 'candidate'),
    ('新三板挂牌', 'neeq'), ('已上市', 'listed');
INSERT INTO enterprises (uscc, name, unit_id, address, legal_rep,
    established_on, registered_capital, industry_code, tech_domain,
    tech_subdomain, listing_status, contact_name, contact_phone,
    contact_email, note, src_kind, src_at, created_at, updated_at)
SELECT s."统一社会信用代码", s."企业名称", u.id, nullif(s."地址", ''),
    nullif(s."法定代表人", ''), nullif(s."成立日期", ''),
    CAST(round(nullif(s."注册资本（万元）", '') * 10000) AS INTEGER),
    nullif(s."行业代码", ''), d.code, nullif(s."技术领域子项", ''),
    coalesce(l.code, 'none'), nullif(s."联系人", ''),
    nullif(s."联系电话", ''), nullif(s."电子邮箱", ''), nullif(s."备注", ''),
    'import', datetime('now'), datetime('now'), datetime('now')
FROM stage s
JOIN org_units u ON u.name = s."所属单位" AND u.retired_at IS NULL
LEFT JOIN m_domain d ON d.name = s."技术领域"
LEFT JOIN m_listing l ON l.name = s."上市状态"
ORDER BY s.rowid;
