-- Bokföringsdatum ska ligga i periodens år.
SELECT source_line, period, datum FROM {batch}
WHERE CAST(SUBSTR(CAST(datum AS VARCHAR(10)), 1, 4) AS INTEGER) <> period / 100
