"""Tertialrapport: the city's templates for T1 (periods 01-04) and T2 (01-08), filled and mailed.

Declared through ``bokslut.dag_factories.template_report_dag`` (the same Airflow DAG as ``year_end_report``
but for its reporting points and texts): every task calls one function of
``bokslut.flows.templates``; nothing heavy is imported at parse time. (Airflow's safe-mode DAG
discovery skips a file that does not mention both "airflow" and "dag": this docstring does.)
"""

from __future__ import annotations

from bokslut.dag_factories import template_report_dag

DOC = """
### tertial_report – stadens blanketter vid T1 och T2

**Triggas** enligt stadens kalender: den 15 maj kl. 06 (T1, perioderna 01–04) och den 15 september
kl. 06 (T2, perioderna 01–08), eller manuellt med parametrarna `ar` (ÅÅÅÅ), `rapporttillfalle`
(T1/T2; tomt = det tertial som senast avslutades före körningsdatum) och `forvaltning` (tom = alla
förvaltningar med publicerad huvudbok det året). Körningen går att göra om för vilket år som helst.

**Steg:** mål → kontroll att månadsavsluten för periodernas 00–PP är publicerade och att senaste
Kontokontrollen för perioden inte har blockerande fel → fyll i blanketterna (prognos, projekt,
investeringar, huvudboksrapporter, Kontokontroller, Kontroller blankett) i outbox
`<förvaltning>/T1-ÅÅÅÅ/` → e-post till ekonomi (`BOKSLUT_FINANCE_EMAIL_TO`) med filerna bifogade.

En schemalagd körning som startar mer än två dygn efter sin tid (DAG:en var pausad och har just
återaktiverats) hoppas över i stället för att fylla i gamla blanketter; starta då manuellt.

**Vid fel:** läs meddelandet i den misslyckade uppgiften. *Inte redo*: kör `ledger_month_end` för
de perioder som saknas eller rätta det som Kontokontrollen underkände, och starta sedan om
körningen. *Mappning eller manuella uppgifter*: rätta filen som nämns (include/templates/*.yaml;
T1:s och T2:s celler står i tertial.yaml, som t1.yaml och t2.yaml bygger på; include/manual/…) och kör igen. Ett fel i e-posten lämnar filerna i outbox; när uppgiften
`deliver` startas om skickas samma filer inte två gånger (en ny körning bygger nya filer och skickar dem).
"""


tertial_report = template_report_dag(
    dag_id="tertial_report",
    kind="tertial",
    schedule="0 6 15 5,9 *",
    tags=["bokslut", "templates"],
    doc_md=DOC,
    year_description="ÅÅÅÅ, tomt = enligt körningsdatum",
    point_description="T1 eller T2, tomt = senast avslutade tertial",
)
tertial_report()
