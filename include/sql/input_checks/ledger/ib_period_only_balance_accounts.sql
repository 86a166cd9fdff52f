-- Perioden för ingående balans (PP = 00) får bara innehålla balanskonton (klass 1–2).
SELECT source_line, konto, period FROM {batch} WHERE period % 100 = 0 AND SUBSTR(konto, 1, 1) NOT IN ('1', '2')
