-- 029_reserved.sql - placeholder: number 029 is taken by another branch's
-- migration, and tools/embed wants no gaps before 032_qual_year_index.sql.
-- Drop this file when that migration is merged.
SELECT 1;
