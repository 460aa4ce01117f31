-- The change log: every write that changes an indicator appends a row in
-- its own transaction; every server instance tails the log and tells its
-- subscribers (see ARCHITECTURE.md, "Events"). No foreign keys: a change
-- outlives the indicator it names (a deletion is a change too). Rows are
-- pruned by age and count by the listeners.
-- AUTOINCREMENT: ids are never reused, also after the newest rows were
-- pruned, so a cursor (the last id seen) stays valid.
CREATE TABLE changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    objective_id INTEGER NOT NULL,
    indicator_id INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind <> ''),
    period TEXT,
    recorded_at TIMESTAMP NOT NULL
);

CREATE INDEX changes_recorded_at_idx ON changes (recorded_at);
