-- The postings of one load aggregated once, at ingest, to the grain the Kontokontroller and the
-- ledger reports read (period, konto, motpart, anslag, verifikationstyp, blank projekt/verksamhet).
-- abs_amount_ore sums the absolute amount of each posting (KK10), so it stays exact when summed again.
INSERT INTO posting_aggregate (
    load_id, forvaltning, period, konto, motpart, anslag, vertyp, blank_projekt, blank_verksamhet,
    amount_ore, abs_amount_ore, postings
)
SELECT
    load_id,
    forvaltning,
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
WHERE load_id = :load_id
GROUP BY load_id, forvaltning, period, konto, motpart, anslag, vertyp, projekt = '', verksamhet = ''
