-- Avtalad arbetstid (nyckeltal 127, 128 denominator) and årsarbetare (129) per published month of
-- [from_period, to_period]: each month is its own publishable unit, the published load wins.
SELECT c.period,
       SUM(c.avtalade_dagar_hundradelar) AS dagar_hundradelar,
       SUM(c.arsarbetare_tiotusendelar) AS arsarbetare_tiotusendelar
FROM hr_contracted_time c
JOIN publication p
  ON p.source = 'hr_avtalad_tid'
 AND p.forvaltning = c.forvaltning
 AND p.partition = CAST(c.period AS VARCHAR(6))
 AND p.load_id = c.load_id
WHERE c.forvaltning = :forvaltning AND c.period BETWEEN :from_period AND :to_period
GROUP BY c.period
ORDER BY c.period
