-- En ungdom ska inte ha två registreringar som gäller samma dag (en rad per överlapp: den senare).
SELECT source_line FROM (
    SELECT source_line, registrerad_fran,
           MAX(COALESCE(registrerad_till, '9999-12-31')) OVER (
               PARTITION BY person_id ORDER BY registrerad_fran, source_line
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier_end
    FROM {batch}
) ordered
WHERE earlier_end >= registrerad_fran
