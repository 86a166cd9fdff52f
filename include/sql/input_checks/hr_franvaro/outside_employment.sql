-- Frånvaro ska ligga inom en anställning (samma person och Anstallnings-id) i anställningsuttaget för
-- samma förvaltning och månad: det senast inlästa som är laddat eller publicerat.
-- A row condition (NOT EXISTS on the row's own keys) so the input check counts it in its one pass;
-- the JOIN makes GE leave the alias `batch` to the query.
SELECT batch.source_line FROM {batch} batch
WHERE NOT EXISTS (
    SELECT 1
    FROM hr_employment e
    WHERE e.employment_id = batch.employment_id
      AND e.person_id = batch.person_id
      AND e.forvaltning = batch.forvaltning
      AND e.period = batch.period
      AND batch.start_day >= e.start_day
      AND (e.end_day IS NULL OR COALESCE(batch.end_day, batch.start_day) <= e.end_day)
      AND (e.forvaltning, e.period, e.load_id) IN (
          SELECT x.forvaltning, x.period, MAX(x.load_id)
          FROM hr_employment x
          JOIN load_audit l ON l.load_id = x.load_id AND l.status IN ('laddad', 'publicerad')
          GROUP BY x.forvaltning, x.period)
)
