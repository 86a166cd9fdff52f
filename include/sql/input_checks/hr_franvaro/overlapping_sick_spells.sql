-- Två sjukperioder för samma anställning ska inte överlappa (en rad per överlapp: den senare).
-- Window form (SELECT *, … AS … FROM {batch}) batch: the input check computes it in its one pass over the load.
SELECT source_line FROM (
    SELECT *,
           MAX(CASE WHEN franvarotyp = 'sjuk' THEN COALESCE(end_day, 2147483647) END) OVER (
               PARTITION BY employment_id, franvarotyp ORDER BY start_day, source_line
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier_sick_end
    FROM {batch}
) batch
WHERE franvarotyp = 'sjuk' AND earlier_sick_end >= start_day
