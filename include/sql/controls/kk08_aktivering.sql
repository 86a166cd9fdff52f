-- KK08 Kontroll aktivering & investering: investeringsutgifter och -inkomster ska vara aktiverade på 789x; inga investeringar på 8-konton.
-- The account sets in braces are the named sets of bokslut.domain.accounts, filled in when the SQL is loaded (bokslut/sql.py).
WITH sums AS (
    SELECT
        COALESCE(SUM(CASE WHEN anslag = 'I' AND {RESULT_CLASSES} AND NOT {AKTIVERAT} THEN amount_ore END), 0) AS investering,
        COALESCE(SUM(CASE WHEN {AKTIVERAT} THEN amount_ore END), 0) AS aktiverat,
        COALESCE(SUM(CASE WHEN anslag = 'I' AND konto BETWEEN '8000' AND '8999' THEN amount_ore END), 0) AS investering_8
    FROM {batch}
    WHERE period BETWEEN :first_month AND :period
),

lines AS (
    SELECT 'KK08.1' AS control_id, investering AS value_ore, -aktiverat AS expected_ore FROM sums
    UNION ALL SELECT 'KK08.2', aktiverat, -investering FROM sums
    UNION ALL SELECT 'KK08.3', investering + aktiverat, 0 FROM sums
    UNION ALL SELECT 'KK08.4', investering_8, 0 FROM sums
)

SELECT control_id, value_ore, expected_ore, value_ore - expected_ore AS difference_ore FROM lines
