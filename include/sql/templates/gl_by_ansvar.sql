-- Published drift and investment postings per ansvar, account and Anslag for a range of periods
-- (Resultatenheter: each unit's outturn against its budget).
SELECT
    p.ansvar,
    p.konto,
    p.anslag,
    SUM(p.amount_ore) AS amount_ore
FROM posting AS p
WHERE p.forvaltning = :forvaltning
  AND p.period BETWEEN :period_from AND :period_to
  AND p.load_id IN ({published_loads})
GROUP BY p.ansvar, p.konto, p.anslag
