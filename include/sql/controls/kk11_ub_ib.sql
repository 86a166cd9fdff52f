-- KK11 Kontroll UB kontra IB: föregående års utgående balans per kontogrupp ska vara årets ingående balans.
-- control_id is a key (grupp:12, summa:tillgangar, ...) that the runner numbers KK11.1, KK11.2, ... in this order.
-- Written without explicit joins (comma joins, scalar subqueries): see docs/controls.md, "Writing control SQL".
-- The account sets in braces are the named sets of bokslut.domain.accounts, filled in when the SQL is loaded (bokslut/sql.py).
WITH balances AS (
    SELECT
        SUBSTR(konto, 1, 3) AS sub,
        SUM(CASE WHEN period BETWEEN :prior_start AND :prior_end THEN amount_ore ELSE 0 END) AS ub_prior,
        SUM(CASE WHEN period = :year_start THEN amount_ore ELSE 0 END) AS ib
    FROM {batch}
    WHERE {BALANCE}
    GROUP BY SUBSTR(konto, 1, 3)
),

prior_delivered AS (
    SELECT COUNT(*) AS n FROM {batch} WHERE period BETWEEN :prior_start AND :prior_end
),

groups AS (
    SELECT DISTINCT SUBSTR(sub, 1, 2) AS grp FROM balances
    UNION
    SELECT DISTINCT SUBSTR(code, 1, 2) FROM account
    WHERE fixed_line AND LENGTH(code) = 4 AND code < '3000'
      AND (valid_from_year IS NULL OR valid_from_year <= :year)
      AND (valid_to_year IS NULL OR valid_to_year >= :year)
),

by_group AS (
    SELECT
        g.grp,
        COALESCE((SELECT SUM(b.ub_prior) FROM balances AS b WHERE SUBSTR(b.sub, 1, 2) = g.grp), 0) AS ub_prior,
        COALESCE((SELECT SUM(b.ib) FROM balances AS b WHERE SUBSTR(b.sub, 1, 2) = g.grp), 0) AS ib
    FROM groups AS g
),

ek AS (
    SELECT
        COALESCE(SUM(CASE WHEN sub = '201' THEN ub_prior END), 0) AS ub_201,
        COALESCE(SUM(CASE WHEN sub = '202' THEN ub_prior END), 0) AS ub_202,
        COALESCE(SUM(CASE WHEN sub = '201' THEN ib END), 0) AS ib_201,
        COALESCE(SUM(CASE WHEN sub = '202' THEN ib END), 0) AS ib_202
    FROM balances
),

lines AS (
    SELECT 'grupp:' || grp AS control_id, grp AS sort_key, ub_prior AS value_ore, ib AS expected_ore, ub_prior - ib AS difference_ore
    FROM by_group WHERE grp <> '20'
    UNION ALL
    SELECT 'summa:tillgangar', '19~', SUM(ub_prior), SUM(ib), SUM(ub_prior) - SUM(ib) FROM by_group WHERE grp < '20'
    UNION ALL
    -- the prior year's result (202) is closed into ingående värde (201)
    SELECT 'konto:201', '20a', ub_201, ib_201, ub_201 + ub_202 - ib_201 FROM ek
    UNION ALL
    SELECT 'konto:202', '20b', ub_202, ib_202, ib_202 FROM ek
    UNION ALL
    SELECT 'summa:eget_kapital', '20~', SUM(ub_prior), SUM(ib), SUM(ub_prior) - SUM(ib) FROM by_group WHERE grp = '20'
    UNION ALL
    SELECT 'summa:skulder', '29~', SUM(ub_prior), SUM(ib), SUM(ub_prior) - SUM(ib) FROM by_group WHERE grp > '20'
)

SELECT
    l.control_id,
    l.sort_key,
    CASE WHEN p.n = 0 THEN NULL ELSE l.value_ore END AS value_ore,
    l.expected_ore,
    -- IB 202 = 0 needs no prior year: it is checked whether or not the prior year was delivered
    CASE WHEN p.n = 0 AND l.control_id <> 'konto:202' THEN NULL ELSE l.difference_ore END AS difference_ore
FROM lines AS l, prior_delivered AS p
ORDER BY l.sort_key
