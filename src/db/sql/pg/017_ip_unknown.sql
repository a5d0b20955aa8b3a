-- 017_ip_unknown.sql (PostgreSQL) - a blank 用于主要产品 is not known,
-- never 否: the column becomes nullable in place (the SQLite version
-- rebuilds the table, which PostgreSQL does not need; see
-- ../017_ip_unknown.sql for why).
ALTER TABLE ip_rights ALTER COLUMN main_product DROP NOT NULL;
ALTER TABLE ip_rights ALTER COLUMN main_product DROP DEFAULT;
