-- 019_counts.sql - the enterprise's unit and retirement date on every
-- register row, so that the counts by kind and unit on a date
-- (qual_counts, qual_count_valid, the home page) read one covering index
-- of qualifications and never the 1M-row enterprises table.
--
-- unit_id is the enterprise's unit_id, ent_retired_on the date part of its
-- retired_at (NULL while it is not retired). Triggers keep both in step in
-- the writing transaction, whatever path writes: a new or re-assigned
-- register row takes its enterprise's values; an enterprise whose unit or
-- retirement changes (edit, batch move, import, retirement, restoring)
-- passes them to its register rows. PostgreSQL: pg/019_counts.sql (the
-- same with PL/pgSQL trigger functions). docs/internals/qual.md.
ALTER TABLE qualifications ADD COLUMN unit_id INTEGER;
ALTER TABLE qualifications ADD COLUMN ent_retired_on TEXT;
UPDATE qualifications SET
    unit_id = (SELECT e.unit_id FROM enterprises e
               WHERE e.id = qualifications.enterprise_id),
    ent_retired_on = (SELECT substr(e.retired_at, 1, 10) FROM enterprises e
                      WHERE e.id = qualifications.enterprise_id);
-- qualifications_count replaces 009's index of that name (the same leading
-- columns, then retirement and unit): one kind's count on a date is a range
-- of it. qualifications_count_unit serves the counts of every kind by unit:
-- read in (kind, unit, enterprise) order, they need no sort for grouping.
DROP INDEX qualifications_count;
CREATE INDEX qualifications_count ON qualifications (kind, valid_from,
    valid_to, ended_on, ent_retired_on, unit_id, enterprise_id);
CREATE INDEX qualifications_count_unit ON qualifications (kind, unit_id,
    enterprise_id, valid_from, valid_to, ended_on, ent_retired_on);
-- the compliance calendar's expiry rules (one kind, valid_to in a window:
-- the home page asks for the next seven days and this month) read a range
-- of this instead of every row of the kind
CREATE INDEX qualifications_kind_to ON qualifications (kind, valid_to);
-- one enterprise's rows of a kind on a date (the 再认定 test of every
-- insert, the list filter's EXISTS, the rule inputs) read this index alone;
-- as 009 had it, (enterprise_id, kind), SQLite preferred the covering
-- qualifications_count and read every row of the kind per insert
DROP INDEX qualifications_ent;
CREATE INDEX qualifications_ent ON qualifications (enterprise_id, kind,
    valid_from, valid_to, ended_on);
-- former names by name: the list import's and the contract import's
-- matching by 曾用名 scanned every row of enterprise_names per lookup (its
-- only index leads with enterprise_id)
CREATE INDEX enterprise_names_name ON enterprise_names (name, enterprise_id);

-- qual_insert writes both values itself; the trigger corrects any other
-- writer's (rows written without them, or with others)
CREATE TRIGGER qualifications_unit_ai AFTER INSERT ON qualifications
    WHEN NEW.unit_id IS NULL
        OR NEW.unit_id <> (SELECT unit_id FROM enterprises
                           WHERE id = NEW.enterprise_id)
        OR NEW.ent_retired_on IS NOT (SELECT substr(retired_at, 1, 10)
                                      FROM enterprises
                                      WHERE id = NEW.enterprise_id)
BEGIN
    UPDATE qualifications SET
        unit_id = (SELECT unit_id FROM enterprises
                   WHERE id = NEW.enterprise_id),
        ent_retired_on = (SELECT substr(retired_at, 1, 10) FROM enterprises
                          WHERE id = NEW.enterprise_id)
    WHERE id = NEW.id;
END;

CREATE TRIGGER qualifications_unit_au AFTER UPDATE OF enterprise_id
    ON qualifications
BEGIN
    UPDATE qualifications SET
        unit_id = (SELECT unit_id FROM enterprises
                   WHERE id = NEW.enterprise_id),
        ent_retired_on = (SELECT substr(retired_at, 1, 10) FROM enterprises
                          WHERE id = NEW.enterprise_id)
    WHERE id = NEW.id;
END;

CREATE TRIGGER enterprises_qual_unit_au AFTER UPDATE OF unit_id, retired_at
    ON enterprises
    WHEN OLD.unit_id IS NOT NEW.unit_id OR OLD.retired_at IS NOT NEW.retired_at
BEGIN
    UPDATE qualifications SET unit_id = NEW.unit_id,
        ent_retired_on = substr(NEW.retired_at, 1, 10)
    WHERE enterprise_id = NEW.id;
END;
