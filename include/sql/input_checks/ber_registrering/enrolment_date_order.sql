-- Inskriven till kräver Inskriven från och får inte ligga före den.
SELECT source_line FROM {batch}
WHERE inskriven_till IS NOT NULL AND (inskriven_fran IS NULL OR inskriven_till < inskriven_fran)
