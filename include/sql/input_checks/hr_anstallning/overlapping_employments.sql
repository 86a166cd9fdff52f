-- En person ska inte ha två anställningar som gäller samma dag (byte av anställning: den nya börjar
-- dagen efter). En rad per överlapp: den senare.
SELECT source_line FROM (
    SELECT source_line, start_day,
           MAX(COALESCE(end_day, 2147483647)) OVER (
               PARTITION BY person_id ORDER BY start_day, source_line
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier_end
    FROM {batch}
) ordered
WHERE earlier_end >= start_day
