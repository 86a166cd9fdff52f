"""One declared column list per source format (``shared/spec/formats.md``).

A field names its canonical header, the warehouse column it fills and how its text is checked.
Readers rename the site's headers to these names through a mapping (``include/mappings``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import sqlalchemy as sa

from bokslut.warehouse.schema import asset_register, budget, posting, treasury

FieldKind = Literal["code", "text", "amount", "period", "date", "year", "choice"]


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


@dataclass(frozen=True)
class SourceFormat:
    name: str  # ledger, budget, ...
    label: str  # Swedish name used in messages
    table: sa.Table
    fields: tuple[Field, ...]
    partition_columns: tuple[str, ...]  # warehouse columns whose values name a publishable unit
    default_mapping: str
    extra: dict[str, str] = field(default_factory=dict)

    def field(self, header: str) -> Field:
        return next(f for f in self.fields if f.header == header)

    def partition_key(self, values: tuple) -> str:
        return ":".join(str(v) for v in values)


FORVALTNING = Field("Förvaltning", "forvaltning", "code", pattern=r"\d{3}", width=3, pattern_hint="tre siffror")
PERIOD = Field("Period", "period", "period")
KONTO = Field("Konto", "konto", "code", pattern=r"\d{4}", width=4, pattern_hint="fyra siffror")
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
        Field("Version", "version", "choice", choices=("VP", "BJ", "T1", "T2")),
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

SOURCES: dict[str, SourceFormat] = {s.name: s for s in (LEDGER, BUDGET, ASSET_REGISTER, TREASURY)}
