"""One declared column list per source format (``docs/spec/formats.md``).

A field names its canonical header, the warehouse column it fills and how its text is checked.
Readers rename the site's headers to these names through a mapping (``include/mappings``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import sqlalchemy as sa

from bokslut import names
from bokslut.domain.accounts import KONTO_PATTERN
from bokslut.domain.organisation import BUDGET_VERSIONS, FORVALTNING_HINT_SV, FORVALTNING_PATTERN
from bokslut.warehouse.schema import (
    asset_register,
    ber_contact,
    ber_registration,
    budget,
    hr_absence,
    hr_contracted_time,
    hr_employment,
    posting,
    treasury,
)

FieldKind = Literal[
    "code", "text", "amount", "period", "date", "year", "choice",
    # HR and BER extracts (docs/hr-kaa.md, docs/personal-data.md):
    "month",  # YYYYMM, MM 01–12
    "number",  # decimal, stored as an integer of 10**scale units (87,5 % → 8750 at scale 2)
    "personnummer",  # validated, then replaced by a keyed hash (bokslut.hr.pseudonym); never stored
    "pseudonym",  # any other identifier replaced by a keyed hash (e.g. Anstallnings-id)
]


@dataclass(frozen=True)
class Field:
    header: str  # canonical header, e.g. "Belopp"
    column: str  # warehouse column, e.g. "amount_ore"
    kind: FieldKind
    required: bool = True  # the column must be present in the file
    blank_ok: bool = False  # an empty value is accepted (controls report blanks, e.g. KK10)
    pattern: str | None = None  # full-match regex for codes
    choices: tuple[str, ...] = ()
    max_length: int = 200
    width: int | None = None  # fixed-width numeric code: Excel numbers are zero-padded to it
    pattern_hint: str = ""  # Swedish description of the pattern, for error messages
    scale: int = 2  # number: decimals kept; the column holds value × 10**scale as an integer
    day_column: str | None = None  # date: also fill this column with the day number (days since 1970-01-01)
    default: str | None = None  # value used when an optional column is absent from the file
    sensitive: bool = False  # personal data: the value is masked in quarantine and messages
    domain: str = ""  # personnummer/pseudonym: keyed-hash domain, same domain = same pseudonym


@dataclass(frozen=True)
class SourceFormat:
    name: str  # ledger, budget, ...
    label: str  # Swedish name used in messages
    table: sa.Table
    fields: tuple[Field, ...]
    partition_columns: tuple[str, ...]  # warehouse columns whose values name a publishable unit
    default_mapping: str
    extra: dict[str, str] = field(default_factory=dict)
    personal_data: bool = False  # rows describe people: anything like a personnummer is masked in quarantine

    def field(self, header: str) -> Field:
        return next(f for f in self.fields if f.header == header)

    def partition_key(self, values: tuple) -> str:
        return ":".join(str(v) for v in values)


FORVALTNING = Field("Förvaltning", "forvaltning", "code", pattern=FORVALTNING_PATTERN, width=3, pattern_hint=FORVALTNING_HINT_SV)
PERIOD = Field("Period", "period", "period")
KONTO = Field("Konto", "konto", "code", pattern=KONTO_PATTERN, width=4, pattern_hint="fyra siffror")
ANSLAG = Field("Anslag", "anslag", "choice", choices=("D", "I"))
BELOPP = Field("Belopp", "amount_ore", "amount")


def _code(header: str, column: str, *, required: bool = True, blank_ok: bool = True) -> Field:
    return Field(header, column, "code", required=required, blank_ok=blank_ok, max_length=20)


LEDGER = SourceFormat(
    name="ledger",
    label="huvudbok",
    table=posting,
    fields=(
        FORVALTNING,
        PERIOD,
        KONTO,
        Field("Kontonamn", "kontonamn", "text", required=False, blank_ok=True),
        _code("Ansvar", "ansvar", required=False),
        _code("Verksamhet", "verksamhet"),
        _code("Projekt", "projekt"),
        Field("Motpart", "motpart", "code", blank_ok=True, pattern=r"\d{4}", width=4,
              pattern_hint="fyra siffror"),
        ANSLAG,
        Field("Vertyp", "vertyp", "code", pattern=r"[A-Z0-9]{2}", pattern_hint="två tecken, t.ex. LF"),
        Field("Vernr", "vernr", "code", max_length=30),
        Field("Datum", "datum", "date"),
        Field("Text", "text", "text", required=False, blank_ok=True, max_length=500),
        BELOPP,
    ),
    partition_columns=("period",),
    default_mapping="ledger_canonical.yaml",
)

BUDGET = SourceFormat(
    name="budget",
    label="budget",
    table=budget,
    fields=(
        FORVALTNING,
        Field("År", "year", "year"),
        Field("Version", "version", "choice", choices=BUDGET_VERSIONS),
        Field("Period", "period", "period", required=False, blank_ok=True),
        KONTO,
        _code("Ansvar", "ansvar", required=False),
        _code("Verksamhet", "verksamhet", required=False),
        _code("Projekt", "projekt", required=False),
        ANSLAG,
        BELOPP,
    ),
    partition_columns=("year", "version"),
    default_mapping="budget_canonical.yaml",
)

ASSET_REGISTER_TYPES = (
    "Aktivering", "Tillägg", "Historiska anläggningar (värdeöverföring)", "Automatisk avskrivning",
    "Nedskrivning", "Återföring (uppskrivning)", "Försäljning", "Utrangering", "Ändra dimension från",
    "Ändra dimension till", "Omgruppering från", "Omgruppering till",
    "Överförs till, aktiveringstransaktion", "Överförs från", "Överförs till", "Omvärdering",
    "Kalkylmässig ränta", "Manuell avskrivning", "Reversering", "BFV-avrundning",
)  # fmt: skip

ASSET_REGISTER = SourceFormat(
    name="anlaggningsreskontra",
    label="anläggningsreskontra",
    table=asset_register,
    fields=(
        FORVALTNING,
        PERIOD,
        KONTO,
        Field("Transaktionstyp", "transaktionstyp", "choice", choices=ASSET_REGISTER_TYPES),
        BELOPP,
    ),
    partition_columns=("period",),
    default_mapping="anlaggningsreskontra_canonical.yaml",
)

TREASURY_TYPES = ("Externa inbetalningar", "Interna inbetalningar", "Externa utbetalningar")

TREASURY = SourceFormat(
    name="stadskassan",
    label="stadskassans konto",
    table=treasury,
    fields=(
        FORVALTNING,
        PERIOD,
        Field("Transaktionstyp", "transaktionstyp", "choice", choices=TREASURY_TYPES),
        BELOPP,
    ),
    partition_columns=("period",),
    default_mapping="stadskassan_canonical.yaml",
)

# --- HR (LISA) and BER/KAA extracts: monthly snapshots, person level (formats.md §4–5) --------------
# Every extract carries the month it describes in ``Period`` (YYYYMM): the publishable unit is
# (förvaltning, month), so each month's snapshot is kept (docs/input-formats.md, "HR and BER").

EMPLOYMENT_FORMS = ("tillsvidare", "provanställd", "visstid", "vikariat", "timanställd")
ABSENCE_TYPES = ("sjuk", "vab", "föräldraledig", "semester", "tjänstledig", "annan")
OCCUPATIONS = ("arbete", "studier", "utomlands", "praktik", "annat", "ingen")
CLOSING_REASONS = ("studier", "arbete", "fyllt 20", "flyttat", "annat")
CONTACT_CHANNELS = ("brev", "telefon", "sms", "mejl", "hembesök", "drop-in", "annat")
JN = ("J", "N")
KON = ("K", "M")
# Absence, contracted time and BER rows name no förvaltning in formats.md: they belong to the
# förvaltning that delivers them (191 runs KAA for the city); a Förvaltning column overrides.
DEFAULT_FORVALTNING = "191"

SNAPSHOT_MONTH = Field("Period", "period", "month")
FORVALTNING_OR_DEFAULT = Field("Förvaltning", "forvaltning", "code", required=False, pattern=FORVALTNING_PATTERN, width=3,
                               pattern_hint=FORVALTNING_HINT_SV, default=DEFAULT_FORVALTNING)


def _personnummer(domain: str) -> Field:
    return Field("Personnummer", "person_id", "personnummer", sensitive=True, domain=domain, max_length=20)


def _employment_id() -> Field:
    return Field("Anstallnings-id", "employment_id", "pseudonym", sensitive=True, domain="hr:anstallning",
                 max_length=40)


def _date(header: str, column: str, day_column: str | None = None, *, blank_ok: bool = False,
          sensitive: bool = False) -> Field:
    return Field(header, column, "date", required=not blank_ok, blank_ok=blank_ok, day_column=day_column,
                 sensitive=sensitive)


HR_EMPLOYMENT = SourceFormat(
    name="hr_anstallning",
    label="anställningar (LISA)",
    table=hr_employment,
    fields=(
        SNAPSHOT_MONTH,
        FORVALTNING,
        _personnummer("hr"),
        _employment_id(),
        Field("Enhet", "enhet", "code", max_length=20),
        Field("Anställningsform", "anstallningsform", "choice", choices=EMPLOYMENT_FORMS),
        Field("Sysselsättningsgrad", "sysselsattningsgrad_hundradelar", "number", scale=2),
        Field("Chef", "chef", "choice", choices=JN),
        Field("Kön", "kon", "choice", choices=KON),
        Field("Utrikes född", "utrikes_fodd", "choice", choices=JN),
        _date("Startdatum", "start_date", "start_day"),
        _date("Slutdatum", "end_date", "end_day", blank_ok=True),
        Field("Avgångsorsak", "avgangsorsak", "text", required=False, blank_ok=True, max_length=60),
    ),
    partition_columns=("period",),
    default_mapping="hr_anstallning_canonical.yaml",
    personal_data=True,
)

HR_ABSENCE = SourceFormat(
    name="hr_franvaro",
    label="frånvaro (LISA)",
    table=hr_absence,
    fields=(
        SNAPSHOT_MONTH,
        FORVALTNING_OR_DEFAULT,
        _personnummer("hr"),
        _employment_id(),
        Field("Frånvarotyp", "franvarotyp", "choice", choices=ABSENCE_TYPES),
        _date("Startdatum", "start_date", "start_day"),
        _date("Slutdatum", "end_date", "end_day", blank_ok=True),  # blank: the spell is still going on
        Field("Omfattning", "omfattning_hundradelar", "number", scale=2),
        Field("Sjuklönekostnad dag 2–14", "sjuklonekostnad_ore", "amount", required=False, blank_ok=True),
    ),
    partition_columns=("period",),
    default_mapping="hr_franvaro_canonical.yaml",
    personal_data=True,
)

HR_CONTRACTED_TIME = SourceFormat(
    name="hr_avtalad_tid",
    label="avtalad tid (LISA)",
    table=hr_contracted_time,
    fields=(
        FORVALTNING_OR_DEFAULT,
        _personnummer("hr"),
        _employment_id(),
        Field("Period", "period", "month"),  # the month the contracted time belongs to
        Field("Avtalade dagar", "avtalade_dagar_hundradelar", "number", scale=2),
        Field("Årsarbetare", "arsarbetare_tiotusendelar", "number", scale=4),
    ),
    partition_columns=("period",),
    default_mapping="hr_avtalad_tid_canonical.yaml",
    personal_data=True,
)

BER_REGISTRATION = SourceFormat(
    name="ber_registrering",
    label="KAA-registreringar (BER)",
    table=ber_registration,
    fields=(
        SNAPSHOT_MONTH,
        FORVALTNING_OR_DEFAULT,
        _personnummer("ber"),
        _date("Födelsedatum", "fodelsedatum", sensitive=True),
        Field("Kön", "kon", "choice", choices=KON),
        Field("Stadsdel", "stadsdel", "text", blank_ok=True, max_length=60),
        _date("Registrerad från", "registrerad_fran"),
        _date("Registrerad till", "registrerad_till", blank_ok=True),
        _date("Uppsök från", "uppsok_fran", blank_ok=True),
        Field("Jobbtorg", "jobbtorg", "text", blank_ok=True, max_length=60),
        Field("Sysselsättning vid första kontakt", "sysselsattning_forsta_kontakt", "choice", blank_ok=True,
              choices=OCCUPATIONS),
        _date("Inskriven från", "inskriven_fran", blank_ok=True),
        _date("Inskriven till", "inskriven_till", blank_ok=True),
        Field("Avslutsorsak", "avslutsorsak", "choice", blank_ok=True, choices=CLOSING_REASONS),
    ),
    partition_columns=("period",),
    default_mapping="ber_registrering_canonical.yaml",
    personal_data=True,
)

BER_CONTACT = SourceFormat(
    name="ber_kontakt",
    label="KAA-kontaktförsök (BER)",
    table=ber_contact,
    fields=(
        SNAPSHOT_MONTH,
        FORVALTNING_OR_DEFAULT,
        _personnummer("ber"),
        _date("Datum", "datum"),
        Field("Kanal", "kanal", "choice", choices=CONTACT_CHANNELS),
        Field("Nådd", "nadd", "choice", choices=JN),
        Field("Egeninitierad", "egeninitierad", "choice", choices=JN),
    ),
    partition_columns=("period",),
    default_mapping="ber_kontakt_canonical.yaml",
    personal_data=True,
)

HR_SOURCES = (HR_EMPLOYMENT, HR_ABSENCE, HR_CONTRACTED_TIME)  # load order: absence is checked against employment
BER_SOURCES = (BER_REGISTRATION, BER_CONTACT)
# ``bokslut load hr|ber``: a group expands to its extracts, in load order (bokslut.hr.readers).
SOURCE_GROUPS: dict[str, tuple[str, ...]] = {
    "hr": tuple(s.name for s in HR_SOURCES),
    "ber": tuple(s.name for s in BER_SOURCES),
}

SOURCES: dict[str, SourceFormat] = {
    s.name: s for s in (LEDGER, BUDGET, ASSET_REGISTER, TREASURY, *HR_SOURCES, *BER_SOURCES)
}
if tuple(SOURCES) != names.SOURCE_NAMES or SOURCE_GROUPS != names.SOURCE_GROUPS:
    raise RuntimeError("bokslut.names does not list the sources of bokslut.ingest.formats: update both")
