-- KAA gäller ungdomar under 20 år: ålder vid registreringen 20 år eller mer.
SELECT source_line FROM {batch}
WHERE CAST(REPLACE(CAST(registrerad_fran AS VARCHAR(10)), '-', '') AS INTEGER)
    - CAST(REPLACE(CAST(fodelsedatum AS VARCHAR(10)), '-', '') AS INTEGER) >= 200000
