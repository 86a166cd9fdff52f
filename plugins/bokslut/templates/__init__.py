"""The city's templates (blanketter) filled from the warehouse at T1, T2 and year-end (VB).

Data flow, one job per module::

    points      reporting point -> periods and labels (T1 = 01-04, T2 = 01-08, VB = 01-13)
    mapping     the YAML next to each template: which cell or table column shows what
    reference   project master data, resultatenheter, nämnd names (user-editable CSV)
    manual      the finance user's manual-input file (YAML, one per förvaltning and point)
    data        warehouse queries (include/sql/templates/), published data only
    prognos     suggested year-end forecast from year-to-date outturn and earlier years' profile
    measures    the named-measure registry the mapping refers to
    xlsxops     openpyxl helpers: row insertion that keeps formulas right, a small evaluator
    fill        template + mapping + measures -> filled workbook
    rules       the rules printed on the templates, checked and reported in Swedish
    delivery    e-mail to finance with the files attached (Airflow SMTP connection)
    pipeline    the functions the tertial_report and year_end_report DAG tasks call
    cli         ``bokslut templates``
"""
