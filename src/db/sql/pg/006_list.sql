-- PostgreSQL version of 006 (src/db/sql/pg): the same without the
-- 2-gram FTS table (the pg_trgm indexes of 002 serve short queries).
--
-- 006_list.sql - the enterprise list at a million enterprises: a stored
-- "valid class-Ⅰ IP right until" date, partial indexes matching the list's
-- default shape (active enterprises of one unit, sorted), and an index of
-- 1-2 character substrings of names, former names and USCC for short
-- searches (the trigram table of 002 finds 3+ characters only).
-- See docs/internals/enterprise.md, "List performance".
--
-- ip1_until: the latest expiry date among the enterprise's class-Ⅰ IP
-- rights that are valid and not retired ('9999-12-31' for a right without
-- expiry), NULL when it has none. "Has a valid class-Ⅰ right today" is
-- ip1_until >= today: the stored value does not go stale as days pass.
-- Maintained in C (ent_refresh_derived, called by every writer of
-- ip_rights), not by a trigger.

ALTER TABLE enterprises ADD COLUMN ip1_until TEXT;

UPDATE enterprises SET ip1_until = v.until
FROM (SELECT enterprise_id, MAX(COALESCE(expires_on, '9999-12-31')) AS until
      FROM ip_rights
      WHERE klass = 1 AND status = 'valid' AND retired_at IS NULL
      GROUP BY enterprise_id) AS v
WHERE v.enterprise_id = enterprises.id;

-- Lists hide retired enterprises unless asked: partial indexes on the
-- active ones let a scan in sort order check the filters without reading
-- the table. (unit_id, x) serves "one unit, sorted by x" with OFFSET over
-- the index; descending sorts scan it backwards.
CREATE INDEX enterprises_act_unit_name ON enterprises (unit_id, name)
    WHERE retired_at IS NULL;
CREATE INDEX enterprises_act_unit_revenue ON enterprises (unit_id,
                                                          latest_revenue)
    WHERE retired_at IS NULL;
CREATE INDEX enterprises_act_name ON enterprises (name)
    WHERE retired_at IS NULL;
CREATE INDEX enterprises_act_revenue ON enterprises (latest_revenue)
    WHERE retired_at IS NULL;
CREATE INDEX enterprises_act_ip1 ON enterprises (ip1_until)
    WHERE retired_at IS NULL;

