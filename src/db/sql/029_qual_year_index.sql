-- 029_qual_year_index.sql - the register's rows of one year.
--
-- The district's policy matching (policy_match.c, ev_prefetch) counts the
-- trigger events of every item (a first 高企 certification of the year,
-- ...) from the qualifications of the year: `year = Y` and, for rows
-- without a year, the issue date within it. No index led with `year`, so
-- every cold district pass read the whole register (1.66M rows in the
-- 1M-enterprise bench library, 0.15 M of them of one year). With the kind,
-- the basis, the end date and the enterprise in the index as well, the
-- rows of a year are read from the index alone (the query reads the rows
-- without a year by a second branch, `year IS NULL`, of the same index).
-- One more index for every register row written.
CREATE INDEX qualifications_year ON qualifications (year, kind, basis,
    ended_on, enterprise_id);
