"""What a control produces: one record per Kontokontroll line, pure data.

Controls compute records; alerts and reports format them. Nothing here sends or writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["blocking", "warning"]
Status = Literal["ok", "fel", "varning", "info"]  # info: shown, no requirement (e.g. KK05.2)


@dataclass(frozen=True)
class OffendingPosting:
    """A posting behind a failing control. Koddelar and voucher only: never personal data."""

    period: int
    konto: str
    ansvar: str
    verksamhet: str
    projekt: str
    motpart: str
    anslag: str
    vertyp: str
    vernr: str
    amount_ore: int


@dataclass(frozen=True)
class ControlResult:
    control_id: str  # "KK01.1"
    group: str  # "KK01"
    name: str  # Swedish, as on the city's sheet
    rule: str
    accounts: str
    forvaltning: str
    period: int  # YYYYPP the control was run for
    value_ore: int | None
    expected_ore: int | None
    difference_ore: int | None
    severity: Severity
    status: Status
    where_to_look: str  # Swedish hint for finance
    offending: tuple[OffendingPosting, ...] = field(default_factory=tuple)

    @property
    def failed(self) -> bool:
        return self.status in ("fel", "varning")


@dataclass
class ControlRun:
    run_id: int
    forvaltning: str
    period: int
    results: list[ControlResult]
    report_path: str | None = None  # the HTML validation report, when written

    @property
    def blocking_failures(self) -> list[ControlResult]:
        return [r for r in self.results if r.status == "fel"]

    @property
    def warnings(self) -> list[ControlResult]:
        return [r for r in self.results if r.status == "varning"]
