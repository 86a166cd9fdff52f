-- Avtalad tid ska höra till en anställning som finns i något anställningsuttag samma år (laddat eller publicerat).
-- A row condition (NOT EXISTS on the row's own keys) so the input check counts it in its one pass;
-- the JOIN makes GE leave the alias `batch` to the query.
SELECT batch.source_line FROM {batch} batch
WHERE NOT EXISTS (
    SELECT 1
    FROM hr_employment e
    JOIN load_audit l ON l.load_id = e.load_id AND l.status IN ('laddad', 'publicerad')
    WHERE e.employment_id = batch.employment_id
      AND e.forvaltning = batch.forvaltning
      AND e.period / 100 = batch.period / 100
)
