-- 013_policy.sql - the policy pool (政策池) and its money: policies, their
-- items (条款) with conditions in the rule language and an amount formula,
-- budgets per line and year, applications (also the confirmed 免申即享
-- grants), public notices with objections, payment batches and payments.
--
-- Money is INTEGER 元. Amount formulas (amount_kind): fixed (amount),
-- percent (figure x rate_bp / 10000, rounded down to whole 元, then capped
-- at cap), tiered (tiers: JSON [{"from": 元, "amount": 元}], lower bounds
-- inclusive, ascending), per_event (amount x qualifying events), none
-- (information items). figure is a yearly rule field (figure_year is the
-- offset from the evaluation year) or 'claimed' (the base the application
-- states). rule_text is a whole rule file (conditions, explanations and
-- its own cases), parsed by the rule engine. trigger_kind / trigger_basis
-- name the qualifications rows (009) whose recognition in the year makes
-- the event; auto_grant = 1 marks 免申即享 items. Stacking: items sharing
-- stack_group are 'exclusive' (同一事项不重复享受) or 'highest' (就高不重复);
-- year_cap caps one enterprise's net payments from the item in a year;
-- excludes lists item codes (comma separated) that may not be paid to the
-- same enterprise in the same year.
--
-- Payments are never updated: a claw-back or correction is a new row
-- (negative amount). A batch's total equals the sum of its rows.

CREATE TABLE policies (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    doc_no TEXT,
    issuer TEXT,
    level TEXT NOT NULL,            -- national / city / district
    effective_from TEXT,
    effective_to TEXT,
    source TEXT,
    status TEXT NOT NULL DEFAULT 'unverified', -- confirmed / unverified / retired
    note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE policy_items (
    id INTEGER PRIMARY KEY,
    policy_id INTEGER NOT NULL REFERENCES policies (id),
    code TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    rule_text TEXT,
    trigger_kind TEXT,
    trigger_basis TEXT,
    auto_grant INTEGER NOT NULL DEFAULT 0,
    amount_kind TEXT NOT NULL,
    amount INTEGER,
    figure TEXT,
    figure_year INTEGER NOT NULL DEFAULT 0,
    rate_bp INTEGER,
    cap INTEGER,
    tiers TEXT,
    budget_line TEXT,
    window_from TEXT,
    window_to TEXT,
    stack_group TEXT,
    stack_rule TEXT,
    year_cap INTEGER,
    excludes TEXT,
    benefit TEXT,
    status TEXT NOT NULL DEFAULT 'unverified', -- confirmed / unverified / retired
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX policy_items_policy ON policy_items (policy_id);

CREATE TABLE policy_budgets (
    id INTEGER PRIMARY KEY,
    line TEXT NOT NULL,
    year INTEGER NOT NULL,
    amount INTEGER NOT NULL,
    note TEXT,
    updated_at TEXT NOT NULL,
    UNIQUE (line, year)
);

CREATE TABLE policy_notices (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    start_on TEXT NOT NULL,
    end_on TEXT NOT NULL,
    contact TEXT,
    created_by INTEGER,
    created_at TEXT NOT NULL
);

-- status: submitted (已受理) -> street_ok (初审通过) -> bureau_ok (复审通过 /
-- 免申即享已确认) -> notice (公示中) -> paid (部分拨付) -> closed (已办结);
-- rejected (不予通过) at any review or after an upheld objection.
CREATE TABLE policy_applications (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES policy_items (id),
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    year INTEGER NOT NULL,
    channel TEXT NOT NULL,          -- apply / entitled
    status TEXT NOT NULL,
    claimed INTEGER,                -- base figure the application states
    amount INTEGER NOT NULL,        -- amount granted (元)
    basis TEXT,                     -- how the amount was computed (zh-CN)
    applied_on TEXT NOT NULL,
    attachments TEXT,               -- JSON array of attachment names
    note TEXT,
    street_note TEXT,
    street_by INTEGER,
    street_at TEXT,
    bureau_note TEXT,
    bureau_by INTEGER,
    bureau_at TEXT,
    notice_id INTEGER REFERENCES policy_notices (id),
    reject_reason TEXT,
    created_by INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (item_id, enterprise_id, year)
);
CREATE INDEX policy_applications_ent ON policy_applications (enterprise_id, year);
CREATE INDEX policy_applications_notice ON policy_applications (notice_id);

CREATE TABLE policy_objections (
    id INTEGER PRIMARY KEY,
    notice_id INTEGER NOT NULL REFERENCES policy_notices (id),
    application_id INTEGER NOT NULL REFERENCES policy_applications (id),
    received_on TEXT NOT NULL,
    content TEXT NOT NULL,
    resolution TEXT,
    upheld INTEGER,
    resolved_on TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX policy_objections_app ON policy_objections (application_id);

CREATE TABLE policy_batches (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    paid_on TEXT NOT NULL,
    voucher_no TEXT NOT NULL,
    total INTEGER NOT NULL,
    n_rows INTEGER NOT NULL,
    created_by INTEGER,
    created_at TEXT NOT NULL
);

CREATE TABLE policy_payments (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES policy_applications (id),
    batch_id INTEGER REFERENCES policy_batches (id),
    kind TEXT NOT NULL,             -- pay / clawback
    amount INTEGER NOT NULL,        -- signed: claw-backs are negative
    paid_on TEXT NOT NULL,
    voucher_no TEXT,
    reason TEXT,
    year INTEGER NOT NULL,          -- the application's year
    budget_line TEXT NOT NULL,
    created_by INTEGER,
    created_at TEXT NOT NULL
);
CREATE INDEX policy_payments_app ON policy_payments (application_id);
CREATE INDEX policy_payments_line ON policy_payments (budget_line, year);

-- Budget sandbox scenarios: draft parameters of one item and the result
-- over the district (JSON, as computed when saved).
CREATE TABLE policy_scenarios (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES policy_items (id),
    name TEXT NOT NULL,
    year INTEGER NOT NULL,
    params TEXT NOT NULL,
    result TEXT NOT NULL,
    unit_path TEXT NOT NULL,
    created_by INTEGER,
    created_at TEXT NOT NULL
);

-- The seeded pool: district rewards the plans name (amounts configurable,
-- unverified) and information items from national rules.
INSERT INTO policies (code, title, doc_no, issuer, level, effective_from, effective_to, source, status, created_at, updated_at) VALUES ('district-hnte-reward', '高新技术企业认定奖励（区级）', NULL, '区科技局', 'district', NULL, NULL, '西营门街科技创新三年行动计划 6；武清区科技创新三年行动计划 四.1（奖励金额以区里当年文件为准）', 'unverified', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
INSERT INTO policies (code, title, doc_no, issuer, level, effective_from, effective_to, source, status, created_at, updated_at) VALUES ('district-cultivation', '科技企业入库培育奖励（区级）', NULL, '区科技局', 'district', NULL, NULL, '西营门街科技创新三年行动计划 6；宝坻区实施方案 四.2', 'unverified', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
INSERT INTO policies (code, title, doc_no, issuer, level, effective_from, effective_to, source, status, created_at, updated_at) VALUES ('district-listing', '上市企业扶持（上市费用、贷款贴息、担保费补贴）', NULL, '区金融局、区科技局', 'district', NULL, NULL, '河东区科技创新三年行动计划 保障措施四；武清区科技创新三年行动计划 四.3', 'unverified', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
INSERT INTO policies (code, title, doc_no, issuer, level, effective_from, effective_to, source, status, created_at, updated_at) VALUES ('district-voucher', '科技创新券', NULL, '区科技局', 'district', NULL, NULL, '河西区科技创新“十四五”规划 发展基础 6', 'unverified', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
INSERT INTO policies (code, title, doc_no, issuer, level, effective_from, effective_to, source, status, created_at, updated_at) VALUES ('district-rd', '研发投入后补助', NULL, '区科技局', 'district', NULL, NULL, '河东区科技创新三年行动计划 11（高企税收优惠和后补助）', 'unverified', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
INSERT INTO policies (code, title, doc_no, issuer, level, effective_from, effective_to, source, status, created_at, updated_at) VALUES ('national-hnte-tax', '高新技术企业减按15%税率征收企业所得税', '企业所得税法第二十八条', '全国人大；国务院', 'national', '2008-01-01', NULL, '《中华人民共和国企业所得税法》第二十八条', 'confirmed', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
INSERT INTO policies (code, title, doc_no, issuer, level, effective_from, effective_to, source, status, created_at, updated_at) VALUES ('national-rd-deduction', '研发费用税前加计扣除', '财政部 税务总局公告2023年第7号', '财政部、税务总局', 'national', '2023-01-01', NULL, 'reference/criteria.md §5.5（委托研发合同须登记）；加计比例按公告原文核对', 'unverified', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
INSERT INTO policies (code, title, doc_no, issuer, level, effective_from, effective_to, source, status, created_at, updated_at) VALUES ('national-tech-transfer', '技术转让所得减免企业所得税', '企业所得税法第二十七条（四）；国税函〔2009〕212号', '全国人大；国家税务总局', 'national', '2008-01-01', NULL, 'reference/criteria.md §5.5', 'confirmed', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
INSERT INTO policy_items (policy_id, code, title, rule_text, trigger_kind, trigger_basis, auto_grant, amount_kind, amount, figure, figure_year, rate_bp, cap, tiers, budget_line, window_from, window_to, stack_group, stack_rule, year_cap, excludes, benefit, status, created_at, updated_at) VALUES ((SELECT id FROM policies WHERE code = 'district-hnte-reward'), 'hnte-first', '高新技术企业首次认定奖励', 'ruleset policy-hnte-first "高新技术企业首次认定奖励"
tier policy
status unverified
all cond "申请条件" {
  hnte_cert "持有效期内的高新技术企业证书"
  not serious_illegal "未列入严重违法失信企业名单"
}
pass = cond
case "持有效高企证书、未列入严重违法失信名单：符合" { year = 2024 hnte_cert = 是 serious_illegal = 否 } expect 达标
case "列入严重违法失信企业名单：不符合" like "持有效高企证书、未列入严重违法失信名单：符合" { serious_illegal = 是 } expect 未达标
case "无有效高企证书：不符合" like "持有效高企证书、未列入严重违法失信名单：符合" { hnte_cert = 否 } expect 未达标 cond = 未达标
case "未填失信名单：缺数据" { year = 2024 hnte_cert = 是 } expect 缺数据
', 'hnte', 'first', 1, 'fixed', 200000, NULL, 0, NULL, NULL, NULL, '高企认定奖励', NULL, NULL, 'hnte-cert', 'highest', NULL, NULL, '当年首次认定为高新技术企业的，给予一次性奖励（金额以区里当年文件为准，默认 20 万元，待核实）', 'unverified', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
INSERT INTO policy_items (policy_id, code, title, rule_text, trigger_kind, trigger_basis, auto_grant, amount_kind, amount, figure, figure_year, rate_bp, cap, tiers, budget_line, window_from, window_to, stack_group, stack_rule, year_cap, excludes, benefit, status, created_at, updated_at) VALUES ((SELECT id FROM policies WHERE code = 'district-hnte-reward'), 'hnte-move-in', '高新技术企业整体迁入奖励', 'ruleset policy-hnte-move-in "高新技术企业整体迁入奖励"
tier policy
status unverified
all cond "申请条件" {
  hnte_cert "持有效期内的高新技术企业证书"
  not serious_illegal "未列入严重违法失信企业名单"
}
pass = cond
case "持有效高企证书、未列入严重违法失信名单：符合" { year = 2024 hnte_cert = 是 serious_illegal = 否 } expect 达标
case "列入严重违法失信企业名单：不符合" like "持有效高企证书、未列入严重违法失信名单：符合" { serious_illegal = 是 } expect 未达标
case "无有效高企证书：不符合" like "持有效高企证书、未列入严重违法失信名单：符合" { hnte_cert = 否 } expect 未达标 cond = 未达标
case "未填失信名单：缺数据" { year = 2024 hnte_cert = 是 } expect 缺数据
', 'hnte', 'move_in', 1, 'fixed', 200000, NULL, 0, NULL, NULL, NULL, '高企认定奖励', NULL, NULL, 'hnte-cert', 'highest', NULL, NULL, '有效期内整体迁入本区的高新技术企业，视同首次认定给予奖励（金额待核实）', 'unverified', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
INSERT INTO policy_items (policy_id, code, title, rule_text, trigger_kind, trigger_basis, auto_grant, amount_kind, amount, figure, figure_year, rate_bp, cap, tiers, budget_line, window_from, window_to, stack_group, stack_rule, year_cap, excludes, benefit, status, created_at, updated_at) VALUES ((SELECT id FROM policies WHERE code = 'district-hnte-reward'), 'hnte-recert', '高新技术企业重新认定奖励', 'ruleset policy-hnte-recert "高新技术企业重新认定奖励"
tier policy
status unverified
all cond "申请条件" {
  hnte_cert "持有效期内的高新技术企业证书"
  not serious_illegal "未列入严重违法失信企业名单"
}
pass = cond
case "持有效高企证书、未列入严重违法失信名单：符合" { year = 2024 hnte_cert = 是 serious_illegal = 否 } expect 达标
case "列入严重违法失信企业名单：不符合" like "持有效高企证书、未列入严重违法失信名单：符合" { serious_illegal = 是 } expect 未达标
case "无有效高企证书：不符合" like "持有效高企证书、未列入严重违法失信名单：符合" { hnte_cert = 否 } expect 未达标 cond = 未达标
case "未填失信名单：缺数据" { year = 2024 hnte_cert = 是 } expect 缺数据
', 'hnte', 'recert', 1, 'fixed', 100000, NULL, 0, NULL, NULL, NULL, '高企认定奖励', NULL, NULL, 'hnte-cert', 'highest', NULL, NULL, '高新技术企业期满重新认定的，给予奖励（金额待核实，默认 10 万元）', 'unverified', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
INSERT INTO policy_items (policy_id, code, title, rule_text, trigger_kind, trigger_basis, auto_grant, amount_kind, amount, figure, figure_year, rate_bp, cap, tiers, budget_line, window_from, window_to, stack_group, stack_rule, year_cap, excludes, benefit, status, created_at, updated_at) VALUES ((SELECT id FROM policies WHERE code = 'district-cultivation'), 'sme-entry', '科技型中小企业入库奖励', 'ruleset policy-sme-entry "科技型中小企业入库奖励"
tier policy
status unverified
all cond "申请条件" {
  resident "在中国境内注册的居民企业"
  not serious_illegal "未列入严重违法失信企业名单"
}
pass = cond
case "境内居民企业、未失信：符合" { year = 2024 resident = 是 serious_illegal = 否 } expect 达标
case "非居民企业：不符合" like "境内居民企业、未失信：符合" { resident = 否 } expect 未达标
case "列入严重违法失信企业名单：不符合" like "境内居民企业、未失信：符合" { serious_illegal = 是 } expect 未达标
', 'sme', NULL, 1, 'per_event', 20000, NULL, 0, NULL, NULL, NULL, '入库培育奖励', NULL, NULL, NULL, NULL, NULL, NULL, '当年取得科技型中小企业入库登记编号的，每个编号奖励 2 万元（金额待核实）', 'unverified', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
INSERT INTO policy_items (policy_id, code, title, rule_text, trigger_kind, trigger_basis, auto_grant, amount_kind, amount, figure, figure_year, rate_bp, cap, tiers, budget_line, window_from, window_to, stack_group, stack_rule, year_cap, excludes, benefit, status, created_at, updated_at) VALUES ((SELECT id FROM policies WHERE code = 'district-cultivation'), 'hnte-pool', '高企培育库入库培育奖励', 'ruleset policy-hnte-pool "高企培育库入库培育奖励"
tier policy
status unverified
let y = year - 1
all cond "申请条件" {
  not hnte_cert "尚未取得高新技术企业证书"
  rd: rd_expense[y] > 0元 "上一年度有研发费用"
  ip: ip1_all + ip2_all >= 1 "拥有至少1项有效知识产权"
  not serious_illegal "未列入严重违法失信企业名单"
}
pass = cond
case "有研发费用和知识产权、尚非高企：符合" { year = 2024 hnte_cert = 否 rd_expense[2023] = 1万 ip1_all = 0 ip2_all = 1 serious_illegal = 否 } expect 达标
case "研发费用为0：不符合" like "有研发费用和知识产权、尚非高企：符合" { rd_expense[2023] = 0元 } expect 未达标 rd = 未达标
case "已是高企：不符合" like "有研发费用和知识产权、尚非高企：符合" { hnte_cert = 是 } expect 未达标
case "没有知识产权：不符合" like "有研发费用和知识产权、尚非高企：符合" { ip2_all = 0 } expect 未达标 ip = 未达标
', NULL, NULL, 0, 'fixed', 50000, NULL, 0, NULL, NULL, NULL, '入库培育奖励', '2024-03-01', '2024-12-31', NULL, NULL, NULL, NULL, '进入高新技术企业培育库的企业，经申请给予培育奖励（金额待核实，默认 5 万元）', 'unverified', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
INSERT INTO policy_items (policy_id, code, title, rule_text, trigger_kind, trigger_basis, auto_grant, amount_kind, amount, figure, figure_year, rate_bp, cap, tiers, budget_line, window_from, window_to, stack_group, stack_rule, year_cap, excludes, benefit, status, created_at, updated_at) VALUES ((SELECT id FROM policies WHERE code = 'district-listing'), 'listing-fee', '上市费用补贴', 'ruleset policy-listing-fee "上市费用补贴"
tier policy
status unverified
all cond "申请条件" {
  not listed "尚未上市（上市前发生的中介费用）"
  not serious_illegal "未列入严重违法失信企业名单"
}
pass = cond
case "未上市、未失信：符合" { year = 2024 listed = 否 serious_illegal = 否 } expect 达标
case "已上市：不符合" like "未上市、未失信：符合" { listed = 是 } expect 未达标
', NULL, NULL, 0, 'percent', NULL, 'claimed', 0, 5000, 2000000, NULL, '上市扶持', NULL, NULL, NULL, NULL, NULL, NULL, '按申报的上市中介费用的 50% 补贴，最高 200 万元（比例和上限待核实）', 'unverified', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
INSERT INTO policy_items (policy_id, code, title, rule_text, trigger_kind, trigger_basis, auto_grant, amount_kind, amount, figure, figure_year, rate_bp, cap, tiers, budget_line, window_from, window_to, stack_group, stack_rule, year_cap, excludes, benefit, status, created_at, updated_at) VALUES ((SELECT id FROM policies WHERE code = 'district-listing'), 'loan-interest', '上市后备企业贷款贴息', 'ruleset policy-loan-interest "上市后备企业贷款贴息"
tier policy
status unverified
all cond "申请条件" {
  not listed "尚未上市"
  not serious_illegal "未列入严重违法失信企业名单"
}
pass = cond
case "未上市、未失信：符合" { year = 2024 listed = 否 serious_illegal = 否 } expect 达标
case "失信：不符合" like "未上市、未失信：符合" { serious_illegal = 是 } expect 未达标
', NULL, NULL, 0, 'percent', NULL, 'claimed', 0, 5000, 500000, NULL, '上市扶持', NULL, NULL, NULL, NULL, 500000, NULL, '按申报年度实际支付贷款利息的 50% 贴息，每家每年最高 50 万元（待核实）', 'unverified', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
INSERT INTO policy_items (policy_id, code, title, rule_text, trigger_kind, trigger_basis, auto_grant, amount_kind, amount, figure, figure_year, rate_bp, cap, tiers, budget_line, window_from, window_to, stack_group, stack_rule, year_cap, excludes, benefit, status, created_at, updated_at) VALUES ((SELECT id FROM policies WHERE code = 'district-listing'), 'loan-guarantee', '上市后备企业贷款担保费补贴', 'ruleset policy-loan-guarantee "上市后备企业贷款担保费补贴"
tier policy
status unverified
all cond "申请条件" {
  not listed "尚未上市"
  not serious_illegal "未列入严重违法失信企业名单"
}
pass = cond
case "未上市、未失信：符合" { year = 2024 listed = 否 serious_illegal = 否 } expect 达标
case "已上市：不符合" like "未上市、未失信：符合" { listed = 是 } expect 未达标
', NULL, NULL, 0, 'percent', NULL, 'claimed', 0, 5000, 200000, NULL, '上市扶持', NULL, NULL, NULL, NULL, NULL, 'loan-interest', '按实际支付担保费的 50% 补贴，最高 20 万元；同一年度已享受贷款贴息的不再享受（待核实）', 'unverified', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
INSERT INTO policy_items (policy_id, code, title, rule_text, trigger_kind, trigger_basis, auto_grant, amount_kind, amount, figure, figure_year, rate_bp, cap, tiers, budget_line, window_from, window_to, stack_group, stack_rule, year_cap, excludes, benefit, status, created_at, updated_at) VALUES ((SELECT id FROM policies WHERE code = 'district-voucher'), 'innovation-voucher', '科技创新券', 'ruleset policy-innovation-voucher "科技创新券"
tier policy
status unverified
all cond "申请条件" {
  resident "在中国境内注册的居民企业"
  staff: employees[year - 1] <= 500 "上一年度职工总数不超过500人（中小企业）"
  not serious_illegal "未列入严重违法失信企业名单"
}
pass = cond
case "职工恰为500人：符合" { year = 2024 resident = 是 employees[2023] = 500 serious_illegal = 否 } expect 达标
case "职工501人：不符合" like "职工恰为500人：符合" { employees[2023] = 501 } expect 未达标 staff = 未达标
case "未填职工人数：缺数据" { year = 2024 resident = 是 serious_illegal = 否 } expect 缺数据
', NULL, NULL, 0, 'percent', NULL, 'claimed', 0, 5000, 100000, NULL, '科技创新券', NULL, NULL, NULL, NULL, 100000, NULL, '购买科技服务的费用按 50% 兑付，每家每年最高 10 万元（待核实）', 'unverified', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
INSERT INTO policy_items (policy_id, code, title, rule_text, trigger_kind, trigger_basis, auto_grant, amount_kind, amount, figure, figure_year, rate_bp, cap, tiers, budget_line, window_from, window_to, stack_group, stack_rule, year_cap, excludes, benefit, status, created_at, updated_at) VALUES ((SELECT id FROM policies WHERE code = 'district-rd'), 'rd-subsidy', '研发费用后补助', 'ruleset policy-rd-subsidy "研发费用后补助"
tier policy
status unverified
let y = year - 1
all cond "申请条件" {
  hnte_cert "持有效期内的高新技术企业证书"
  rd: rd_expense[y] >= 100万 "上一年度研发费用不低于100万元"
  not serious_illegal "未列入严重违法失信企业名单"
}
pass = cond
case "研发费用恰为100万元：符合" { year = 2024 hnte_cert = 是 rd_expense[2023] = 100万 serious_illegal = 否 } expect 达标
case "研发费用99.9999万元：不符合" like "研发费用恰为100万元：符合" { rd_expense[2023] = 99.9999万 } expect 未达标 rd = 未达标
case "非高企：不符合" like "研发费用恰为100万元：符合" { hnte_cert = 否 } expect 未达标
case "缺研发费用：缺数据" { year = 2024 hnte_cert = 是 serious_illegal = 否 } expect 缺数据
', NULL, NULL, 0, 'percent', NULL, 'rd_expense', -1, 1000, 1000000, NULL, '研发后补助', '2024-04-01', '2024-10-31', 'rd', 'highest', NULL, NULL, '按上一年度研发费用的 10% 给予后补助，最高 100 万元，向下取整到元（比例和上限待核实）', 'unverified', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
INSERT INTO policy_items (policy_id, code, title, rule_text, trigger_kind, trigger_basis, auto_grant, amount_kind, amount, figure, figure_year, rate_bp, cap, tiers, budget_line, window_from, window_to, stack_group, stack_rule, year_cap, excludes, benefit, status, created_at, updated_at) VALUES ((SELECT id FROM policies WHERE code = 'district-rd'), 'rd-tier', '研发投入分档奖励', 'ruleset policy-rd-tier "研发投入分档奖励"
tier policy
status unverified
let y = year - 1
all cond "申请条件" {
  rd: rd_expense[y] >= 500万 "上一年度研发费用不低于500万元"
  not serious_illegal "未列入严重违法失信企业名单"
}
pass = cond
case "研发费用恰为500万元：符合" { year = 2024 rd_expense[2023] = 500万 serious_illegal = 否 } expect 达标
case "研发费用499.9999万元：不符合" like "研发费用恰为500万元：符合" { rd_expense[2023] = 499.9999万 } expect 未达标 rd = 未达标
', NULL, NULL, 0, 'tiered', NULL, 'rd_expense', -1, NULL, NULL, '[{"from":5000000,"amount":100000},{"from":10000000,"amount":200000},{"from":50000000,"amount":500000}]', '研发后补助', NULL, NULL, 'rd', 'highest', NULL, NULL, '上一年度研发费用 500 万元（含）以上奖 10 万元、1000 万元（含）以上 20 万元、5000 万元（含）以上 50 万元；与研发费用后补助就高不重复（待核实）', 'unverified', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
INSERT INTO policy_items (policy_id, code, title, rule_text, trigger_kind, trigger_basis, auto_grant, amount_kind, amount, figure, figure_year, rate_bp, cap, tiers, budget_line, window_from, window_to, stack_group, stack_rule, year_cap, excludes, benefit, status, created_at, updated_at) VALUES ((SELECT id FROM policies WHERE code = 'national-hnte-tax'), 'hnte-tax', '高新技术企业所得税减按15%', 'ruleset policy-hnte-tax "高新技术企业所得税减按15%"
tier policy
status confirmed
all cond "适用条件" {
  hnte_cert "持有效期内的高新技术企业证书"
}
pass = cond
case "持有效高企证书：适用" { year = 2024 hnte_cert = 是 } expect 达标
case "无高企证书：不适用" { year = 2024 hnte_cert = 否 } expect 未达标
case "未知是否持证：缺数据" { year = 2024 } expect 缺数据
', NULL, NULL, 0, 'none', NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '国家需要重点扶持的高新技术企业，减按 15% 的税率征收企业所得税（法定税率 25%）。由税务机关办理，kechuang 仅作提示。', 'confirmed', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
INSERT INTO policy_items (policy_id, code, title, rule_text, trigger_kind, trigger_basis, auto_grant, amount_kind, amount, figure, figure_year, rate_bp, cap, tiers, budget_line, window_from, window_to, stack_group, stack_rule, year_cap, excludes, benefit, status, created_at, updated_at) VALUES ((SELECT id FROM policies WHERE code = 'national-rd-deduction'), 'rd-deduction', '研发费用税前加计扣除', 'ruleset policy-rd-deduction "研发费用税前加计扣除"
tier policy
status unverified
let y = year - 1
all cond "适用条件" {
  resident "居民企业"
  audit_collection "实行查账征收"
  rd: rd_expense[y] > 0元 "上一年度发生研发费用"
}
pass = cond
case "查账征收、有研发费用：适用" { year = 2024 resident = 是 audit_collection = 是 rd_expense[2023] = 1元 } expect 达标
case "核定征收：不适用" like "查账征收、有研发费用：适用" { audit_collection = 否 } expect 未达标
case "研发费用为0：不适用" like "查账征收、有研发费用：适用" { rd_expense[2023] = 0元 } expect 未达标 rd = 未达标
', NULL, NULL, 0, 'none', NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '企业开展研发活动实际发生的研发费用，在按规定据实扣除的基础上再加计扣除（比例按财政部 税务总局公告2023年第7号原文核对；委托研发合同须经科技部门登记）。由税务机关办理，仅作提示。', 'unverified', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
INSERT INTO policy_items (policy_id, code, title, rule_text, trigger_kind, trigger_basis, auto_grant, amount_kind, amount, figure, figure_year, rate_bp, cap, tiers, budget_line, window_from, window_to, stack_group, stack_rule, year_cap, excludes, benefit, status, created_at, updated_at) VALUES ((SELECT id FROM policies WHERE code = 'national-tech-transfer'), 'tech-transfer-tax', '技术转让所得减免企业所得税', 'ruleset policy-tech-transfer-tax "技术转让所得减免企业所得税"
tier policy
status confirmed
all cond "适用条件" {
  resident "居民企业"
}
pass = cond
case "居民企业：适用" { year = 2024 resident = 是 } expect 达标
case "非居民企业：不适用" { year = 2024 resident = 否 } expect 未达标
', NULL, NULL, 0, 'none', NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '一个纳税年度内，居民企业技术转让所得不超过 500 万元的部分免征企业所得税，超过 500 万元的部分减半征收；技术转让所得 = 技术转让收入 − 技术转让成本 − 相关税费；境内转让须经省级以上科技部门认定登记。例：所得 800 万元，应纳税 (800−500)×25%×50% = 37.5 万元。', 'confirmed', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
