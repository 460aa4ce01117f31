-- Budget order: missions and programs sort by their codes read as numbers,
-- segment by segment (1, 2, 10; 1.1, 1.2, 1.10), not as text. `sort_key`
-- is the code with every numeric segment of up to 8 digits left-padded to
-- 8 (`26.7` → `00000026.00000007`), written with the code by every writer
-- (`rows::budget_order_key`); here it is computed for the rows already
-- stored, the same way. COLLATE "C": the keys compare byte by byte, as on
-- SQLite, whatever the database's collation.
ALTER TABLE missions ADD COLUMN sort_key TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE programs ADD COLUMN sort_key TEXT COLLATE "C" NOT NULL DEFAULT '';

UPDATE missions SET sort_key = coalesce((
    SELECT string_agg(CASE WHEN s ~ '^[0-9]{1,8}$' THEN lpad(s, 8, '0') ELSE s END, '.' ORDER BY n)
    FROM unnest(string_to_array(code, '.')) WITH ORDINALITY AS t(s, n)
), code);

UPDATE programs SET sort_key = coalesce((
    SELECT string_agg(CASE WHEN s ~ '^[0-9]{1,8}$' THEN lpad(s, 8, '0') ELSE s END, '.' ORDER BY n)
    FROM unnest(string_to_array(code, '.')) WITH ORDINALITY AS t(s, n)
), code);

CREATE INDEX missions_sort_key_idx ON missions (sort_key, id);
CREATE INDEX programs_sort_key_idx ON programs (mission_id, sort_key, id);
