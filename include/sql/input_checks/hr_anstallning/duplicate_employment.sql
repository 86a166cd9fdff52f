-- Ett Anstallnings-id får bara förekomma en gång i en månads uttag.
-- Window form (SELECT *, … AS … FROM {batch}) batch: the input check computes it in its one pass over the load.
SELECT source_line FROM (
    SELECT *, COUNT(*) OVER (PARTITION BY employment_id) AS times_employment FROM {batch}
) batch
WHERE times_employment > 1
