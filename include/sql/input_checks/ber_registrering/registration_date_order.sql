-- Registrerad till får inte ligga före Registrerad från.
SELECT source_line FROM {batch} WHERE registrerad_till IS NOT NULL AND registrerad_till < registrerad_fran
