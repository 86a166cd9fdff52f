-- Slutdatum får inte ligga före startdatum.
SELECT source_line, start_date, end_date FROM {batch} WHERE end_day IS NOT NULL AND end_day < start_day
