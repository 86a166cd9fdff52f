"""The city's templates (blanketter) filled from the warehouse at T1, T2 and year-end (VB).

Reporting points (T1 = 01-04, T2 = 01-08, VB = 01-13) are ``bokslut.domain.periods``, the suggested
forecast rule ``bokslut.domain.forecast``; the commands ``bokslut templates`` and ``bokslut
manual-input`` are ``bokslut.commands.templates``.

Modules, one job each, in data-flow order::

    placeholders     {ar}, {ar-1}, {period}, {kod}... in mappings and texts
    mapping          the YAML next to each template: which cell or table column shows what
    reference        project master data, resultatenheter, nämnd names (user-editable CSV)
    manual           finance's manual inputs: the model and the YAML file
    manual_file      a manual-input file read whichever form it came in (YAML or returned workbook)
    input_catalogue  which manual inputs exist, per section and point (include/templates/manual_inputs.yaml)
    input_workbook   ``bokslut manual-input``: the input workbook finance fills in Excel
    input_reader     a returned input workbook read back, every error naming sheet and cell
    data             warehouse queries (include/sql/templates/), published data only
    measures         the named-measure registry the mapping refers to (each notes its source record)
    xlsxops          openpyxl helpers: row insertion that keeps formulas right, a small evaluator
    fill             template + mapping + measures -> filled workbook (with its Källor sheet)
    rules            the rules printed on the templates, checked and reported in Swedish
    delivery         e-mail to finance with the files attached (Airflow SMTP connection)

The tertial_report and year_end_report DAG tasks call ``bokslut.flows.templates``.
"""
