-- KK04 Kontroll VT HC & UU: verifikationstyperna HC och UU ska netta till 0 i BR och i RR.
-- The account sets in braces are the named sets of bokslut.domain.accounts, filled in when the SQL is loaded (bokslut/sql.py).
WITH lines AS (
    SELECT 'KK04.1' AS control_id, COALESCE(SUM(CASE WHEN {BALANCE} AND period BETWEEN :year_start AND :period THEN amount_ore END), 0) AS value_ore, 0 AS expected_ore
    FROM {batch} WHERE vertyp IN ('HC', 'UU')
    UNION ALL
    SELECT 'KK04.2', COALESCE(SUM(CASE WHEN {RESULT_CLASSES} AND period BETWEEN :first_month AND :period THEN amount_ore END), 0), 0
    FROM {batch} WHERE vertyp IN ('HC', 'UU')
)

-- In the sheet's order: PostgreSQL may return the branches of a UNION ALL in any order (two lines: the ids sort as text).
SELECT control_id, value_ore, expected_ore, value_ore - expected_ore AS difference_ore FROM lines
ORDER BY control_id
