"""Where every delivered figure comes from (issue 11): ``bokslut explain`` and the ``Källor`` sheets.

Modules, one job each::

    model           the explanation of one figure: value, source record, recomputed value, loads,
                    top postings
    selection       which published rows a figure sums: printable, re-run as SQL, shown row by row
    record          the source record of one filled template cell (measure, rows, manual input)
    sources_sheet   the ``Källor`` sheet: one row per filled cell of a delivered workbook
    render          an explanation as text for a person or TSV for a program
    reports         explanations of ledger report figures
    controls        explanations of Kontokontroller (drill-down to the postings behind a control)
    control_values  each Kontokontroll line restated as sums of raw rows (the independent
                    recomputation)
    cells           where one cell of a filled template comes from
    report_workbook  the ledger reports as one workbook with its ``Källor`` sheet
"""
