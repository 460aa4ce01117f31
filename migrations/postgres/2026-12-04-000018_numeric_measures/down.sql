ALTER TABLE indicator_values
    ALTER COLUMN value TYPE text USING value::text,
    ALTER COLUMN numerator TYPE text USING numerator::text,
    ALTER COLUMN denominator TYPE text USING denominator::text;
ALTER TABLE measurements
    ALTER COLUMN value TYPE text USING value::text,
    ALTER COLUMN numerator TYPE text USING numerator::text,
    ALTER COLUMN denominator TYPE text USING denominator::text;
ALTER TABLE targets ALTER COLUMN number TYPE text USING number::text;
ALTER TABLE indicators ALTER COLUMN baseline_number TYPE text USING baseline_number::text;
