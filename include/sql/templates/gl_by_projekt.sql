-- Published postings per project, period, account class (first digit) and Anslag, from the
-- first loaded period up to the reporting period: accumulated and yearly project figures
-- (Verksamhetsprojekt, Externa projekt). Rows without a project code are left out.
SELECT
    p.projekt,
    p.period,
    SUBSTR(p.konto, 1, 1) AS kontoklass,
    p.anslag,
    SUM(p.amount_ore) AS amount_ore
FROM posting AS p
WHERE p.forvaltning = :forvaltning
  AND p.period <= :period_to
  AND p.projekt <> ''
  AND p.load_id IN ({published_loads})
GROUP BY p.projekt, p.period, SUBSTR(p.konto, 1, 1), p.anslag
