-- Budget order: missions and programs sort by their codes read as numbers,
-- segment by segment (1, 2, 10; 1.1, 1.2, 1.10), not as text. `sort_key`
-- is the code with every numeric segment of up to 8 digits left-padded to
-- 8 (`26.7` → `00000026.00000007`), written with the code by every writer
-- (`rows::budget_order_key`); here it is computed for the rows already
-- stored, the same way.
ALTER TABLE missions ADD COLUMN sort_key TEXT NOT NULL DEFAULT '';
ALTER TABLE programs ADD COLUMN sort_key TEXT NOT NULL DEFAULT '';

UPDATE missions SET sort_key = coalesce((
    WITH RECURSIVE split(rest, seg, n) AS (
        SELECT missions.code || '.', NULL, 0
        UNION ALL
        SELECT substr(rest, instr(rest, '.') + 1), substr(rest, 1, instr(rest, '.') - 1), n + 1
        FROM split WHERE rest <> ''
    )
    SELECT group_concat(
        CASE WHEN seg <> '' AND seg NOT GLOB '*[^0-9]*' AND length(seg) <= 8
             THEN substr('00000000' || seg, -8, 8) ELSE seg END, '.')
    FROM (SELECT seg FROM split WHERE seg IS NOT NULL ORDER BY n)
), code);

UPDATE programs SET sort_key = coalesce((
    WITH RECURSIVE split(rest, seg, n) AS (
        SELECT programs.code || '.', NULL, 0
        UNION ALL
        SELECT substr(rest, instr(rest, '.') + 1), substr(rest, 1, instr(rest, '.') - 1), n + 1
        FROM split WHERE rest <> ''
    )
    SELECT group_concat(
        CASE WHEN seg <> '' AND seg NOT GLOB '*[^0-9]*' AND length(seg) <= 8
             THEN substr('00000000' || seg, -8, 8) ELSE seg END, '.')
    FROM (SELECT seg FROM split WHERE seg IS NOT NULL ORDER BY n)
), code);

CREATE INDEX missions_sort_key_idx ON missions (sort_key, id);
CREATE INDEX programs_sort_key_idx ON programs (mission_id, sort_key, id);
