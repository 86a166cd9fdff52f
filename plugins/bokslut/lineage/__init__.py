"""Where every delivered figure comes from (issue 11).

``model``     the explanation of one figure: value, source record, recomputed value, loads, top postings
``cli``       ``bokslut explain`` (a template cell, a ledger report line, a Kontokontroll)
``controls``  explanations of Kontokontroller (drill-down to the postings behind a control)
``control_values``  each Kontokontroll line restated as sums of raw rows (the independent recomputation)
"""
