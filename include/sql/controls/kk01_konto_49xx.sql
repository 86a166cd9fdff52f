-- KK01 Kontroll konto 49xx: preliminärt kostnadsförda konton ska vara 0, drift och investering var för sig.
WITH result AS (
    SELECT konto, anslag, amount_ore FROM {batch} WHERE period BETWEEN :first_month AND :period
),

lines AS (
    SELECT 'KK01.1' AS control_id, COALESCE(SUM(CASE WHEN konto = '4901' AND anslag = 'D' THEN amount_ore END), 0) AS value_ore, 0 AS expected_ore FROM result
    UNION ALL
    SELECT 'KK01.2', COALESCE(SUM(CASE WHEN konto = '4903' AND anslag = 'D' THEN amount_ore END), 0), 0 FROM result
    UNION ALL
    SELECT 'KK01.3', COALESCE(SUM(CASE WHEN konto = '4904' AND anslag = 'D' THEN amount_ore END), 0), 0 FROM result
    UNION ALL
    SELECT 'KK01.4', COALESCE(SUM(CASE WHEN konto BETWEEN '4900' AND '4999' AND anslag = 'D' THEN amount_ore END), 0), 0 FROM result
    UNION ALL
    SELECT 'KK01.5', COALESCE(SUM(CASE WHEN konto = '4903' AND anslag = 'I' THEN amount_ore END), 0), 0 FROM result
    UNION ALL
    SELECT 'KK01.6', COALESCE(SUM(CASE WHEN konto BETWEEN '4900' AND '4999' AND anslag = 'I' THEN amount_ore END), 0), 0 FROM result
)

SELECT control_id, value_ore, expected_ore, value_ore - expected_ore AS difference_ore FROM lines
