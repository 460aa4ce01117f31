-- The plan graph: plans, budget classification, responsibility centres,
-- objectives with indicators, targets and phases, the multi-year shape
-- (areas, ambiti, results), measured values and import findings.
-- Every foreign key has an index whose first column is that key.

CREATE TABLE plans (
    id SERIAL PRIMARY KEY,
    code TEXT NOT NULL UNIQUE CHECK (code <> ''),
    kind TEXT NOT NULL CHECK (kind IN ('annual_objectives', 'multi_year')),
    administration TEXT,
    title TEXT NOT NULL,
    first_year INTEGER NOT NULL,
    last_year INTEGER NOT NULL,
    notes TEXT NOT NULL DEFAULT '[]',
    source_file TEXT,
    imported_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK (first_year <= last_year)
);

CREATE TABLE missions (
    id SERIAL PRIMARY KEY,
    code TEXT NOT NULL UNIQUE CHECK (code <> ''),
    name TEXT NOT NULL
);

CREATE TABLE programs (
    id SERIAL PRIMARY KEY,
    mission_id INTEGER NOT NULL REFERENCES missions (id) ON DELETE RESTRICT,
    code TEXT NOT NULL UNIQUE CHECK (code <> ''),
    name TEXT NOT NULL
);
CREATE INDEX programs_mission_id_idx ON programs (mission_id);

CREATE TABLE actions (
    id SERIAL PRIMARY KEY,
    program_id INTEGER NOT NULL REFERENCES programs (id) ON DELETE RESTRICT,
    name TEXT NOT NULL CHECK (name <> ''),
    UNIQUE (program_id, name)
);

CREATE TABLE responsibility_centres (
    id SERIAL PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    name TEXT NOT NULL CHECK (name <> ''),
    head TEXT,
    UNIQUE (plan_id, name)
);

CREATE TABLE offices (
    id SERIAL PRIMARY KEY,
    responsibility_centre_id INTEGER NOT NULL REFERENCES responsibility_centres (id) ON DELETE CASCADE,
    name TEXT NOT NULL CHECK (name <> ''),
    UNIQUE (responsibility_centre_id, name)
);

CREATE TABLE strategic_objectives (
    id SERIAL PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    code TEXT NOT NULL CHECK (code <> ''),
    title TEXT NOT NULL,
    UNIQUE (plan_id, code)
);

CREATE TABLE annual_objectives (
    id SERIAL PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    strategic_objective_id INTEGER REFERENCES strategic_objectives (id) ON DELETE SET NULL,
    code TEXT NOT NULL CHECK (code <> ''),
    title TEXT NOT NULL,
    UNIQUE (plan_id, code)
);
CREATE INDEX annual_objectives_strategic_objective_id_idx ON annual_objectives (strategic_objective_id);

CREATE TABLE objectives (
    id SERIAL PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    responsibility_centre_id INTEGER NOT NULL REFERENCES responsibility_centres (id) ON DELETE RESTRICT,
    position INTEGER NOT NULL,
    code TEXT NOT NULL CHECK (code <> ''),
    year INTEGER NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    offices_text TEXT NOT NULL,
    strategic_objectives_text TEXT NOT NULL,
    annual_objectives_text TEXT NOT NULL,
    other_offices TEXT NOT NULL,
    external_bodies TEXT NOT NULL,
    start_date DATE,
    end_date DATE,
    max_score_points INTEGER,
    max_score_out_of INTEGER,
    amended_fields TEXT NOT NULL DEFAULT '[]',
    notes TEXT NOT NULL DEFAULT '[]',
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (plan_id, code),
    CHECK (start_date IS NULL OR end_date IS NULL OR start_date <= end_date),
    CHECK ((max_score_points IS NULL) = (max_score_out_of IS NULL)),
    CHECK (max_score_out_of IS NULL OR (max_score_out_of > 0 AND max_score_points BETWEEN 0 AND max_score_out_of))
);
CREATE INDEX objectives_responsibility_centre_id_idx ON objectives (responsibility_centre_id);

CREATE TABLE objective_offices (
    objective_id INTEGER NOT NULL REFERENCES objectives (id) ON DELETE CASCADE,
    office_id INTEGER NOT NULL REFERENCES offices (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (objective_id, office_id)
);
CREATE INDEX objective_offices_office_id_idx ON objective_offices (office_id);

CREATE TABLE objective_strategic_objectives (
    objective_id INTEGER NOT NULL REFERENCES objectives (id) ON DELETE CASCADE,
    strategic_objective_id INTEGER NOT NULL REFERENCES strategic_objectives (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    -- The linked objective's title as this sheet words it (sheets differ).
    title TEXT NOT NULL,
    PRIMARY KEY (objective_id, strategic_objective_id)
);
CREATE INDEX objective_strategic_objectives_so_id_idx ON objective_strategic_objectives (strategic_objective_id);

CREATE TABLE objective_annual_objectives (
    objective_id INTEGER NOT NULL REFERENCES objectives (id) ON DELETE CASCADE,
    annual_objective_id INTEGER NOT NULL REFERENCES annual_objectives (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    -- The linked objective's title as this sheet words it (sheets differ).
    title TEXT NOT NULL,
    PRIMARY KEY (objective_id, annual_objective_id)
);
CREATE INDEX objective_annual_objectives_ao_id_idx ON objective_annual_objectives (annual_objective_id);

CREATE TABLE objective_actions (
    objective_id INTEGER NOT NULL REFERENCES objectives (id) ON DELETE CASCADE,
    action_id INTEGER NOT NULL REFERENCES actions (id) ON DELETE RESTRICT,
    position INTEGER NOT NULL,
    PRIMARY KEY (objective_id, action_id)
);
CREATE INDEX objective_actions_action_id_idx ON objective_actions (action_id);

CREATE TABLE indicators (
    id SERIAL PRIMARY KEY,
    objective_id INTEGER NOT NULL REFERENCES objectives (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    code TEXT NOT NULL CHECK (code <> ''),
    description TEXT NOT NULL,
    method TEXT NOT NULL,
    kind TEXT NOT NULL,
    unit TEXT NOT NULL CHECK (unit IN ('days', 'percent', 'count')),
    direction TEXT NOT NULL CHECK (direction IN ('higher_is_better', 'lower_is_better')),
    baseline_raw TEXT,
    baseline_comparator TEXT CHECK (baseline_comparator IN ('le', 'lt', 'ge', 'gt', 'eq')),
    baseline_number TEXT,
    baseline_unit TEXT CHECK (baseline_unit IN ('days', 'percent', 'count')),
    baseline_note TEXT,
    calculator_id TEXT,
    calculator_params TEXT,
    calculator_guessed BOOLEAN NOT NULL DEFAULT FALSE,
    amended_fields TEXT NOT NULL DEFAULT '[]',
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (objective_id, code)
);

CREATE TABLE targets (
    id SERIAL PRIMARY KEY,
    indicator_id INTEGER NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
    year INTEGER NOT NULL,
    raw TEXT NOT NULL,
    comparator TEXT CHECK (comparator IN ('le', 'lt', 'ge', 'gt', 'eq')),
    number TEXT,
    unit TEXT CHECK (unit IN ('days', 'percent', 'count')),
    note TEXT,
    amended BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (indicator_id, year)
);

CREATE TABLE phases (
    id SERIAL PRIMARY KEY,
    objective_id INTEGER NOT NULL REFERENCES objectives (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    code TEXT NOT NULL CHECK (code <> ''),
    description TEXT NOT NULL,
    start_date DATE,
    end_date DATE,
    expected_result TEXT NOT NULL,
    -- Hundredths of a percent: 8% is 800, so weights stay exact integers.
    weight_bp INTEGER CHECK (weight_bp BETWEEN 0 AND 10000),
    amended_fields TEXT NOT NULL DEFAULT '[]',
    UNIQUE (objective_id, code),
    CHECK (start_date IS NULL OR end_date IS NULL OR start_date <= end_date)
);

CREATE TABLE areas (
    id SERIAL PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT,
    subtitle TEXT,
    introduction TEXT NOT NULL,
    UNIQUE (plan_id, position)
);

CREATE TABLE ambiti (
    id SERIAL PRIMARY KEY,
    area_id INTEGER NOT NULL REFERENCES areas (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    objective TEXT NOT NULL,
    UNIQUE (area_id, position)
);

CREATE TABLE ambito_results (
    id SERIAL PRIMARY KEY,
    ambito_id INTEGER NOT NULL REFERENCES ambiti (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    year INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('expected', 'actual')),
    text TEXT NOT NULL,
    UNIQUE (ambito_id, year, kind)
);

CREATE TABLE measurements (
    id SERIAL PRIMARY KEY,
    indicator_id INTEGER NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
    period TEXT NOT NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    value TEXT NOT NULL,
    numerator TEXT,
    denominator TEXT,
    source TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    UNIQUE (indicator_id, period),
    CHECK (period_start <= period_end)
);

CREATE TABLE findings (
    id SERIAL PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    entity TEXT NOT NULL,
    entity_code TEXT NOT NULL,
    code TEXT NOT NULL,
    message TEXT NOT NULL,
    line INTEGER,
    severity TEXT NOT NULL CHECK (severity IN ('warning'))
);
CREATE INDEX findings_plan_id_idx ON findings (plan_id);
