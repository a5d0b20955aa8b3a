-- 025_qual_index.sql - one index fewer for every register row written.
--
-- qualifications_kind (kind, valid_from), from 009, is the first two
-- columns of qualifications_count (019): every query it served reads the
-- covering index as well (the planner picks qualifications_count or
-- qualifications_count_unit for the counts, qualifications_cert for the
-- numbers). A published list of 10,000 rows inserted into it 10,000 times
-- for nothing.
DROP INDEX IF EXISTS qualifications_kind;
