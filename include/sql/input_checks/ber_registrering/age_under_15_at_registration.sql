-- KAA gäller ungdomar som lämnat grundskolan: ålder vid registreringen under 15 år.
SELECT source_line FROM {batch}
WHERE CAST(REPLACE(CAST(registrerad_fran AS VARCHAR(10)), '-', '') AS INTEGER)
    - CAST(REPLACE(CAST(fodelsedatum AS VARCHAR(10)), '-', '') AS INTEGER) < 150000
