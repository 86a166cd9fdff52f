-- Personalomsättning (nyckeltal 124), denominator: tillsvidare employments in force on one
-- month-end day (the bound day_no); bokslut.hr.keyfigures sums it over the last day of each month of the
-- period and divides by the number of months.
SELECT COUNT(e.employment_id) AS tillsvidare_manadsslut
FROM hr_employment AS e
WHERE
    e.load_id = :load_id AND e.forvaltning = :forvaltning AND e.anstallningsform = 'tillsvidare'
    AND e.start_day <= :day_no AND (e.end_day IS NULL OR e.end_day >= :day_no)
