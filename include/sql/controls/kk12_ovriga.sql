-- KK12 Övriga kontroller: månadsavslutskonton, interna konton, bokslutsposter och avstämning mot anläggningsreskontran.
WITH sums AS (
    SELECT
        COALESCE(SUM(CASE WHEN konto = '1710' THEN amount_ore END), 0) AS k1710,
        COALESCE(SUM(CASE WHEN konto = '2950' THEN amount_ore END), 0) AS k2950,
        COALESCE(SUM(CASE WHEN konto = '1542' AND motpart < '2000' THEN amount_ore END), 0) AS k1542_ej_internt,
        COALESCE(SUM(CASE WHEN konto = '2542' AND motpart < '2000' THEN amount_ore END), 0) AS k2542_ej_internt,
        COALESCE(SUM(CASE WHEN konto = '2957' AND motpart < '2000' THEN amount_ore END), 0) AS k2957_ej_internt,
        COALESCE(SUM(CASE WHEN konto = '2931' AND motpart < '2000' THEN amount_ore END), 0) AS k2931_ej_internt,
        COALESCE(SUM(CASE WHEN konto = '5053' AND anslag = 'D' AND period >= :first_month THEN amount_ore END), 0) AS k5053,
        COALESCE(SUM(CASE WHEN konto = '5614' AND anslag = 'D' AND period >= :first_month THEN amount_ore END), 0) AS k5614,
        COALESCE(SUM(CASE WHEN konto = '7352' AND anslag = 'D' AND period >= :first_month THEN amount_ore END), 0) AS k7352,
        COALESCE(SUM(CASE WHEN konto = '2910' AND period >= :first_month THEN amount_ore END), 0) AS d2910,
        COALESCE(SUM(CASE WHEN konto = '2931' AND period >= :first_month THEN amount_ore END), 0) AS d2931,
        COALESCE(SUM(CASE WHEN konto = '1592' AND period >= :first_month THEN amount_ore END), 0) AS d1592,
        COALESCE(SUM(CASE WHEN period >= :first_month
                           AND (konto BETWEEN '1000' AND '1399' AND konto NOT LIKE '117%' OR konto BETWEEN '2381' AND '2389')
                          THEN amount_ore END), 0) AS hb_forandring
    FROM {batch}
    WHERE period BETWEEN :year_start AND :period
),

-- The run's candidate asset register (published, or staged in the same batch); NULL without it, and the
-- runner shows KK12.10 as "ej kontrollerbar" (requires: anlaggningsreskontra).
register AS (
    SELECT CASE WHEN COUNT(*) = 0 THEN NULL ELSE SUM(amount_ore) END AS anl_forandring
    FROM asset_register
    WHERE forvaltning = :forvaltning AND period BETWEEN :year_start AND :period
      AND (konto BETWEEN '1000' AND '1399' AND konto NOT LIKE '117%' OR konto BETWEEN '2381' AND '2389')
      AND (period, load_id) IN :register_candidates
),

lines AS (
    SELECT 'KK12.1' AS control_id, k1710 AS value_ore, 0 AS expected_ore FROM sums
    UNION ALL SELECT 'KK12.2', k2950, 0 FROM sums
    UNION ALL SELECT 'KK12.3', k1542_ej_internt, 0 FROM sums
    UNION ALL SELECT 'KK12.4', k2542_ej_internt, 0 FROM sums
    UNION ALL SELECT 'KK12.5', k2957_ej_internt, 0 FROM sums
    UNION ALL SELECT 'KK12.6', k2931_ej_internt, 0 FROM sums
    UNION ALL SELECT 'KK12.7', k5053, -d2910 FROM sums
    UNION ALL SELECT 'KK12.8', k5614, -d2931 FROM sums
    UNION ALL SELECT 'KK12.9', k7352, -d1592 FROM sums
    UNION ALL SELECT 'KK12.10', s.hb_forandring, r.anl_forandring FROM sums AS s, register AS r
)

SELECT control_id, value_ore, expected_ore, value_ore - expected_ore AS difference_ore FROM lines
