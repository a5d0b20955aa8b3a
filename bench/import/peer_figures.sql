-- peer_figures.sql - the sqlite3 peer's move of the staged yearly
-- figures into enterprise_years (same table, indexes and triggers as
-- kechuang writes), owners found by USCC, 万元 to 元 by arithmetic. No
-- validation.
INSERT INTO enterprise_years (enterprise_id, year, employees, tech_staff,
    rd_staff, sales_revenue, total_revenue, main_revenue, hitech_income,
    rd_expense, rd_domestic, total_cost, total_assets, total_liabilities,
    net_profit, equity_financing, tax_paid, src_kind, src_at, created_at,
    updated_at)
SELECT e.id, s."年度", nullif(s."职工总数（人）", ''),
    nullif(s."科技人员（人）", ''), nullif(s."研发人员（人）", ''),
    CAST(round(nullif(s."销售收入（万元）", '') * 10000) AS INTEGER),
    CAST(round(nullif(s."总收入（万元）", '') * 10000) AS INTEGER),
    CAST(round(nullif(s."主营业务收入（万元）", '') * 10000) AS INTEGER),
    CAST(round(nullif(s."高新技术产品（服务）收入（万元）", '') * 10000) AS INTEGER),
    CAST(round(nullif(s."研发费用（万元）", '') * 10000) AS INTEGER),
    CAST(round(nullif(s."境内研发费用（万元）", '') * 10000) AS INTEGER),
    CAST(round(nullif(s."成本费用总额（万元）", '') * 10000) AS INTEGER),
    CAST(round(nullif(s."资产总额（万元）", '') * 10000) AS INTEGER),
    CAST(round(nullif(s."负债总额（万元）", '') * 10000) AS INTEGER),
    CAST(round(nullif(s."净利润（万元）", '') * 10000) AS INTEGER),
    CAST(round(nullif(s."新增股权融资（实缴）（万元）", '') * 10000) AS INTEGER),
    CAST(round(nullif(s."纳税总额（万元）", '') * 10000) AS INTEGER),
    'import', datetime('now'), datetime('now'), datetime('now')
FROM stage s JOIN enterprises e ON e.uscc = s."统一社会信用代码"
ORDER BY s.rowid;
