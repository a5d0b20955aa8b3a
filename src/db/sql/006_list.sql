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

-- Positions 1..256 for splitting text into grams inside triggers (which
-- cannot use recursive CTEs). Names are at most 100 characters.
CREATE TABLE search_seq (n INTEGER PRIMARY KEY);
WITH RECURSIVE s (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 256)
INSERT INTO search_seq (n) SELECT n FROM s;

-- Short search: column g holds, space separated, substr(text, n, 2) for
-- every position n of the USCC, the name and each former name (so every
-- 2-character substring, and the last character alone). The unicode61
-- tokenizer folds ASCII case like LIKE does; a query of 2 letters, digits
-- or CJK ideographs is one token, a query of 1 such character is a prefix
-- query served by the 1-character prefix index. Queries with other
-- characters (punctuation, spaces inside) use LIKE instead (ent.c).
-- detail=none: rowids only, no positions (no phrase queries are needed).
-- Kept by the triggers below, like enterprise_fts.
CREATE VIRTUAL TABLE enterprise_grams USING fts5 (
    g, detail = 'none', prefix = '1',
    tokenize = 'unicode61 remove_diacritics 0'
);

-- The text the short-search index holds for an enterprise: every two
-- adjacent characters of its USCC, name and former names.
CREATE VIEW enterprise_gram_text AS
SELECT e.id AS id,
       COALESCE((SELECT group_concat(substr(e.uscc, s.n, 2), ' ')
                 FROM search_seq s WHERE s.n <= length(e.uscc)), '')
       || ' ' ||
       COALESCE((SELECT group_concat(substr(e.name, s.n, 2), ' ')
                 FROM search_seq s WHERE s.n <= length(e.name)), '')
       || ' ' ||
       COALESCE((SELECT group_concat(substr(f.name, s.n, 2), ' ')
                 FROM enterprise_names f JOIN search_seq s
                      ON s.n <= length(f.name)
                 WHERE f.enterprise_id = e.id), '') AS g
FROM enterprises e;

INSERT INTO enterprise_grams (rowid, g)
SELECT id, g FROM enterprise_gram_text;

CREATE TRIGGER enterprises_grams_ai AFTER INSERT ON enterprises BEGIN
    INSERT INTO enterprise_grams (rowid, g)
    SELECT id, g FROM enterprise_gram_text WHERE id = NEW.id;
END;

CREATE TRIGGER enterprises_grams_au AFTER UPDATE OF uscc, name ON enterprises
BEGIN
    DELETE FROM enterprise_grams WHERE rowid = NEW.id;
    INSERT INTO enterprise_grams (rowid, g)
    SELECT id, g FROM enterprise_gram_text WHERE id = NEW.id;
END;

CREATE TRIGGER enterprise_names_grams_ai AFTER INSERT ON enterprise_names
BEGIN
    DELETE FROM enterprise_grams WHERE rowid = NEW.enterprise_id;
    INSERT INTO enterprise_grams (rowid, g)
    SELECT id, g FROM enterprise_gram_text WHERE id = NEW.enterprise_id;
END;

CREATE TRIGGER enterprise_names_grams_au AFTER UPDATE OF enterprise_id, name
ON enterprise_names
BEGIN
    DELETE FROM enterprise_grams
    WHERE rowid IN (OLD.enterprise_id, NEW.enterprise_id);
    INSERT INTO enterprise_grams (rowid, g)
    SELECT id, g FROM enterprise_gram_text
    WHERE id IN (OLD.enterprise_id, NEW.enterprise_id);
END;

CREATE TRIGGER enterprise_names_grams_ad AFTER DELETE ON enterprise_names
BEGIN
    DELETE FROM enterprise_grams WHERE rowid = OLD.enterprise_id;
    INSERT INTO enterprise_grams (rowid, g)
    SELECT id, g FROM enterprise_gram_text WHERE id = OLD.enterprise_id;
END;
