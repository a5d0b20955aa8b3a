-- 025_reserved.sql - placeholder: number 025 is taken by another branch's
-- migration, and tools/embed wants no gaps before 026_plan_counts.sql.
-- Drop this file when that migration is merged.
SELECT 1;
