-- Where each imported object was written in its source (file and line, or
-- sheet and cell), for documents imported through a mapping: a reviewer
-- goes from a target back to the cell or line it came from.
CREATE TABLE source_locations (
    id SERIAL PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    entity TEXT NOT NULL,
    entity_code TEXT NOT NULL,
    file TEXT NOT NULL,
    line INTEGER,
    sheet TEXT,
    cell TEXT,
    UNIQUE (plan_id, position)
);
CREATE INDEX source_locations_plan_id_entity_code_idx ON source_locations (plan_id, entity_code);
