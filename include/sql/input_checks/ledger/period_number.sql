-- Periodnumret ska vara 00–14.
SELECT source_line, period FROM {batch} WHERE period % 100 > 14
