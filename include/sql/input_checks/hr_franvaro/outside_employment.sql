-- Frånvaro ska ligga inom en anställning (samma person och Anstallnings-id) i anställningsuttaget för
-- samma förvaltning och månad: det senast inlästa som är laddat eller publicerat.
-- The lines that do lie within one are found once (an uncorrelated subquery over the load, hashed);
-- the JOIN makes GE leave the aliases to the query.
SELECT batch.source_line FROM {batch} batch
WHERE batch.source_line NOT IN (
    SELECT a.source_line
    FROM {batch} a
    JOIN hr_employment e
      ON e.forvaltning = a.forvaltning
     AND e.period = a.period
     AND e.employment_id = a.employment_id
     AND e.person_id = a.person_id
     AND a.start_day >= e.start_day
     AND (e.end_day IS NULL OR COALESCE(a.end_day, a.start_day) <= e.end_day)
    JOIN (SELECT x.forvaltning, x.period, MAX(x.load_id) AS load_id
          FROM hr_employment x
          JOIN load_audit l ON l.load_id = x.load_id AND l.status IN ('laddad', 'publicerad')
          GROUP BY x.forvaltning, x.period) newest
      ON newest.load_id = e.load_id AND newest.forvaltning = e.forvaltning AND newest.period = e.period
)
