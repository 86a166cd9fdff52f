-- Uppsök från ska inte ligga före registreringen.
SELECT source_line FROM {batch} WHERE uppsok_fran IS NOT NULL AND uppsok_fran < registrerad_fran
