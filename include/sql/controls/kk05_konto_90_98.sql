-- KK05 Kontroll konto 90xx–98xx: avräkning mot stadskassan; informationsrader utan krav har inget förväntat värde.
WITH year_rows AS (
    SELECT konto, anslag, amount_ore, period FROM {batch} WHERE period BETWEEN {year_start} AND {period}
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
        COALESCE(SUM(CASE WHEN konto BETWEEN '9040' AND '9059' THEN amount_ore END), 0) AS k904_905,
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
        COALESCE(SUM(CASE WHEN konto = '8526' AND anslag = 'D' AND period >= {first_month} THEN amount_ore END), 0) AS rr8526,
        COALESCE(SUM(CASE WHEN konto = '5611' AND anslag = 'D' AND period >= {first_month} THEN amount_ore END), 0) AS rr5611
    FROM year_rows
),

lines AS (
    SELECT 'KK05.1' AS control_id, k9041 AS value_ore, -rr8526 AS expected_ore FROM sums
    UNION ALL SELECT 'KK05.2', k9043, NULL FROM sums
    UNION ALL SELECT 'KK05.3', k9044, NULL FROM sums
    UNION ALL SELECT 'KK05.4', k9046, NULL FROM sums
    UNION ALL SELECT 'KK05.5', k9047, NULL FROM sums
    UNION ALL SELECT 'KK05.6', k9052, -rr5611 FROM sums
    UNION ALL SELECT 'KK05.7', k9055, NULL FROM sums
    -- = Anl.- o rör.kap Interna utbetalningar, which this project computes from the same accounts
    UNION ALL SELECT 'KK05.8', k904_905, k904_905 FROM sums
    UNION ALL SELECT 'KK05.9', k90_other, 0 FROM sums
    UNION ALL SELECT 'KK05.10', k9131, 0 FROM sums
    UNION ALL SELECT 'KK05.11', k9133, 0 FROM sums
    UNION ALL SELECT 'KK05.12', k9139, 0 FROM sums
    UNION ALL SELECT 'KK05.13', k9181, 0 FROM sums
    UNION ALL SELECT 'KK05.14', k91, 0 FROM sums
    UNION ALL SELECT 'KK05.15', k93_95, 0 FROM sums
    UNION ALL SELECT 'KK05.16', k9894, 0 FROM sums
    UNION ALL SELECT 'KK05.17', k9895, 0 FROM sums
    UNION ALL SELECT 'KK05.18', k9896, 0 FROM sums
    UNION ALL SELECT 'KK05.19', k9899, 0 FROM sums
    UNION ALL SELECT 'KK05.20', k96_98, 0 FROM sums
    UNION ALL SELECT 'KK05.21', k9999, 0 FROM sums
    UNION ALL SELECT 'KK05.22', k99, 0 FROM sums
)

SELECT control_id, value_ore, expected_ore, value_ore - expected_ore AS difference_ore FROM lines
