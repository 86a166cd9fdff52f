-- Published budget of one förvaltning, year and version per ansvar, projekt, account and Anslag,
-- periodised rows up to the given period plus the whole-year rows (Period blank).
SELECT
    b.ansvar,
    b.projekt,
    b.konto,
    b.anslag,
    SUM(b.amount_ore) AS amount_ore
FROM budget AS b
WHERE b.forvaltning = :forvaltning
  AND b.year = :year
  AND b.version = :version
  AND (b.period IS NULL OR b.period <= :period_to)
  AND b.load_id IN ({published_loads} AND partition = :partition)
GROUP BY b.ansvar, b.projekt, b.konto, b.anslag
