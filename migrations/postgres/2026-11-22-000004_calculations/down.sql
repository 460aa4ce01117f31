DROP TABLE indicator_values;
DROP TABLE phase_progress;
DROP TABLE payments;
