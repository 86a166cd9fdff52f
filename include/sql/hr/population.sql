-- Anställningar on the reference day (nyckeltal 122, 123, 125, 126): every employment of the
-- snapshot except hourly paid (timanställd) that is in force that day. Persons are counted once.
WITH population AS (
    SELECT person_id, anstallningsform, sysselsattningsgrad_hundradelar, chef, kon, utrikes_fodd
    FROM hr_employment
    WHERE load_id = :load_id
      AND forvaltning = :forvaltning
      AND anstallningsform <> 'timanställd'
      AND start_day <= :ref_day
      AND (end_day IS NULL OR end_day >= :ref_day)
)
SELECT
    COUNT(*) AS anstallningar,
    COALESCE(SUM(CASE WHEN anstallningsform = 'tillsvidare' THEN 1 ELSE 0 END), 0) AS tillsvidare,
    COALESCE(SUM(CASE WHEN anstallningsform = 'tillsvidare' AND sysselsattningsgrad_hundradelar >= 10000
                      THEN 1 ELSE 0 END), 0) AS heltid,
    COUNT(DISTINCT person_id) AS anstallda,
    COUNT(DISTINCT CASE WHEN kon = 'K' THEN person_id END) AS kvinnor,
    COUNT(DISTINCT CASE WHEN chef = 'J' THEN person_id END) AS chefer,
    COUNT(DISTINCT CASE WHEN chef = 'J' AND kon = 'K' THEN person_id END) AS kvinnliga_chefer,
    COUNT(DISTINCT CASE WHEN utrikes_fodd = 'J' THEN person_id END) AS utrikes_fodda,
    COUNT(DISTINCT CASE WHEN chef = 'J' AND utrikes_fodd = 'J' THEN person_id END) AS utrikes_fodda_chefer
FROM population
