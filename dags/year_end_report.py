"""Verksamhetsberättelse och bokslut (VB): the city's year-end templates filled and mailed.

Declared through ``bokslut.dag_factories.template_report_dag`` (the same Airflow DAG as ``tertial_report``
but for its reporting points and texts): every task calls one function of
``bokslut.flows.templates``; nothing heavy is imported at parse time. (Airflow's safe-mode DAG
discovery skips a file that does not mention both "airflow" and "dag": this docstring does.)
"""

from __future__ import annotations

from bokslut.dag_factories import template_report_dag

DOC = """
### year_end_report – stadens blanketter vid bokslut (VB)

**Triggas** enligt stadens kalender den 10 februari kl. 06 för föregående år (bokslutsperioden 13
är då stängd), eller manuellt med parametrarna `ar` (ÅÅÅÅ, tomt = föregående år) och `forvaltning`
(tom = alla förvaltningar med publicerad huvudbok det året). Körningen går att göra om för vilket
år som helst.

**Steg:** mål → kontroll att månadsavsluten för perioderna 00–13 är publicerade och att senaste
Kontokontrollen för period 13 inte har blockerande fel → fyll i blanketterna (Verksamhetsprojekt,
Resultatenheter, Invent o maskin, Ej aktiverbara utgifter-inkomst, Innovationssatsningar, Externa
projekt, Nyckeltal, huvudboksrapporter, Kontokontroller, Kontroller blankett) i outbox
`<förvaltning>/VB-ÅÅÅÅ/` → e-post till ekonomi (`BOKSLUT_FINANCE_EMAIL_TO`) med filerna bifogade.

En schemalagd körning som startar mer än två dygn efter sin tid (DAG:en var pausad och har just
återaktiverats) hoppas över i stället för att fylla i gamla blanketter; starta då manuellt.

**Vid fel:** läs meddelandet i den misslyckade uppgiften. *Inte redo*: kör `ledger_month_end` för
de perioder som saknas (oftast 13) eller rätta det som Kontokontrollen underkände, och starta sedan
om körningen. *Mappning eller manuella uppgifter*: rätta filen som nämns (include/templates/vb.yaml,
include/manual/<förvaltning>/VB-ÅÅÅÅ.yaml) och kör igen. Ett fel i e-posten lämnar filerna i outbox;
när uppgiften `deliver` startas om skickas samma filer inte två gånger (en ny körning bygger nya filer
och skickar dem).
"""


year_end_report = template_report_dag(
    dag_id="year_end_report",
    kind="year_end",
    schedule="0 6 10 2 *",
    tags=["bokslut", "templates"],
    doc_md=DOC,
    year_description="ÅÅÅÅ, tomt = föregående år",
)
year_end_report()
