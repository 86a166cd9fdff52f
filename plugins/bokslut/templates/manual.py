"""The manual-input file: what finance fills in because no system holds it.

One YAML file per förvaltning and reporting point, ``<BOKSLUT_MANUAL_DIR>/<förvaltning>/<PUNKT>-<år>.yaml``
(default ``include/manual/``), kept in version control and copied into the delivery folder with
its SHA-256, so every delivered workbook can be traced to the inputs it was filled with. The
format is documented for finance users in docs/templates.md; ``include/manual/191/`` has filled
examples. Sections (all optional):

``kontakt``                handläggare, telefon, e-post per nyckeltal sheet
``verksamhetsprojekt``     per projektkod (mnkr): budget, budget_nasta_ar, prognos_nasta_ar,
                           prognos_helar (T1/T2), prognos_total, prognos_start, prognos_slut,
                           kommentar (orsak och vidtagen åtgärd), datumkommentar
``resultatenheter``        per ansvarskod (tkr): eget_handlande (JA/NEJ), ack_resultatfond_ib,
                           resultat_exkl_resultatfond, ackumulerad_overforing, kommentar
``invent_o_maskin``        prognos (T1/T2, mnkr), kommentar
``ej_aktiverbara``         prognos_utgifter, prognos_inkomster (mnkr), kommentar
``externa_projekt``        per projektkod (tkr): ib, belopp_att_balansera, beslut
``innovationssatsningar``  a list of rows: namn, typ, beskrivning, resultat, lardomar, status,
                           spridning, ansvarig_chef, kontaktperson
``nyckeltal``              per nummer: taljare, namnare (66), kvot (126), foregaende_ar, kommentar
``prognos``                T1/T2: the förvaltning's own year-end forecast per line (mnkr),
                           replacing the suggestion (drift_och_underhall, avskrivningar,
                           internranta, verksamhetens_intakter, investering_utgifter,
                           investering_inkomster)

The same inputs can come as an input workbook (``.xlsx``, written by ``bokslut manual-input``,
read by ``templates.input_reader``): ``templates.manual_file.load_manual`` dispatches on the suffix
and both give the same nested dict.

Amounts are in the unit the sheet shows (mnkr or tkr, intäkter negative), written ``12.5``,
``"12,5"`` or ``-3``; dates ``2024-12-31``; texts are always shown as text.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from bokslut.settings import manual_dir

SECTIONS = ("forvaltning", "ar", "rapporttillfalle", "kontakt", "verksamhetsprojekt", "resultatenheter",
            "invent_o_maskin", "ej_aktiverbara", "externa_projekt", "innovationssatsningar", "nyckeltal", "prognos")


class ManualInputError(ValueError):
    """The manual-input file cannot be used (Swedish message naming the file and the key)."""


def default_manual_path(forvaltning: str, year: int, point: str) -> Path:
    return manual_dir() / forvaltning / f"{point}-{year}.yaml"


def _normalise(value: object) -> object:
    if isinstance(value, dict):
        return {str(k): _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    return value


@dataclass
class ManualInputs:
    path: Path | None = None
    data: dict = field(default_factory=dict)
    sha256: str | None = None
    locations: dict[str, str] = field(default_factory=dict)  # dotted key -> "blad X, cell Y" (input workbook)
    asked: set[str] = field(default_factory=set, repr=False, compare=False)  # every key the fill read (catalogue test)

    def where(self, dotted: str) -> str:
        """Where finance gives ``dotted``: the input workbook's sheet and cell, else the key of the YAML file."""
        if dotted in self.locations:
            return f"arbetsboken {self.path.name if self.path else ''}, {self.locations[dotted]}".replace(" ,", ",")
        return f"manuella uppgifter: {dotted}"

    def get(self, dotted: str) -> object | None:
        """``get("verksamhetsprojekt.2404.kommentar")``; None when absent or blank."""
        self.asked.add(dotted)
        node: object = self.data
        for key in dotted.split("."):
            if not isinstance(node, dict) or key not in node:
                return None
            node = node[key]
        if isinstance(node, str) and not node.strip():
            return None
        return node

    def section(self, name: str) -> dict:
        value = self.data.get(name)
        return value if isinstance(value, dict) else {}

    def rows(self, name: str) -> list[dict]:
        value = self.data.get(name)
        return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []

    @property
    def described(self) -> str:
        if self.path is None:
            return "ingen fil med manuella uppgifter"
        return f"{self.path.name} (SHA-256 {self.sha256[:12]})"


def read_manual_yaml(path: Path, forvaltning: str, year: int, point: str) -> ManualInputs:
    """The inputs of the YAML file ``path`` (``manual_file.load_manual`` chooses YAML or workbook)."""
    raw_bytes = path.read_bytes()
    try:
        data = yaml.safe_load(raw_bytes.decode("utf-8")) or {}
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ManualInputError(f"{path.name}: filen går inte att läsa som YAML (UTF-8): {exc}") from None
    if not isinstance(data, dict):
        raise ManualInputError(f"{path.name}: filen ska börja med nycklar som 'forvaltning:' och 'ar:'.")
    data = _normalise(data)
    unknown = [k for k in data if k not in SECTIONS]
    if unknown:
        raise ManualInputError(f"{path.name}: okänd(a) nyckel(nycklar) {', '.join(unknown)}; "
                               f"tillåtna är {', '.join(SECTIONS)}.")
    for key, expected in (("forvaltning", forvaltning), ("ar", str(year)), ("rapporttillfalle", point)):
        given = data.get(key)
        if given is not None and str(given) != expected:
            raise ManualInputError(f"{path.name}: {key} är {given} men blanketterna gäller {expected}.")
    return ManualInputs(path, data, hashlib.sha256(raw_bytes).hexdigest())


def to_decimal(value: object, where: str) -> Decimal | None:
    """A manual number (YAML number or text with decimal comma) as Decimal; None when blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ManualInputError(f"{where}: väntade ett tal, fick {value!r}")
    if isinstance(value, (int, Decimal)):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip().replace("\u2212", "-").replace(" ", "").replace("\u00a0", "").replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ManualInputError(f"{where}: '{value}' är inget tal") from None
    else:
        raise ManualInputError(f"{where}: väntade ett tal, fick {value!r}")
    # Decimal takes "NaN" and "Infinity" (and YAML .nan/.inf are floats): no amount, and the fill would
    # stop on them with an English error or an overflow
    if not number.is_finite():
        raise ManualInputError(f"{where}: '{value}' är inget tal")
    return number


def to_date(value: object, where: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ManualInputError(f"{where}: '{value}' är inget datum (ÅÅÅÅ-MM-DD)")
