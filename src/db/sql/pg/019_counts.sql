-- 019_counts.sql for PostgreSQL: the columns, index and rules of
-- ../019_counts.sql, with the triggers as PL/pgSQL functions (a BEFORE
-- trigger sets the new register row's values; an AFTER trigger on
-- enterprises passes a changed unit or retirement to its register rows).
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

CREATE FUNCTION qualifications_unit_set() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    SELECT e.unit_id, substr(e.retired_at, 1, 10)
        INTO NEW.unit_id, NEW.ent_retired_on
        FROM enterprises e WHERE e.id = NEW.enterprise_id;
    RETURN NEW;
END
$$;

CREATE TRIGGER qualifications_unit_bi BEFORE INSERT OR UPDATE OF enterprise_id
    ON qualifications FOR EACH ROW EXECUTE FUNCTION qualifications_unit_set();

CREATE FUNCTION enterprises_qual_unit() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE qualifications SET unit_id = NEW.unit_id,
        ent_retired_on = substr(NEW.retired_at, 1, 10)
    WHERE enterprise_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER enterprises_qual_unit_au AFTER UPDATE OF unit_id, retired_at
    ON enterprises FOR EACH ROW
    WHEN (OLD.unit_id IS DISTINCT FROM NEW.unit_id
          OR OLD.retired_at IS DISTINCT FROM NEW.retired_at)
    EXECUTE FUNCTION enterprises_qual_unit();
