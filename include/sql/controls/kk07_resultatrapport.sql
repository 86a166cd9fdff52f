-- KK07 Kontroll mot resultatrapport: Summa drift (Budgetavräkning) ska vara lika med Årets resultat i resultaträkningen.
-- The account sets in braces are the named sets of bokslut.domain.accounts, filled in when the SQL is loaded (bokslut/sql.py).
WITH sums AS (
    SELECT
        COALESCE(SUM(CASE WHEN {SUMMA_DRIFT} THEN amount_ore END), 0) AS summa_drift,
        COALESCE(SUM(CASE WHEN {ARETS_RESULTAT} THEN amount_ore END), 0) AS arets_resultat
    FROM {batch}
    WHERE anslag = 'D' AND period BETWEEN :first_month AND :period
),

lines AS (
    SELECT 'KK07.1' AS control_id, summa_drift AS value_ore, arets_resultat AS expected_ore FROM sums
    UNION ALL SELECT 'KK07.2', arets_resultat, arets_resultat FROM sums
    UNION ALL SELECT 'KK07.3', summa_drift - arets_resultat, 0 FROM sums
)

SELECT control_id, value_ore, expected_ore, value_ore - expected_ore AS difference_ore FROM lines
