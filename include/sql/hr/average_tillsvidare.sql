-- Personalomsättning (nyckeltal 124), denominator: tillsvidare employments in force on the last
-- day of each month of the period, summed ({month_ends}: validated day numbers, filled in by
-- bokslut.hr.keyfigures); the average is the sum divided by the number of months.
WITH month_end (day_no) AS (VALUES {month_ends})
SELECT COUNT(e.employment_id) AS tillsvidare_manadsslut
FROM month_end m
JOIN hr_employment e
  ON e.start_day <= m.day_no AND (e.end_day IS NULL OR e.end_day >= m.day_no)
WHERE e.load_id = :load_id AND e.forvaltning = :forvaltning AND e.anstallningsform = 'tillsvidare'
