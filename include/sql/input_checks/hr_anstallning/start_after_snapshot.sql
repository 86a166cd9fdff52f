-- Startdatum efter uttagsmånaden: en anställning som ännu inte har börjat.
SELECT source_line, period, start_date FROM {batch}
WHERE CAST(REPLACE(CAST(start_date AS VARCHAR(10)), '-', '') AS INTEGER) > period * 100 + 31
