"""What a control produces: one record per Kontokontroll line, pure data.

Controls compute records; alerts and reports format them. Nothing here sends or writes.

A failing line carries the vouchers (verifikationer) that explain its difference: the postings
matching the line's offending filter, grouped by voucher (period, vertyp, vernr), vouchers whose
net is zero left out, ranked by their contribution to the difference. A large voucher whose
postings cancel each other is not a cause and is not listed.

``ControlRun.to_dict()`` / ``ControlRun.from_dict()`` round-trip a run through JSON (Airflow XCom).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Literal

# blocking: a difference stops publishing; warning: reported, publishing goes on; info: the city's
# sheet marks the line as information (e.g. KK05.2 9043, KK05.6 9052 against 5611): value,
# comparison and difference are shown, never a requirement.
Severity = Literal["blocking", "warning", "info"]
# ok / fel (blocking difference) / varning / info (shown, no requirement, or checked at another
# reporting point) / "ej kontrollerbar": an input the line needs was not delivered (the stadskassan
# extract for KK09.4-6, ...). Not checkable is a warning-level notice: it never blocks publishing and
# never reads as a pass.
Status = Literal["ok", "fel", "varning", "info", "ej kontrollerbar"]
NOT_CHECKABLE: Status = "ej kontrollerbar"
# How vouchers are ranked: "net" by their net in the direction of the difference (the filter's sum
# is the control's value), "abs" by the absolute amounts of their postings (controls that sum
# absolute amounts, such as KK10, or whose filter does not add up to the difference).
Ranking = Literal["net", "abs"]


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
class OffendingVoucher:
    """One voucher (verifikation) behind a failing control, with its postings matching the filter.

    ``net_ore`` is the net of *all* its postings matching the filter, ``contribution_ore`` what it
    adds to the difference as ranked (net in the difference's direction, or absolute amounts);
    ``postings`` holds at most the runner's limit, ``posting_count`` how many there are.
    """

    period: int
    vertyp: str
    vernr: str
    net_ore: int
    contribution_ore: int
    posting_count: int
    postings: tuple[OffendingPosting, ...] = ()

    @property
    def more_postings(self) -> int:
        return max(0, self.posting_count - len(self.postings))


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
    offending_vouchers: tuple[OffendingVoucher, ...] = field(default_factory=tuple)  # largest contribution first
    offending_voucher_count: int = 0  # vouchers with a contribution; more than listed when over the limit
    offending_ranking: Ranking = "net"
    missing_input: str = ""  # Swedish, when not checkable: "stadskassans extrakt för 191 2024 (...)"

    @property
    def failed(self) -> bool:
        """A difference that needs action (blocking or warning)."""
        return self.status in ("fel", "varning")

    @property
    def not_checkable(self) -> bool:
        return self.status == NOT_CHECKABLE

    @property
    def needs_attention(self) -> bool:
        """What the outputs list before everything else: failures and lines that could not be checked."""
        return self.failed or self.not_checkable

    @property
    def status_text(self) -> str:
        """The status as finance reads it; a line that could not be checked names what is missing."""
        if self.not_checkable:
            return f"{NOT_CHECKABLE} – saknar indata: {self.missing_input}"
        return self.status

    @property
    def offending(self) -> tuple[OffendingPosting, ...]:
        """The listed postings, voucher by voucher in ranking order."""
        return tuple(p for v in self.offending_vouchers for p in v.postings)

    @property
    def more_vouchers(self) -> int:
        return max(0, self.offending_voucher_count - len(self.offending_vouchers))


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
        """Warning-level lines: warnings and lines that could not be checked (a missing input)."""
        return [r for r in self.results if r.status in ("varning", NOT_CHECKABLE)]

    @property
    def not_checkable(self) -> list[ControlResult]:
        return [r for r in self.results if r.not_checkable]

    @property
    def status(self) -> str:
        """fel (a blocking failure), varning (a warning or a line that could not be checked) or ok."""
        return "fel" if self.blocking_failures else "varning" if self.warnings else "ok"

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe (str, int, None, lists, dicts only); ``from_dict`` gives back an equal run."""
        return {
            "run_id": self.run_id, "forvaltning": self.forvaltning, "period": self.period,
            "report_path": self.report_path, "results": [_result_dict(r) for r in self.results],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ControlRun:
        return cls(run_id=int(data["run_id"]), forvaltning=data["forvaltning"], period=int(data["period"]),
                   results=[_result_from(r) for r in data["results"]], report_path=data.get("report_path"))


def _plain(obj: object) -> dict[str, Any]:
    return {f.name: getattr(obj, f.name) for f in fields(obj)}  # type: ignore[arg-type]


def _result_dict(r: ControlResult) -> dict[str, Any]:
    values = _plain(r)
    values["offending_vouchers"] = [
        {**_plain(v), "postings": [_plain(p) for p in v.postings]} for v in r.offending_vouchers
    ]
    return values


def _result_from(data: dict[str, Any]) -> ControlResult:
    vouchers = tuple(
        OffendingVoucher(**{**v, "postings": tuple(OffendingPosting(**p) for p in v["postings"])})
        for v in data.get("offending_vouchers", ())
    )
    return ControlResult(**{**data, "offending_vouchers": vouchers})
