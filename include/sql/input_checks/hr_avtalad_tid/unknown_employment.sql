-- Avtalad tid ska höra till en anställning som finns i något anställningsuttag samma år (laddat eller publicerat).
SELECT c.source_line FROM {batch} c
LEFT JOIN (
    SELECT DISTINCT e.forvaltning, e.period / 100 AS year, e.employment_id
    FROM hr_employment e
    JOIN load_audit l ON l.load_id = e.load_id AND l.status IN ('laddad', 'publicerad')
) known
  ON known.forvaltning = c.forvaltning AND known.year = c.period / 100 AND known.employment_id = c.employment_id
WHERE known.employment_id IS NULL
