DROP INDEX programs_sort_key_idx;
DROP INDEX missions_sort_key_idx;
ALTER TABLE programs DROP COLUMN sort_key;
ALTER TABLE missions DROP COLUMN sort_key;
