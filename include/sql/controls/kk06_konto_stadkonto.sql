-- KK06 Kontroll konto kontra stadkonto 3–9999: summan över konto ska vara årets resultat + 89xx + 904x/905x och lika med summan över stadkonto.
-- The account sets in braces are the named sets of bokslut.domain.accounts, filled in when the SQL is loaded (bokslut/sql.py).
WITH sums AS (
    SELECT
        COALESCE(SUM(CASE WHEN {RESULT_AND_CLEARING} THEN amount_ore END), 0) AS konto_3_9999,
        COALESCE(SUM(CASE WHEN {ARETS_RESULTAT} THEN amount_ore END), 0) AS arets_resultat,
        COALESCE(SUM(CASE WHEN {KONTO_89} THEN amount_ore END), 0) AS konto_89,
        COALESCE(SUM(CASE WHEN {INTERNA_UTBETALNINGAR} THEN amount_ore END), 0) AS konto_904_905
    FROM {batch}
    WHERE period BETWEEN :first_month AND :period
),

lines AS (
    SELECT 'KK06.1' AS control_id, konto_3_9999 AS value_ore, arets_resultat + konto_89 + konto_904_905 AS expected_ore FROM sums
    -- The warehouse keeps the stadkonto itself, so the sum over stadkonto is the same sum.
    UNION ALL SELECT 'KK06.2', konto_3_9999, konto_3_9999 FROM sums
    UNION ALL SELECT 'KK06.3', 0, 0 FROM sums
)

SELECT control_id, value_ore, expected_ore, value_ore - expected_ore AS difference_ore FROM lines
