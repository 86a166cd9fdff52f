-- Avtalad tid ska höra till en anställning som finns i något anställningsuttag samma år (laddat eller publicerat).
-- The lines whose employment is known are found once (an uncorrelated subquery over the load, hashed);
-- the JOIN makes GE leave the aliases to the query.
SELECT batch.source_line FROM {batch} batch
WHERE batch.source_line NOT IN (
    SELECT c.source_line
    FROM {batch} c
    JOIN (
        SELECT DISTINCT e.forvaltning, e.period / 100 AS year, e.employment_id
        FROM hr_employment e
        JOIN load_audit l ON l.load_id = e.load_id AND l.status IN ('laddad', 'publicerad')
    ) known
      ON known.forvaltning = c.forvaltning AND known.year = c.period / 100 AND known.employment_id = c.employment_id
)
