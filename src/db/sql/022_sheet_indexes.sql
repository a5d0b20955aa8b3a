-- 022_sheet_indexes.sql - the carriers' yearly sheets read indexes only.
--
-- 015 created ip_rights_granted; on SQLite, 017 rebuilt ip_rights (to make
-- main_product nullable) and the index went with the old table, so the
-- sheet's two IP counts probed ip_rights once per tenancy and read the
-- table rows (about 1 s of CPU at 1M enterprises / 200k tenancies instead
-- of 0.05 s). PostgreSQL kept it (its 017 alters the column in place):
-- IF NOT EXISTS makes this one text for both.
CREATE INDEX IF NOT EXISTS ip_rights_granted ON ip_rights (granted_on,
    enterprise_id, klass, retired_at);
-- The sheets' IP and financing counts go from the fact to the tenancy of
-- its enterprise: covering, so no table row is read.
DROP INDEX IF EXISTS carrier_tenants_ent;
CREATE INDEX carrier_tenants_ent ON carrier_tenants (enterprise_id, moved_in,
    moved_out, carrier_id);
