-- Published budget of one förvaltning, year and version, per account and Anslag.
SELECT b.konto, b.anslag, SUM(b.amount_ore) AS amount_ore
FROM budget AS b
WHERE b.forvaltning = :forvaltning
  AND b.year = :year
  AND b.version = :version
  AND (b.period IS NULL OR b.period <= :period_to)
  AND b.load_id IN (
      SELECT load_id FROM publication
      WHERE source = 'budget' AND forvaltning = :forvaltning AND partition = :partition
  )
GROUP BY b.konto, b.anslag
