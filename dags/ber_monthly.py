"""Månatligt BER-uttag (KAA): registreringar och kontaktförsök → pseudonymiserat lager → KAA-statistik.

Declared through ``bokslut.dag_factories.personal_data_dag`` (the same Airflow DAG as ``hr_monthly``
but for its source and texts): every task calls one function of ``bokslut.flows.personal`` (as
does ``bokslut load hr|ber``); nothing heavy is imported at parse time.
(Airflow's safe-mode DAG discovery skips a file that does not mention both "airflow" and "dag": this
docstring does.)
"""

from __future__ import annotations

from bokslut.dag_factories import personal_data_dag

DOC = """
### ber_monthly – KAA-statistik från BER

**Triggas** varje vardag kl. 07 (Stockholm) och gör bara något när det finns nya filer i
`BOKSLUT_LANDING_DIR/ber/` (BER:s KAA-modul levererar månadsuttag: registreringar och
kontaktförsök); eller manuellt med parametern `paths`.

**Steg:** hitta filer → läs in (stage; personnummer ersätts med en nyckelhash direkt vid
inläsningen) → indatakontroll (Great Expectations-sviterna `input_ber_*`, t.ex. ålder under 20 år
vid registreringen) → publicera per förvaltning och månad → KAA-statistiken för statistikåret
(1 december–30 november) som TSV och xlsx i `outbox/<förvaltning>/kaa/`, med röjandeskydd
(antal 1–4 visas som `<5`).

Nyckeln för pseudonymisering hämtas från miljövariabeln `BOKSLUT_PSEUDONYM_KEY` eller
Airflow-variabeln `bokslut_pseudonym_secret` (maskeras av Airflow i UI och API). Saknas den läses
ingenting in.

**Vid fel:** sista uppgiften listar de avvisade filerna med skäl på svenska; karantänen visar
rad, kolumn och skäl men aldrig ett personnummer. Rätta uttaget och lägg det i landningsmappen
igen: samma månad ersätts atomiskt, publicerade månader är orörda av en avvisad fil. Varningar
(t.ex. en ungdom som var 20 år vid registreringen) stoppar inte publiceringen men står i
laddningens meddelande: be BER-förvaltningen rätta registret.
"""


ber_monthly = personal_data_dag(
    dag_id="ber_monthly",
    group="ber",
    schedule="0 7 * * 1-5",
    tags=["bokslut", "ber"],
    doc_md=DOC,
    outputs_task="build_statistics",
    nothing_new="Inga nya BER-filer i landningsmappen.",
)
ber_monthly()
