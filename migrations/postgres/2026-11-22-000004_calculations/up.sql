-- Indicator calculations: invoice payments (the inputs of payment
-- timeliness), phase progress (the inputs of phase completion), and computed
-- indicator values with their provenance. Every foreign key has an index
-- whose first column is that key.

CREATE TABLE payments (
    id SERIAL PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    invoice_id TEXT NOT NULL CHECK (invoice_id <> ''),
    supplier TEXT NOT NULL,
    -- Euro cents, net of VAT under split payment.
    amount_cents BIGINT NOT NULL CHECK (amount_cents BETWEEN -10000000000000 AND 10000000000000),
    invoice_date DATE NOT NULL,
    due_date DATE,
    payment_date DATE,
    suspended_days INTEGER NOT NULL DEFAULT 0 CHECK (suspended_days BETWEEN 0 AND 100000),
    source_file TEXT NOT NULL,
    -- One-based position of the record among the data rows of its file.
    line INTEGER NOT NULL CHECK (line > 0),
    UNIQUE (plan_id, invoice_id)
);

CREATE TABLE phase_progress (
    id SERIAL PRIMARY KEY,
    phase_id INTEGER NOT NULL REFERENCES phases (id) ON DELETE CASCADE,
    period TEXT NOT NULL,
    -- The period's last day: progress "as of" a date orders and filters by it.
    period_end DATE NOT NULL,
    -- Hundredths of a percent, like phases.weight_bp: 62.5% is 6250.
    completion_bp INTEGER NOT NULL CHECK (completion_bp BETWEEN 0 AND 10000),
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    UNIQUE (phase_id, period)
);

CREATE TABLE indicator_values (
    id SERIAL PRIMARY KEY,
    indicator_id INTEGER NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
    period TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('ok', 'no_data')),
    -- Decimals as text, exactly as computed (both backends, no rounding).
    value TEXT,
    numerator TEXT,
    denominator TEXT,
    records_used BIGINT NOT NULL CHECK (records_used >= 0),
    records_excluded BIGINT NOT NULL CHECK (records_excluded >= 0),
    -- JSON array of {code, message}.
    diagnostics TEXT NOT NULL DEFAULT '[]',
    calculator_id TEXT NOT NULL,
    calculator_version TEXT NOT NULL,
    calculator_source TEXT NOT NULL,
    -- JSON object of the parameters the calculator ran with.
    calculator_params TEXT NOT NULL DEFAULT '{}',
    input_fingerprint TEXT NOT NULL,
    computed_at TIMESTAMP NOT NULL,
    computed_by TEXT NOT NULL,
    CHECK ((status = 'ok') = (value IS NOT NULL)),
    CHECK ((numerator IS NULL) = (denominator IS NULL))
);
-- History of one indicator and period, newest first.
CREATE INDEX indicator_values_indicator_id_period_idx ON indicator_values (indicator_id, period, id);
