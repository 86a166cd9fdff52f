-- Födelsedatum efter registreringen är omöjligt.
SELECT source_line FROM {batch} WHERE fodelsedatum > registrerad_fran
