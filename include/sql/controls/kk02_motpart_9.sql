-- KK02 Kontroll Motpart 9*: förvaltningsinterna motparter ska netta till 0 i BR, RR drift och RR investering.
-- The 2024 sheet's account lines (1790, 2991) are always shown; every other balance-sheet account carrying
-- motpart 9* in the year gets a line keyed 'konto:NNNN', before SUMMA Motpart 9* i BR (sort_key).
-- The account sets in braces are the named sets of bokslut.domain.accounts, filled in when the SQL is loaded (bokslut/sql.py).
WITH balance AS (
    SELECT konto, motpart, amount_ore FROM {batch} WHERE period BETWEEN :year_start AND :period
),

result AS (
    SELECT konto, motpart, anslag, amount_ore FROM {batch} WHERE period BETWEEN :first_month AND :period
),

sheet_lines AS (
    SELECT 'KK02.1' AS control_id, 'a1790' AS sort_key, COALESCE(SUM(CASE WHEN konto = '1790' AND motpart LIKE '9%' THEN amount_ore END), 0) AS value_ore, 0 AS expected_ore FROM balance
    UNION ALL
    SELECT 'KK02.2', 'a2991', COALESCE(SUM(CASE WHEN konto = '2991' AND motpart LIKE '9%' THEN amount_ore END), 0), 0 FROM balance
    UNION ALL
    SELECT 'KK02.3', 'b', COALESCE(SUM(CASE WHEN {BALANCE} AND motpart LIKE '9%' THEN amount_ore END), 0), 0 FROM balance
    UNION ALL
    SELECT 'KK02.4', 'c', COALESCE(SUM(CASE WHEN {RESULT_CLASSES} AND anslag = 'D' AND motpart LIKE '9%' THEN amount_ore END), 0), 0 FROM result
    UNION ALL
    SELECT 'KK02.5', 'd', COALESCE(SUM(CASE WHEN anslag = 'I' AND motpart LIKE '9%' THEN amount_ore END), 0), 0 FROM result
),

-- the sheet's accounts (1790, 2991) are left out here
other_accounts AS (
    SELECT konto, SUM(amount_ore) AS value_ore
    FROM balance
    WHERE {BALANCE} AND motpart LIKE '9%' AND konto NOT IN ('1790', '2991')
    GROUP BY konto
),

lines AS (
    SELECT control_id, sort_key, value_ore, expected_ore FROM sheet_lines
    UNION ALL
    SELECT 'konto:' || konto, 'a' || konto, value_ore, 0 FROM other_accounts
)

SELECT control_id, sort_key, value_ore, expected_ore, value_ore - expected_ore AS difference_ore FROM lines
