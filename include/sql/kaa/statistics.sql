-- KAA statistics of one statistics year [period_from, period_to] (1 December – 30 November):
-- unique young people per group (totalt, kön, stadsdel, Jobbtorg), and KAA's contact attempts.
-- A person's group is that of their latest registration in the year; a person with two
-- registrations counts once. Registrations and contacts are stacked (no join), so the plan is a
-- sort whatever the table statistics say.
--   registret    registered at some time in the year
--   sokta        at least one contact in the year (by KAA or on their own initiative)
--   nadda        ... of which at least one answered (Nådd = J) or made by the young person
--   sysselsatta  reached, with a sysselsättning (not blank, not 'ingen') at first contact
--   stod         enrolled in support (Inskriven från/till) at some time in the year
--   nyinskrivna  enrolled in the year; avslutade: enrolment ended in the year, by Avslutsorsak
--   kontaktforsok  contacts made by KAA (Egeninitierad = N) with young people in the register
WITH facts AS (
    SELECT person_id, 1 AS registered, registrerad_fran, kon, stadsdel, jobbtorg,
           CASE WHEN sysselsattning_forsta_kontakt NOT IN ('', 'ingen') THEN 1 ELSE 0 END AS sysselsatt,
           CASE WHEN inskriven_fran <= :period_to
                 AND (inskriven_till IS NULL OR inskriven_till >= :period_from) THEN 1 ELSE 0 END AS stod,
           CASE WHEN inskriven_fran BETWEEN :period_from AND :period_to THEN 1 ELSE 0 END AS nyinskriven,
           CASE WHEN inskriven_till BETWEEN :period_from AND :period_to THEN 1 ELSE 0 END AS avslutad,
           CASE WHEN inskriven_till BETWEEN :period_from AND :period_to
                 AND avslutsorsak = 'studier' THEN 1 ELSE 0 END AS till_studier,
           CASE WHEN inskriven_till BETWEEN :period_from AND :period_to
                 AND avslutsorsak = 'arbete' THEN 1 ELSE 0 END AS till_arbete,
           0 AS contact, 0 AS reached, 0 AS attempts
    FROM ber_registration
    WHERE load_id = :registration_load
      AND forvaltning = :forvaltning
      AND registrerad_fran <= :period_to
      AND (registrerad_till IS NULL OR registrerad_till >= :period_from)
    UNION ALL
    SELECT person_id, 0, NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0, 0,
           1, CASE WHEN nadd = 'J' OR egeninitierad = 'J' THEN 1 ELSE 0 END,
           CASE WHEN egeninitierad = 'N' THEN 1 ELSE 0 END
    FROM ber_contact
    WHERE load_id = :contact_load
      AND forvaltning = :forvaltning
      AND datum BETWEEN :period_from AND :period_to
),
tagged AS (
    SELECT facts.*,
           FIRST_VALUE(kon) OVER latest AS p_kon,
           FIRST_VALUE(stadsdel) OVER latest AS p_stadsdel,
           FIRST_VALUE(jobbtorg) OVER latest AS p_jobbtorg
    FROM facts
    WINDOW latest AS (PARTITION BY person_id ORDER BY registered DESC, registrerad_fran DESC)
),
person AS (
    SELECT person_id, p_kon AS kon, p_stadsdel AS stadsdel, p_jobbtorg AS jobbtorg,
           MAX(contact) AS sokt, MAX(reached) AS nadd, MAX(sysselsatt) AS sysselsatt, MAX(stod) AS stod,
           MAX(nyinskriven) AS nyinskriven, MAX(avslutad) AS avslutad, MAX(till_studier) AS till_studier,
           MAX(till_arbete) AS till_arbete, SUM(attempts) AS attempts
    FROM tagged
    GROUP BY person_id, p_kon, p_stadsdel, p_jobbtorg
    HAVING MAX(registered) = 1
),
counted AS (
    SELECT kon, stadsdel, jobbtorg, sokt, nadd, nadd * sysselsatt AS sysselsatt, stod, nyinskriven, avslutad,
           till_studier, till_arbete, attempts
    FROM person
)
SELECT 'totalt' AS dimension, 'totalt' AS grupp, COUNT(*) AS registret, SUM(sokt) AS sokta, SUM(nadd) AS nadda,
       SUM(sysselsatt) AS sysselsatta, SUM(stod) AS stod, SUM(nyinskriven) AS nyinskrivna,
       SUM(avslutad) AS avslutade, SUM(till_studier) AS till_studier, SUM(till_arbete) AS till_arbete,
       SUM(attempts) AS kontaktforsok
FROM counted
UNION ALL
SELECT 'kon', kon, COUNT(*), SUM(sokt), SUM(nadd), SUM(sysselsatt), SUM(stod), SUM(nyinskriven),
       SUM(avslutad), SUM(till_studier), SUM(till_arbete), SUM(attempts)
FROM counted GROUP BY kon
UNION ALL
SELECT 'stadsdel', stadsdel, COUNT(*), SUM(sokt), SUM(nadd), SUM(sysselsatt), SUM(stod), SUM(nyinskriven),
       SUM(avslutad), SUM(till_studier), SUM(till_arbete), SUM(attempts)
FROM counted GROUP BY stadsdel
UNION ALL
SELECT 'jobbtorg', jobbtorg, COUNT(*), SUM(sokt), SUM(nadd), SUM(sysselsatt), SUM(stod), SUM(nyinskriven),
       SUM(avslutad), SUM(till_studier), SUM(till_arbete), SUM(attempts)
FROM counted GROUP BY jobbtorg
