-- Published asset-register (anläggningsreskontra) transactions per account and transaction type.
SELECT a.konto, a.transaktionstyp, SUM(a.amount_ore) AS amount_ore, COUNT(*) AS n
FROM asset_register AS a
WHERE a.forvaltning = :forvaltning
  AND a.period BETWEEN :period_from AND :period_to
  AND a.load_id IN ({published_loads})
GROUP BY a.konto, a.transaktionstyp
