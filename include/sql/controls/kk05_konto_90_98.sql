-- KK05 Kontroll konto 90xx–98xx: avräkning mot stadskassan; informationsrader utan jämförelse har inget förväntat värde.
-- The 2024 sheet's lines (KK05.1-KK05.22) are always shown; every other 9xxx account with postings in the year
-- gets a line keyed 'konto:NNNN' (kept at 0, as the sheet's accounts of its range) or 'info:NNNN' (904x/905x:
-- information, as on the sheet), placed before the sum of its range by sort_key: section letter + account,
-- the section's sum '~'. Severity per line is in expectations/kk05_konto_90_98.json.
-- The account sets in braces are the named sets of bokslut.domain.accounts, filled in when the SQL is loaded (bokslut/sql.py).
WITH year_rows AS (
    SELECT konto, anslag, amount_ore, period FROM {batch} WHERE period BETWEEN :year_start AND :period
),

sums AS (
    SELECT
        COALESCE(SUM(CASE WHEN konto = '9041' THEN amount_ore END), 0) AS k9041,
        COALESCE(SUM(CASE WHEN konto = '9043' THEN amount_ore END), 0) AS k9043,
        COALESCE(SUM(CASE WHEN konto = '9044' THEN amount_ore END), 0) AS k9044,
        COALESCE(SUM(CASE WHEN konto = '9046' THEN amount_ore END), 0) AS k9046,
        COALESCE(SUM(CASE WHEN konto = '9047' THEN amount_ore END), 0) AS k9047,
        COALESCE(SUM(CASE WHEN konto = '9052' THEN amount_ore END), 0) AS k9052,
        COALESCE(SUM(CASE WHEN konto = '9055' THEN amount_ore END), 0) AS k9055,
        COALESCE(SUM(CASE WHEN {INTERNA_UTBETALNINGAR} THEN amount_ore END), 0) AS k904_905,
        COALESCE(SUM(CASE WHEN konto BETWEEN '9000' AND '9039' OR konto BETWEEN '9060' AND '9099' THEN amount_ore END), 0) AS k90_other,
        COALESCE(SUM(CASE WHEN konto = '9131' THEN amount_ore END), 0) AS k9131,
        COALESCE(SUM(CASE WHEN konto = '9133' THEN amount_ore END), 0) AS k9133,
        COALESCE(SUM(CASE WHEN konto = '9139' THEN amount_ore END), 0) AS k9139,
        COALESCE(SUM(CASE WHEN konto = '9181' THEN amount_ore END), 0) AS k9181,
        COALESCE(SUM(CASE WHEN konto BETWEEN '9100' AND '9199' THEN amount_ore END), 0) AS k91,
        COALESCE(SUM(CASE WHEN konto BETWEEN '9300' AND '9599' THEN amount_ore END), 0) AS k93_95,
        COALESCE(SUM(CASE WHEN konto = '9894' THEN amount_ore END), 0) AS k9894,
        COALESCE(SUM(CASE WHEN konto = '9895' THEN amount_ore END), 0) AS k9895,
        COALESCE(SUM(CASE WHEN konto = '9896' THEN amount_ore END), 0) AS k9896,
        COALESCE(SUM(CASE WHEN konto = '9899' THEN amount_ore END), 0) AS k9899,
        COALESCE(SUM(CASE WHEN konto BETWEEN '9600' AND '9899' THEN amount_ore END), 0) AS k96_98,
        COALESCE(SUM(CASE WHEN konto = '9999' THEN amount_ore END), 0) AS k9999,
        COALESCE(SUM(CASE WHEN konto BETWEEN '9900' AND '9999' THEN amount_ore END), 0) AS k99,
        COALESCE(SUM(CASE WHEN konto = '8526' AND anslag = 'D' AND period >= :first_month THEN amount_ore END), 0) AS rr8526,
        COALESCE(SUM(CASE WHEN konto = '5611' AND anslag = 'D' AND period >= :first_month THEN amount_ore END), 0) AS rr5611
    FROM year_rows
),

sheet_lines AS (
    SELECT 'KK05.1' AS control_id, 'a9041' AS sort_key, k9041 AS value_ore, -rr8526 AS expected_ore FROM sums
    UNION ALL SELECT 'KK05.2', 'a9043', k9043, NULL FROM sums
    UNION ALL SELECT 'KK05.3', 'a9044', k9044, NULL FROM sums
    UNION ALL SELECT 'KK05.4', 'a9046', k9046, NULL FROM sums
    UNION ALL SELECT 'KK05.5', 'a9047', k9047, NULL FROM sums
    UNION ALL SELECT 'KK05.6', 'a9052', k9052, -rr5611 FROM sums
    UNION ALL SELECT 'KK05.7', 'a9055', k9055, NULL FROM sums
    -- = Anl.- o rör.kap Interna utbetalningar, which this project computes from the same accounts
    UNION ALL SELECT 'KK05.8', 'a~', k904_905, k904_905 FROM sums
    UNION ALL SELECT 'KK05.9', 'b~', k90_other, 0 FROM sums
    UNION ALL SELECT 'KK05.10', 'c9131', k9131, 0 FROM sums
    UNION ALL SELECT 'KK05.11', 'c9133', k9133, 0 FROM sums
    UNION ALL SELECT 'KK05.12', 'c9139', k9139, 0 FROM sums
    UNION ALL SELECT 'KK05.13', 'c9181', k9181, 0 FROM sums
    UNION ALL SELECT 'KK05.14', 'c~', k91, 0 FROM sums
    UNION ALL SELECT 'KK05.15', 'e~', k93_95, 0 FROM sums
    UNION ALL SELECT 'KK05.16', 'f9894', k9894, 0 FROM sums
    UNION ALL SELECT 'KK05.17', 'f9895', k9895, 0 FROM sums
    UNION ALL SELECT 'KK05.18', 'f9896', k9896, 0 FROM sums
    UNION ALL SELECT 'KK05.19', 'f9899', k9899, 0 FROM sums
    UNION ALL SELECT 'KK05.20', 'f~', k96_98, 0 FROM sums
    UNION ALL SELECT 'KK05.21', 'g9999', k9999, 0 FROM sums
    UNION ALL SELECT 'KK05.22', 'g~', k99, 0 FROM sums
),

-- the accounts of the sheet's lines above are left out here (tests/controls/test_suites.py keeps the two lists equal)
other_accounts AS (
    SELECT
        konto,
        CASE WHEN {INTERNA_UTBETALNINGAR} THEN 'a'
             WHEN konto < '9100' THEN 'b'
             WHEN konto < '9200' THEN 'c'
             WHEN konto < '9300' THEN 'd'
             WHEN konto < '9600' THEN 'e'
             WHEN konto < '9900' THEN 'f'
             ELSE 'g' END AS section,
        SUM(amount_ore) AS value_ore
    FROM year_rows
    WHERE konto BETWEEN '9000' AND '9999'
      AND konto NOT IN ('9041', '9043', '9044', '9046', '9047', '9052', '9055', '9131', '9133', '9139', '9181',
                        '9894', '9895', '9896', '9899', '9999')
    GROUP BY konto
),

lines AS (
    SELECT control_id, sort_key, value_ore, expected_ore FROM sheet_lines
    UNION ALL
    SELECT CASE WHEN section = 'a' THEN 'info:' ELSE 'konto:' END || konto, section || konto, value_ore,
           CASE WHEN section = 'a' THEN NULL ELSE 0 END
    FROM other_accounts
)

SELECT control_id, sort_key, value_ore, expected_ore, value_ore - expected_ore AS difference_ore FROM lines
