-- En anställning ska ha högst en rad per månad.
-- Window form (SELECT *, … AS … FROM {batch}) batch: the input check computes it in its one pass over the load.
SELECT source_line FROM (
    SELECT *, COUNT(*) OVER (PARTITION BY employment_id, period) AS times_month FROM {batch}
) batch
WHERE times_month > 1
