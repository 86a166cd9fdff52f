-- En person ska inte ha två anställningar som gäller samma dag (byte av anställning: den nya börjar
-- dagen efter). En rad per överlapp: den senare.
-- Window form (SELECT *, … AS … FROM {batch}) batch: the input check computes it in its one pass over the load.
SELECT source_line FROM (
    SELECT *,
           MAX(COALESCE(end_day, 2147483647)) OVER (
               PARTITION BY person_id ORDER BY start_day, source_line
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier_employment_end
    FROM {batch}
) batch
WHERE earlier_employment_end >= start_day
