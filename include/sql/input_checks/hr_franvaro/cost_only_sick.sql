-- Sjuklönekostnad hör bara till frånvarotypen sjuk.
SELECT source_line, franvarotyp FROM {batch} WHERE sjuklonekostnad_ore <> 0 AND franvarotyp <> 'sjuk'
