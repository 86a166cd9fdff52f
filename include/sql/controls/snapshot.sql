-- Aggregate the postings of one control run (the candidate data: published periods, with the
-- staged load in place of the periods it replaces) to the grain the Kontokontroller need.
-- Bound parameters; {candidate_filter} is SQL the runner builds from integers only.
INSERT INTO control_snapshot (
    run_id, period, konto, motpart, anslag, vertyp, blank_projekt, blank_verksamhet,
    amount_ore, abs_amount_ore, postings
)
SELECT
    :run_id,
    period,
    konto,
    motpart,
    anslag,
    vertyp,
    projekt = '',
    verksamhet = '',
    SUM(amount_ore),
    SUM(ABS(amount_ore)),
    COUNT(*)
FROM posting
WHERE forvaltning = :forvaltning
  AND period BETWEEN :prior_start AND :period
  AND ({candidate_filter})
GROUP BY period, konto, motpart, anslag, vertyp, projekt = '', verksamhet = ''
