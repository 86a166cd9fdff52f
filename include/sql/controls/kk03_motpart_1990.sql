-- KK03 Kontroll Motpart 1990: avräkningsmotparten 1990 ska netta till 0.
SELECT
    'KK03.1' AS control_id,
    COALESCE(SUM(CASE WHEN motpart = '1990' THEN amount_ore END), 0) AS value_ore,
    0 AS expected_ore,
    COALESCE(SUM(CASE WHEN motpart = '1990' THEN amount_ore END), 0) AS difference_ore
FROM {batch}
WHERE period BETWEEN :year_start AND :period
