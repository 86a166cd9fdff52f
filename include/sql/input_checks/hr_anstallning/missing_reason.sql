-- En avslutad anställning (slutdatum senast i uttagsmånaden) ska ha en avgångsorsak.
SELECT source_line, period, end_date FROM {batch}
WHERE end_date IS NOT NULL AND avgangsorsak = ''
  AND CAST(REPLACE(CAST(end_date AS VARCHAR(10)), '-', '') AS INTEGER) <= period * 100 + 31
