-- Ett Anstallnings-id får bara förekomma en gång i en månads uttag.
SELECT source_line FROM (
    SELECT source_line, COUNT(*) OVER (PARTITION BY employment_id) AS times FROM {batch}
) counted
WHERE times > 1
