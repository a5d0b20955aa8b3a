-- peer_ip.sql - the sqlite3 peer's move of the staged IP rights into
-- ip_rights (same table, indexes and triggers as kechuang writes), owners
-- found by USCC, names mapped to codes by join. No validation.
CREATE TEMP TABLE m_kind (name TEXT PRIMARY KEY, code TEXT, klass INTEGER);
INSERT INTO m_kind VALUES ('发明专利', 'invention', 1),
    ('植物新品种', 'plant_variety', 1), ('国家级农作物品种', 'crop_variety', 1),
    ('国家新药', 'new_drug', 1), ('国家一级中药保护品种', 'tcm_protected', 1),
    ('集成电路布图设计专有权', 'ic_layout', 1),
    ('实用新型专利', 'utility', 2), ('外观设计专利', 'design', 2),
    ('软件著作权', 'software', 2);
CREATE TEMP TABLE m_status (name TEXT PRIMARY KEY, code TEXT);
INSERT INTO m_status VALUES ('有效', 'valid'), ('失效', 'lapsed'),
    ('已转让', 'transferred');
CREATE TEMP TABLE m_acq (name TEXT PRIMARY KEY, code TEXT);
INSERT INTO m_acq VALUES ('自主研发', 'self'), ('受让、受赠或并购', 'acquired');
INSERT INTO ip_rights (enterprise_id, kind, klass, defense, number, title,
    applied_on, granted_on, expires_on, status, acquisition, acquired_on,
    main_product, hnte_year, src_kind, src_at, created_at, updated_at)
SELECT e.id, k.code, k.klass, s."国防专利" = '是', s."编号", s."名称",
    nullif(s."申请日期", ''), nullif(s."授权日期", ''),
    nullif(s."到期日期", ''), coalesce(st.code, 'valid'),
    coalesce(a.code, 'self'), nullif(s."受让日期", ''),
    s."用于主要产品" = '是', nullif(s."高企申报使用年度", ''),
    'import', datetime('now'), datetime('now'), datetime('now')
FROM stage s JOIN enterprises e ON e.uscc = s."统一社会信用代码"
JOIN m_kind k ON k.name = s."知识产权类型"
LEFT JOIN m_status st ON st.name = s."状态"
LEFT JOIN m_acq a ON a.name = s."获得方式"
ORDER BY s.rowid;
