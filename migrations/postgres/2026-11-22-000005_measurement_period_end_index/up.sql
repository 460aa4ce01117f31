-- The latest measured value of each indicator is looked up by the end of
-- its period; without this index SQLite scans every measurement of an
-- indicator for it.
CREATE INDEX measurements_indicator_id_period_end_idx ON measurements (indicator_id, period_end);
