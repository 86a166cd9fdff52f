-- KK09 Kontroll RR, BR och Anl.- & rör.kap: resultat, förändring av eget kapital och balans ska stämma mellan rapporterna.
-- The account sets in braces are the named sets of bokslut.domain.accounts, filled in when the SQL is loaded (bokslut/sql.py).
WITH sums AS (
    SELECT
        COALESCE(SUM(CASE WHEN period >= :first_month AND {ARETS_RESULTAT} THEN amount_ore END), 0) AS arets_resultat,
        COALESCE(SUM(CASE WHEN period >= :first_month AND {SUMMA_DRIFT} THEN amount_ore END), 0) AS drift_summa,
        COALESCE(SUM(CASE WHEN period >= :first_month AND {INTERNA_UTBETALNINGAR} THEN amount_ore END), 0) AS interna_utbetalningar,
        COALESCE(SUM(CASE WHEN period >= :first_month AND {RESULTATFOND} THEN amount_ore END), 0) AS resultatfond,
        COALESCE(SUM(CASE WHEN period >= :first_month AND konto = '2021' AND motpart BETWEEN '2000' AND '8999' THEN amount_ore END), 0) AS konto_2021_internt,
        COALESCE(SUM(CASE WHEN {TILLGANGAR} THEN amount_ore END), 0) AS tillgangar,
        COALESCE(SUM(CASE WHEN {SKULDER_OCH_EGET_KAPITAL} THEN amount_ore END), 0) AS skulder_eget_kapital
    FROM {batch}
    WHERE period BETWEEN :year_start AND :period
),

-- The run's candidate stadskassan data: published, with a load staged in the same batch in place of
-- the periods it replaces (the (period, load_id) pairs, bound as one list of row values).
treasury_rows AS (
    SELECT amount_ore FROM treasury
    WHERE forvaltning = :forvaltning AND period BETWEEN :year_start AND :period
      AND (period, load_id) IN :treasury_candidates
),

-- Without a stadskassan extract the change cannot be checked (it would be derived from eget kapital itself):
-- the lines are NULL here and the runner shows them as "ej kontrollerbar" (requires: stadskassan).
treasury_total AS (
    SELECT CASE WHEN COUNT(*) = 0 THEN NULL ELSE SUM(amount_ore) END AS externt_och_internt_in FROM treasury_rows
),

change AS (
    SELECT s.drift_summa + t.externt_och_internt_in + s.interna_utbetalningar + s.resultatfond AS arets_forandring
    FROM sums AS s, treasury_total AS t
),

lines AS (
    SELECT 'KK09.1' AS control_id, arets_resultat AS value_ore, drift_summa AS expected_ore FROM sums
    UNION ALL SELECT 'KK09.2', drift_summa, arets_resultat FROM sums
    UNION ALL SELECT 'KK09.3', arets_resultat - drift_summa, 0 FROM sums
    UNION ALL SELECT 'KK09.4', c.arets_forandring, s.konto_2021_internt FROM sums AS s, change AS c
    UNION ALL SELECT 'KK09.5', s.konto_2021_internt, c.arets_forandring FROM sums AS s, change AS c
    UNION ALL SELECT 'KK09.6', c.arets_forandring - s.konto_2021_internt, CASE WHEN c.arets_forandring IS NULL THEN NULL ELSE 0 END
        FROM sums AS s, change AS c
    UNION ALL SELECT 'KK09.7', tillgangar, tillgangar FROM sums
    UNION ALL SELECT 'KK09.8', skulder_eget_kapital, skulder_eget_kapital FROM sums
    UNION ALL SELECT 'KK09.9', tillgangar + skulder_eget_kapital, 0 FROM sums
)

SELECT control_id, value_ore, expected_ore, value_ore - expected_ore AS difference_ore FROM lines
