-- Published postings of one förvaltning per period, account and Anslag over a range of periods
-- (several years: the year-to-date outturn of a template line and the seasonal profile of the
-- earlier years the suggested forecast uses), from the per-load aggregate written at ingest.
-- Published rows only, as in reports/account_balances.
SELECT
    p.period,
    p.konto,
    p.anslag,
    SUM(p.amount_ore) AS amount_ore
FROM posting_aggregate AS p
WHERE p.forvaltning = :forvaltning
  AND p.period BETWEEN :period_from AND :period_to
  AND p.load_id IN ({published_loads})
GROUP BY p.period, p.konto, p.anslag
