-- Published stadskassan transactions (payments settled by the city treasury) per type.
SELECT t.transaktionstyp, SUM(t.amount_ore) AS amount_ore, COUNT(*) AS n
FROM treasury AS t
WHERE t.forvaltning = :forvaltning
  AND t.period BETWEEN :period_from AND :period_to
  AND t.load_id IN ({published_loads})
GROUP BY t.transaktionstyp
