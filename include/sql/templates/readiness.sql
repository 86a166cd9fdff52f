-- What a template run needs before it may start: the published ledger periods of one förvaltning
-- (with the load each points at) and the finished control runs of the reporting period, newest
-- first, with the loads each run checked (to find the run that judged the data now published).
SELECT
    'ledger' AS kind,
    CAST(partition AS VARCHAR(20)) AS item,
    CAST(load_id AS VARCHAR(20)) AS status,
    CAST(NULL AS TEXT) AS candidate_loads,
    0 AS run_id
FROM publication
WHERE source = 'ledger' AND forvaltning = :forvaltning

UNION ALL

SELECT
    'control_run' AS kind,
    CAST(run_id AS VARCHAR(20)) AS item,
    status,
    candidate_loads,
    run_id
FROM control_run
WHERE forvaltning = :forvaltning
  AND period = :period
  AND status IN ('ok', 'varning', 'fel')
ORDER BY run_id DESC
