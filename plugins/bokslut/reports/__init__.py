"""The city's ledger reports for one förvaltning and period, computed from the published warehouse.

Modules, one job each::

    figures            per-account figures fetched once and shared by every ledger report
    layouts            the layout of a report for a year (``include/layouts/<report>/<year>.yaml``)
    hierarchy          Balansräkning and Resultaträkning: the account hierarchy under layout sections
    statements         Budgetavräkning, Anläggningsinformation, Anläggnings- och rörelsekapital
    ledger             the five ledger reports together, and their names
    published          whether the ledger data a report is asked for is published (Swedish error if not)
    model              the shape of a computed report: columns and rows, amounts in öre
    sources            the source record of every amount (which published rows it sums)
    statement_sources  the source records of the row-based reports (``statements``)
    tsv                TSV in the format of ``tests/reference``
    xlsx               Excel sheets in the city's layout, amounts as numbers in kronor (the
                       workbook with its ``Källor`` sheet is ``lineage.report_workbook``)
"""
