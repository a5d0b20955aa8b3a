-- 018_catalogue.sql - number reserved for the catalogue migration of
-- another branch; this placeholder only keeps the numbering without gaps
-- until that branch is merged (take its version of this file).
SELECT 1;
