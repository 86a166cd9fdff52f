-- Account balances of one förvaltning for a range of periods, split by Anslag and by the report
-- column of the counterparty (externt / stadens_bolag / internt). opening_ore sums the IB period
-- (PP = 00), movement_ore the rest, from the per-load aggregate written at ingest (posting_aggregate).
-- (No bind-parameter names in comments: text() would bind them.)
-- Published rows only (fragments/published_loads): a load's rows stay in posting_aggregate only
-- for the partitions it still publishes.
WITH by_motpart AS (
    SELECT
        konto,
        motpart,
        anslag,
        SUM(CASE WHEN period % 100 = 0 THEN amount_ore ELSE 0 END) AS opening_ore,
        SUM(CASE WHEN period % 100 <> 0 THEN amount_ore ELSE 0 END) AS movement_ore
    FROM posting_aggregate
    WHERE forvaltning = :forvaltning
      AND period BETWEEN :period_from AND :period_to
      AND load_id IN ({published_loads})
    GROUP BY konto, motpart, anslag
)

SELECT
    b.konto,
    b.anslag,
    COALESCE(c.report_column, 'externt') AS report_column,
    SUM(b.opening_ore) AS opening_ore,
    SUM(b.movement_ore) AS movement_ore
FROM by_motpart AS b
LEFT JOIN counterparty_class AS c
    ON LENGTH(b.motpart) = 4 AND b.motpart BETWEEN c.range_from AND c.range_to
GROUP BY b.konto, b.anslag, COALESCE(c.report_column, 'externt')
ORDER BY b.konto
