-- KK02 Kontroll Motpart 9*: förvaltningsinterna motparter ska netta till 0 i BR, RR drift och RR investering.
WITH balance AS (
    SELECT konto, motpart, amount_ore FROM {batch} WHERE period BETWEEN {year_start} AND {period}
),

result AS (
    SELECT konto, motpart, anslag, amount_ore FROM {batch} WHERE period BETWEEN {first_month} AND {period}
),

lines AS (
    SELECT 'KK02.1' AS control_id, COALESCE(SUM(CASE WHEN konto = '1790' AND motpart LIKE '9%' THEN amount_ore END), 0) AS value_ore, 0 AS expected_ore FROM balance
    UNION ALL
    SELECT 'KK02.2', COALESCE(SUM(CASE WHEN konto = '2991' AND motpart LIKE '9%' THEN amount_ore END), 0), 0 FROM balance
    UNION ALL
    SELECT 'KK02.3', COALESCE(SUM(CASE WHEN konto < '3000' AND motpart LIKE '9%' THEN amount_ore END), 0), 0 FROM balance
    UNION ALL
    SELECT 'KK02.4', COALESCE(SUM(CASE WHEN konto BETWEEN '3000' AND '8999' AND anslag = 'D' AND motpart LIKE '9%' THEN amount_ore END), 0), 0 FROM result
    UNION ALL
    SELECT 'KK02.5', COALESCE(SUM(CASE WHEN anslag = 'I' AND motpart LIKE '9%' THEN amount_ore END), 0), 0 FROM result
)

SELECT control_id, value_ore, expected_ore, value_ore - expected_ore AS difference_ore FROM lines
