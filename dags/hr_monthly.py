"""Månatligt LISA-uttag: anställningar, frånvaro och avtalad tid → pseudonymiserat lager → nyckeltal.

Declared through ``bokslut.dag_factories.personal_data_dag`` (the same Airflow DAG as ``ber_monthly``
but for its source and texts): every task calls one function of ``bokslut.flows.personal`` (as
does ``bokslut load hr|ber``); nothing heavy is imported at parse time.
(Airflow's safe-mode DAG discovery skips a file that does not mention both "airflow" and "dag": this
docstring does.)
"""

from __future__ import annotations

from bokslut.dag_factories import personal_data_dag

DOC = """
### hr_monthly – personalnyckeltal från LISA

**Triggas** varje vardag kl. 07 (Stockholm) och gör bara något när det finns nya filer i
`BOKSLUT_LANDING_DIR/hr/` (LISA levererar månadsuttag: anställningar, frånvaro och avtalad tid);
eller manuellt med parametern `paths` (filer eller mappar att läsa in i stället).

**Steg:** hitta filer → läs in (stage; personnummer ersätts med en nyckelhash direkt vid
inläsningen) → indatakontroll (Great Expectations-sviterna `input_hr_*`) → publicera per
förvaltning och månad → nyckeltal 122–129 som TSV och xlsx i `outbox/<förvaltning>/hr/`.

Nyckeln för pseudonymisering hämtas från miljövariabeln `BOKSLUT_PSEUDONYM_KEY` eller
Airflow-variabeln `bokslut_pseudonym_secret` (maskeras av Airflow i UI och API). Saknas den läses
ingenting in.

**Vid fel:** sista uppgiften listar de avvisade filerna med skäl på svenska; karantänen
(`quarantine`) visar rad, kolumn och skäl men aldrig ett personnummer. Rätta uttaget (eller be
LISA-förvaltningen om ett nytt) och lägg det i landningsmappen igen: samma månad ersätts
atomiskt. Publicerade månader är orörda av en avvisad fil. Originalfilerna ligger i arkivet,
som är personuppgifter med begränsad åtkomst (docs/personal-data.md).
"""


hr_monthly = personal_data_dag(
    dag_id="hr_monthly",
    group="hr",
    schedule="0 7 * * 1-5",
    tags=["bokslut", "hr"],
    doc_md=DOC,
    outputs_task="build_key_figures",
    nothing_new="Inga nya LISA-filer i landningsmappen.",
)
hr_monthly()
