-- The candidate data of one control run (published periods, with the staged load in place of the
-- periods it replaces) at the grain the Kontokontroller need, from the per-load aggregate written
-- at ingest (posting_aggregate): the same rows whatever the number of postings.
-- Bound parameters only; the candidate (period, load_id) pairs are one list bound as row values.
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
    blank_projekt,
    blank_verksamhet,
    SUM(amount_ore),
    SUM(abs_amount_ore),
    SUM(postings)
FROM posting_aggregate
WHERE forvaltning = :forvaltning
  AND period BETWEEN :prior_start AND :period
  AND (period, load_id) IN :candidates
GROUP BY period, konto, motpart, anslag, vertyp, blank_projekt, blank_verksamhet
