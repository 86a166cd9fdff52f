-- En budgetrads period ska ligga i budgetåret och ha periodnummer 00–14.
SELECT source_line, year, period FROM {batch}
WHERE period IS NOT NULL AND (period / 100 <> year OR period % 100 > 14)
