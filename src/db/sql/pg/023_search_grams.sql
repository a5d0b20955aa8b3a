-- PostgreSQL version of 023 (src/db/sql/pg): an index for search queries
-- of 1 or 2 characters, which pg_trgm cannot serve (it extracts no
-- trigram from them, so ILIKE '%科技%' read every enterprise).
--
-- enterprise_search holds, per enterprise, the distinct 1- and
-- 2-character substrings of its USCC, its name and each former name,
-- lower-cased as ILIKE folds them (grams never span two of these texts),
-- in a GIN-indexed array: "name, USCC or a former name contains the
-- 2-character text q (ILIKE)" is exactly grams @> ARRAY[lower(q)], an
-- index lookup. The search hook (db_search_sql, DB_SEARCH_GRAM) joins it
-- to enterprises like SQLite's enterprise_grams. Kept in step with
-- enterprises and enterprise_names by the triggers below; left out of
-- kechuang migrate (the destination's triggers rebuild it).

CREATE TABLE enterprise_search (
    enterprise_id BIGINT PRIMARY KEY,
    grams TEXT[] NOT NULL
);

-- The distinct 1- and 2-character substrings of s, lower-cased.
CREATE FUNCTION kc_grams(s TEXT) RETURNS TEXT[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$
    SELECT COALESCE(array_agg(DISTINCT substr(x.l, p.n, w.k)), '{}')
    FROM (SELECT lower(s) AS l) AS x
    CROSS JOIN generate_series(1, char_length(s)) AS p (n)
    CROSS JOIN (VALUES (1), (2)) AS w (k)
$f$;

-- The grams of enterprise eid: USCC, name and former names.
CREATE FUNCTION kc_ent_grams(eid BIGINT) RETURNS TEXT[]
LANGUAGE sql STABLE AS $f$
    SELECT COALESCE(array_agg(DISTINCT g.g), '{}')
    FROM (SELECT unnest(kc_grams(e.uscc) || kc_grams(e.name)) AS g
          FROM enterprises e WHERE e.id = eid
          UNION ALL
          SELECT unnest(kc_grams(n.name))
          FROM enterprise_names n WHERE n.enterprise_id = eid) AS g
$f$;

-- Bring the row of enterprise eid up to date (removed when the
-- enterprise no longer exists).
CREATE FUNCTION kc_search_sync(eid BIGINT) RETURNS void
LANGUAGE sql AS $f$
    DELETE FROM enterprise_search WHERE enterprise_id = eid
        AND NOT EXISTS (SELECT 1 FROM enterprises WHERE id = eid);
    INSERT INTO enterprise_search (enterprise_id, grams)
    SELECT e.id, kc_ent_grams(e.id) FROM enterprises e WHERE e.id = eid
    ON CONFLICT (enterprise_id) DO UPDATE SET grams = excluded.grams;
$f$;

CREATE FUNCTION kc_search_trigger() RETURNS trigger
LANGUAGE plpgsql AS $f$
BEGIN
    IF TG_TABLE_NAME = 'enterprises' THEN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM enterprise_search WHERE enterprise_id = OLD.id;
        ELSIF TG_OP = 'INSERT' THEN
            INSERT INTO enterprise_search (enterprise_id, grams)
            VALUES (NEW.id, kc_grams(NEW.uscc) || kc_grams(NEW.name))
            ON CONFLICT (enterprise_id) DO UPDATE SET grams = excluded.grams;
        ELSE
            PERFORM kc_search_sync(NEW.id);
        END IF;
    ELSE
        IF TG_OP <> 'INSERT' THEN
            PERFORM kc_search_sync(OLD.enterprise_id);
        END IF;
        IF TG_OP <> 'DELETE' THEN
            PERFORM kc_search_sync(NEW.enterprise_id);
        END IF;
    END IF;
    RETURN NULL;
END
$f$;

CREATE TRIGGER enterprises_search AFTER INSERT OR DELETE OR UPDATE OF uscc,
    name ON enterprises FOR EACH ROW EXECUTE FUNCTION kc_search_trigger();
CREATE TRIGGER enterprise_names_search AFTER INSERT OR DELETE OR UPDATE OF
    enterprise_id, name ON enterprise_names
    FOR EACH ROW EXECUTE FUNCTION kc_search_trigger();

INSERT INTO enterprise_search (enterprise_id, grams)
SELECT id, kc_ent_grams(id) FROM enterprises;

CREATE INDEX enterprise_search_grams ON enterprise_search USING gin (grams);
