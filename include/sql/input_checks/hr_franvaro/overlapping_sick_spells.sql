-- Två sjukperioder för samma anställning ska inte överlappa (en rad per överlapp: den senare).
SELECT source_line FROM (
    SELECT source_line, start_day, franvarotyp,
           MAX(CASE WHEN franvarotyp = 'sjuk' THEN COALESCE(end_day, 2147483647) END) OVER (
               PARTITION BY employment_id, franvarotyp ORDER BY start_day, source_line
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier_end
    FROM {batch}
) ordered
WHERE franvarotyp = 'sjuk' AND earlier_end >= start_day
