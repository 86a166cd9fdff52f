"""Checks before publishing (write-audit-publish): the input suites audit a staged load, the
Kontokontroller control a förvaltning's period as it would be published.

Modules, one job each::

    input_checks  the input-format suites (``expectations/input_<source>.json``) run on a staged load
    input_sql     an input suite compiled to SQL: the whole suite in one aggregate pass
    suites        the Kontokontroller suites: Great Expectations JSON in ``expectations/``, SQL in
                  ``include/sql/controls``
    scope         the period bounds of a control run, as the Kontokontroller's SQL parameters
    inputs        the inputs a control line needs besides the year's ledger, and which a run has
    runner        runs the Kontokontroller for one förvaltning and period, before publishing
    model         what a control produces: one record per Kontokontroll line (pure data)
    ge            Great Expectations plumbing shared by the control and the input suites
    sheet         the city's Kontokontroller sheet as a report (TSV, xlsx)
"""
