-- Anställningen slutade före uttagsårets början: den hör inte till ögonblicksbilden.
SELECT source_line, period, end_date FROM {batch}
WHERE end_date IS NOT NULL
  AND CAST(REPLACE(CAST(end_date AS VARCHAR(10)), '-', '') AS INTEGER) < (period / 100) * 10000 + 101
