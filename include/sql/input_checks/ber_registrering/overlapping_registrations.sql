-- En ungdom ska inte ha två registreringar som gäller samma dag (en rad per överlapp: den senare).
-- Window form (SELECT *, … AS … FROM {batch}) batch: the input check computes it in its one pass over the load.
SELECT source_line FROM (
    SELECT *,
           MAX(COALESCE(registrerad_till, '9999-12-31')) OVER (
               PARTITION BY person_id ORDER BY registrerad_fran, source_line
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier_registration_end
    FROM {batch}
) batch
WHERE earlier_registration_end >= registrerad_fran
