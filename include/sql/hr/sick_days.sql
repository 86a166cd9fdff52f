-- Korttids- and långtidsfrånvaro (nyckeltal 127, 128) and the sick-pay cost (129): calendar days
-- of sick spells × omfattning inside [from_day, to_day], split into day 1–14 and day 15– counted
-- from the spell's own first day (a spell from last year is in day 15– from its 15th day).
-- Units: days × omfattning in hundredths of a percent (a full day at 100 % = 10000).
-- The cost (days 2–14, excl. personalförsäkring) belongs to the period the spell starts in.
WITH spell AS (
    SELECT start_day,
           CASE WHEN end_day IS NULL OR end_day > :to_day THEN :to_day ELSE end_day END AS last_day,
           omfattning_hundradelar AS extent,
           sjuklonekostnad_ore
    FROM hr_absence
    WHERE load_id = :load_id
      AND forvaltning = :forvaltning
      AND franvarotyp = 'sjuk'
      AND start_day <= :to_day
      AND (end_day IS NULL OR end_day >= :from_day)
),
parts AS (
    SELECT extent, sjuklonekostnad_ore, start_day,
           CASE WHEN start_day > :from_day THEN start_day ELSE :from_day END AS short_from,
           CASE WHEN start_day + 13 < last_day THEN start_day + 13 ELSE last_day END AS short_to,
           CASE WHEN start_day + 14 > :from_day THEN start_day + 14 ELSE :from_day END AS long_from,
           last_day AS long_to
    FROM spell
)
SELECT
    COALESCE(SUM(CASE WHEN short_to >= short_from THEN (short_to - short_from + 1) * extent ELSE 0 END), 0)
        AS short_units,
    COALESCE(SUM(CASE WHEN long_to >= long_from THEN (long_to - long_from + 1) * extent ELSE 0 END), 0)
        AS long_units,
    COALESCE(SUM(CASE WHEN start_day >= :from_day THEN sjuklonekostnad_ore ELSE 0 END), 0) AS cost_ore
FROM parts
