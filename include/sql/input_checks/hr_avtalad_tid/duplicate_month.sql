-- En anställning ska ha högst en rad per månad.
SELECT source_line FROM (
    SELECT source_line, COUNT(*) OVER (PARTITION BY employment_id, period) AS times FROM {batch}
) counted
WHERE times > 1
