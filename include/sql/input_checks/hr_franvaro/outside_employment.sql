-- Frånvaro ska ligga inom en anställning (samma person och Anstallnings-id) i anställningsuttaget för
-- samma förvaltning och månad: det senast inlästa som är laddat eller publicerat.
SELECT a.source_line FROM {batch} a
LEFT JOIN (
    SELECT e.forvaltning, e.period, e.employment_id, e.person_id, e.start_day, e.end_day
    FROM hr_employment e
    JOIN (SELECT x.forvaltning, x.period, MAX(x.load_id) AS load_id
          FROM hr_employment x
          JOIN load_audit l ON l.load_id = x.load_id AND l.status IN ('laddad', 'publicerad')
          GROUP BY x.forvaltning, x.period) newest
      ON newest.load_id = e.load_id AND newest.forvaltning = e.forvaltning AND newest.period = e.period
) emp
  ON emp.forvaltning = a.forvaltning
 AND emp.period = a.period
 AND emp.employment_id = a.employment_id
 AND emp.person_id = a.person_id
 AND a.start_day >= emp.start_day
 AND (emp.end_day IS NULL OR COALESCE(a.end_day, a.start_day) <= emp.end_day)
WHERE emp.employment_id IS NULL
