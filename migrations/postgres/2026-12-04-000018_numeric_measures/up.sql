-- Numbers of the domain as exact decimals: a baseline's and a target's
-- number, a measurement's value with its numerator and denominator, and a
-- computed value's. They were decimal text; every writer wrote them from a
-- decimal, so each converts. The scale is kept ('12.50' stays 12.50).
ALTER TABLE indicators ALTER COLUMN baseline_number TYPE numeric USING baseline_number::numeric;
ALTER TABLE targets ALTER COLUMN number TYPE numeric USING number::numeric;
ALTER TABLE measurements
    ALTER COLUMN value TYPE numeric USING value::numeric,
    ALTER COLUMN numerator TYPE numeric USING numerator::numeric,
    ALTER COLUMN denominator TYPE numeric USING denominator::numeric;
ALTER TABLE indicator_values
    ALTER COLUMN value TYPE numeric USING value::numeric,
    ALTER COLUMN numerator TYPE numeric USING numerator::numeric,
    ALTER COLUMN denominator TYPE numeric USING denominator::numeric;
