-- Personalomsättning (nyckeltal 124), numerator: tillsvidare employments that end (avgångar) and
-- start (rekryteringar) in [from_day, to_day]. A move to another tillsvidare employment of the same
-- person the next day is neither: the person stays in the förvaltning.
WITH tv AS (
    SELECT person_id, employment_id, start_day, end_day
    FROM hr_employment
    WHERE load_id = :load_id AND forvaltning = :forvaltning AND anstallningsform = 'tillsvidare'
)
SELECT
    (SELECT COUNT(*) FROM tv e
     WHERE e.end_day BETWEEN :from_day AND :to_day
       AND NOT EXISTS (SELECT 1 FROM tv o
                       WHERE o.person_id = e.person_id AND o.employment_id <> e.employment_id
                         AND o.start_day <= e.end_day + 1
                         AND (o.end_day IS NULL OR o.end_day >= e.end_day + 1))) AS avgangar,
    (SELECT COUNT(*) FROM tv e
     WHERE e.start_day BETWEEN :from_day AND :to_day
       AND NOT EXISTS (SELECT 1 FROM tv o
                       WHERE o.person_id = e.person_id AND o.employment_id <> e.employment_id
                         AND o.start_day <= e.start_day - 1
                         AND (o.end_day IS NULL OR o.end_day >= e.start_day - 1))) AS rekryteringar
