-- 010_qual.sql - the compliance calendar's rules (到期提醒) as data.
--
-- One row per dated obligation of a qualification kind (kinds in
-- src/domain/qual/qual_kind.c). The calendar (src/domain/qual/qual_cal.c)
-- computes dates from the register with these rules; nothing about them
-- is in code. anchor says how a date is computed:
--   valid_to     due = valid_to + offset_days
--   expiry_year  a window from January 1st of the valid_to year to
--                valid_to + offset_days (the re-certification year)
--   yearly       every year on month-day, for each qualification valid
--                on that day
-- status is 'confirmed' when the date was seen in the source text, else
-- 'unverified' (shown as 未核实 next to the date). Written in the
-- portable SQL subset of db.h.
CREATE TABLE calendar_rules (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    event TEXT NOT NULL,
    anchor TEXT NOT NULL,
    offset_days INTEGER NOT NULL DEFAULT 0,
    month INTEGER,
    day INTEGER,
    title TEXT NOT NULL,
    source TEXT NOT NULL,
    source_date TEXT,
    status TEXT NOT NULL DEFAULT 'unverified',
    enabled INTEGER NOT NULL DEFAULT 1,
    CHECK (anchor IN ('valid_to', 'expiry_year', 'yearly')),
    CHECK (status IN ('confirmed', 'unverified'))
);

INSERT INTO calendar_rules (code, kind, event, anchor, offset_days, month,
    day, title, source, source_date, status) VALUES
('hnte.expiry', 'hnte', 'expiry', 'valid_to', 0, NULL, NULL,
 '高新技术企业资格到期（自颁发证书之日起三年）',
 '《高新技术企业认定管理办法》国科发火〔2016〕32号 第九条', '2016-01-29',
 'confirmed'),
('hnte.recert', 'hnte', 'recert_window', 'expiry_year', 0, NULL, NULL,
 '高新技术企业重新认定申报（资格期满当年，按初次申请办理；具体受理时间以当年市认定机构通知为准）',
 '国家税务总局公告2017年第24号 第一条第二款；国科发火〔2016〕32号', '2017-06-19',
 'unverified'),
('hnte.annual_report', 'hnte', 'annual_report', 'yearly', 0, 5, 31,
 '高新技术企业年度发展情况报表填报截止（每年5月底前）',
 '《高新技术企业认定管理工作指引》国科发火〔2016〕195号', '2016-06-22',
 'confirmed'),
('sme.expiry', 'sme', 'expiry', 'valid_to', 0, NULL, NULL,
 '科技型中小企业入库登记编号到期（登记编号当年有效）',
 '国科火字〔2019〕87号', NULL, 'confirmed'),
('sme.reeval', 'sme', 'annual_reeval', 'yearly', 0, 3, 31,
 '科技型中小企业年度评价信息更新（每年3月底前）',
 '2026 年二手资料所述，官方原文未见（criteria.md §1.6）', NULL, 'unverified'),
('innovative_sme.expiry', 'innovative_sme', 'expiry', 'valid_to', 0, NULL,
 NULL, '创新型中小企业有效期届满（三年）',
 '《优质中小企业梯度培育管理暂行办法》工信部企业〔2022〕63号', '2022-06-01',
 'unverified'),
('zjtx.expiry', 'zjtx', 'expiry', 'valid_to', 0, NULL, NULL,
 '专精特新中小企业有效期届满（三年）',
 '《优质中小企业梯度培育管理暂行办法》工信部企业〔2022〕63号', '2022-06-01',
 'unverified'),
('xiaojuren.expiry', 'xiaojuren', 'expiry', 'valid_to', 0, NULL, NULL,
 '专精特新“小巨人”企业有效期届满（三年）',
 '《优质中小企业梯度培育管理暂行办法》工信部企业〔2022〕63号', '2022-06-01',
 'confirmed'),
('liebao.update', 'liebao', 'annual_update', 'yearly', 0, 9, 30,
 '猎豹企业年度信息更新审核截止（9月30日前，逾期取消入库登记编号）',
 '天津市科学技术局 2026 年猎豹企业评价通知（天津经开区转发）', NULL,
 'unverified'),
('tj_hnte.expiry', 'tj_hnte', 'expiry', 'valid_to', 0, NULL, NULL,
 '天津市高新技术企业资格到期', '有效期以证书为准（认定办法原文未见）', NULL,
 'unverified'),
('chuying.expiry', 'chuying', 'expiry', 'valid_to', 0, NULL, NULL,
 '雏鹰企业入库有效期届满', '津科规〔2021〕3号（有效期条款原文未见）',
 '2021-07-09', 'unverified'),
('dengling.expiry', 'dengling', 'expiry', 'valid_to', 0, NULL, NULL,
 '瞪羚企业入库有效期届满（每年复评）', '津科规〔2021〕3号（复评条款原文未见）',
 '2021-07-09', 'unverified'),
('tasc.expiry', 'tasc', 'expiry', 'valid_to', 0, NULL, NULL,
 '技术先进型服务企业资格到期', '有效期以认定文件为准（原文未见）', NULL,
 'unverified');

-- Published-list imports (认定名单 / 入库名单): a checked file's rows with
-- their matches (JSON, as the dry run reported them), kept until a person
-- has resolved the unmatched and ambiguous rows and applies it.
CREATE TABLE qual_imports (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    batch TEXT,
    file_name TEXT,
    user_id INTEGER NOT NULL,
    unit_path TEXT NOT NULL,
    n_rows INTEGER NOT NULL,
    rows_json TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'checked',
    created_at TEXT NOT NULL,
    applied_at TEXT,
    CHECK (status IN ('checked', 'applied'))
);
