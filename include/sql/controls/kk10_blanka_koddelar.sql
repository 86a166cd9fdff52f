-- KK10 Kontroll blanka koddelar: inga konteringar utan motpart, projekt eller verksamhet (summa av absoluta belopp).
WITH sums AS (
    SELECT
        COALESCE(SUM(CASE WHEN motpart = '' THEN abs_amount_ore END), 0) AS utan_motpart,
        COALESCE(SUM(CASE WHEN blank_projekt THEN abs_amount_ore END), 0) AS utan_projekt,
        COALESCE(SUM(CASE WHEN blank_verksamhet THEN abs_amount_ore END), 0) AS utan_verksamhet
    FROM {batch}
    WHERE period BETWEEN :year_start AND :period
),

lines AS (
    SELECT 'KK10.1' AS control_id, utan_motpart AS value_ore, 0 AS expected_ore FROM sums
    UNION ALL SELECT 'KK10.2', utan_projekt, 0 FROM sums
    UNION ALL SELECT 'KK10.3', utan_verksamhet, 0 FROM sums
)

SELECT control_id, value_ore, expected_ore, value_ore - expected_ore AS difference_ore FROM lines
