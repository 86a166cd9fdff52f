-- Ett kontaktförsök efter uttagsmånaden kan inte ha skett.
SELECT source_line, period, datum FROM {batch}
WHERE CAST(REPLACE(CAST(datum AS VARCHAR(10)), '-', '') AS INTEGER) > period * 100 + 31
