-- 023_search_grams.sql - nothing on SQLite: its 1-2 character search
-- index is the FTS5 table enterprise_grams of 006. The PostgreSQL
-- version (pg/023_search_grams.sql) adds the index that serves 1- and
-- 2-character queries there (pg_trgm finds 3+ characters only).
SELECT 1;
