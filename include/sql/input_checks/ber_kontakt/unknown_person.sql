-- Kontaktförsök ska gälla en ungdom i registreringsuttaget för samma förvaltning och månad
-- (det senast inlästa som är laddat eller publicerat). NOT IN: a hashed lookup on both databases.
SELECT source_line FROM {batch}
WHERE (forvaltning, period, person_id) NOT IN (
    SELECT r.forvaltning, r.period, r.person_id
    FROM ber_registration r
    WHERE r.load_id IN (
        SELECT MAX(x.load_id)
        FROM ber_registration x, load_audit l
        WHERE l.load_id = x.load_id AND l.status IN ('laddad', 'publicerad')
        GROUP BY x.forvaltning, x.period
    )
)
