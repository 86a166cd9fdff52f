-- En avslutad inskrivning ska ha en avslutsorsak.
SELECT source_line FROM {batch} WHERE inskriven_till IS NOT NULL AND avslutsorsak = ''
