"""Account sets and the account classes and report lines of the city's chart of accounts (domain.md §3, §6).

An ``AccountSet`` is a set of four-digit accounts as half-open ranges of account-code prefixes
(``("40", "79")`` is 40xx–78xx) minus excluded ranges, optionally limited to one Anslag (``D``
drift, ``I`` investering). One definition serves the reports (``contains`` over aggregated
rows), the recomputation of a figure (``clause`` over the raw postings, ``bokslut explain``) and
the Kontokontroller SQL (``sql_condition``), so a template line, a report line and a control agree
by construction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # SQLAlchemy only where a clause is built: the command line starts without it
    import sqlalchemy as sa


_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")  # a column, optionally qualified


def next_prefix(prefix: str) -> str:
    """The smallest string above every string starting with ``prefix`` ("78" -> "79", "79" -> "8")."""
    head = prefix.rstrip("9")
    if not head:
        return "\uffff"
    return head[:-1] + chr(ord(head[-1]) + 1)


def _previous_prefix(bound: str, width: int) -> str | None:
    """"79" -> "78" (width 2): the last prefix of ``width`` characters below ``bound``, if numeric."""
    if not bound.isdigit():
        return None
    value = int(bound.ljust(width, "0")) - 1
    return str(value).zfill(width) if value >= 0 else None


@dataclass(frozen=True)
class AccountSet:
    include: tuple[tuple[str, str], ...]  # half-open ranges [lo, hi) compared as strings
    exclude: tuple[tuple[str, str], ...] = ()
    anslag: str | None = None

    @classmethod
    def prefixes(cls, *codes: str, anslag: str | None = None, exclude: tuple[str, ...] = ()) -> AccountSet:
        """Accounts starting with any of ``codes`` ("4022", "40"), minus those starting with ``exclude``."""
        return cls(tuple((c, next_prefix(c)) for c in codes), tuple((c, next_prefix(c)) for c in exclude), anslag)

    @classmethod
    def groups(cls, first: str, last: str, *, anslag: str | None = None) -> AccountSet:
        """Account prefixes ``first``..``last`` inclusive ("40", "78" = 40xx–78xx)."""
        return cls.ranges((first, last), anslag=anslag)

    @classmethod
    def ranges(cls, *pairs: tuple[str, str], anslag: str | None = None, exclude: tuple[str, ...] = ()) -> AccountSet:
        """Inclusive prefix ranges per pair (("30", "38"), ("40", "88")), minus prefixes ``exclude``."""
        return cls(tuple((lo, next_prefix(hi)) for lo, hi in pairs), tuple((c, next_prefix(c)) for c in exclude), anslag)

    def contains(self, konto: str, anslag: str | None = None) -> bool:
        if self.anslag is not None and anslag != self.anslag:
            return False
        return (any(lo <= konto < hi for lo, hi in self.include)
                and not any(lo <= konto < hi for lo, hi in self.exclude))

    def clause(self, konto: sa.ColumnElement, anslag: sa.ColumnElement) -> sa.ColumnElement[bool]:
        import sqlalchemy as sa

        inside = sa.or_(*(sa.and_(konto >= lo, konto < hi) for lo, hi in self.include)) if self.include else sa.false()
        parts = [inside]
        parts += [sa.not_(sa.and_(konto >= lo, konto < hi)) for lo, hi in self.exclude]
        if self.anslag is not None:
            parts.append(anslag == self.anslag)
        return sa.and_(*parts)

    def sql_condition(self, konto: str = "konto", anslag: str = "anslag") -> str:
        """The set as an SQL condition on the columns ``konto`` and ``anslag`` (the Kontokontroller
        SQL in include/sql, filled in by ``bokslut.sql.render_account_sets``), the same half-open
        string ranges as ``clause``. Text, not binds: Great Expectations takes the control SQL as
        one string, and these are constants of the chart of accounts (digit prefixes, checked here),
        never input values."""
        for column in (konto, anslag):
            if not _IDENTIFIER.match(column):
                raise ValueError(f"not a column name: {column!r}")
        for lo, hi in self.include + self.exclude:
            if not lo.isdigit() or not (hi.isdigit() or hi == "\uffff"):
                raise ValueError(f"not an account prefix range: {lo!r}, {hi!r}")
        if self.anslag is not None and not self.anslag.isalpha():
            raise ValueError(f"not an Anslag: {self.anslag!r}")

        def between(lo: str, hi: str) -> str:
            return f"{konto} >= '{lo}'" if hi == "\uffff" else f"{konto} >= '{lo}' AND {konto} < '{hi}'"

        ranges = [between(lo, hi) for lo, hi in self.include]
        if not ranges:
            parts = ["1 = 0"]
        elif len(ranges) == 1 and not (self.exclude or self.anslag):
            parts = ranges
        else:
            parts = ["(" + " OR ".join(f"({r})" if len(ranges) > 1 else r for r in ranges) + ")"]
        parts += [f"NOT ({between(lo, hi)})" for lo, hi in self.exclude]
        if self.anslag is not None:
            parts.append(f"{anslag} = '{self.anslag}'")
        return "(" + " AND ".join(parts) + ")"

    @staticmethod
    def _range_text(lo: str, hi: str) -> str:
        if hi == "\uffff":  # open upwards: the highest four-digit account closes it for the reader
            return f"{lo or '0'}–{'9' * max(len(lo), 4)}"
        if next_prefix(lo) == hi:
            return lo
        last = _previous_prefix(hi, len(lo))
        return f"{lo}–{last}" if last else f"{lo}–(under {hi})"

    def describe(self) -> str:
        """Swedish: "konto 40–78, 85 utom 852; anslag D"."""
        text = "konto " + ", ".join(self._range_text(lo, hi) for lo, hi in self.include) if self.include else "inga konton"
        if self.exclude:
            text += " utom " + ", ".join(self._range_text(lo, hi) for lo, hi in self.exclude)
        if self.anslag is not None:
            text += f"; anslag {self.anslag}"
        return text


KONTO_PATTERN = r"\d{4}"  # an account code: four digits
NO_ACCOUNTS = AccountSet(())

# Account classes (first digit): 1 assets, 2 equity and liabilities, 3 revenue, 4–7 costs,
# 8 financial items and year-end postings, 9 clearing accounts against stadskassan.
BALANCE = AccountSet.ranges(("0", "2"))  # konto < 3000
TILLGANGAR = AccountSet.prefixes("1")
SKULDER_OCH_EGET_KAPITAL = AccountSet.prefixes("2")
EGET_KAPITAL = AccountSet.prefixes("20")
RESULTATFOND = AccountSet.prefixes("203")
RESULT_AND_CLEARING = AccountSet.ranges(("3", "9"))  # konto 3–9999 (KK06)
RESULT_CLASSES = AccountSet.ranges(("3", "8"))  # konto 3000–8999: revenue, costs, financial and year-end items
INTERNA_UTBETALNINGAR = AccountSet.prefixes("904", "905")
AKTIVERAT = AccountSet.prefixes("789")  # capitalised own work, moved to investment

# Resultaträkning (drift, Anslag D).
VERKSAMHETENS_INTAKTER_RR = AccountSet.ranges(("30", "38"), anslag="D")
VERKSAMHETENS_KOSTNADER = AccountSet.ranges(("40", "78"), anslag="D")
AVSKRIVNINGAR = AccountSet.prefixes("79", anslag="D")
FINANSIELLA_INTAKTER = AccountSet.prefixes("84", anslag="D")
FINANSIELLA_KOSTNADER = AccountSet.prefixes("85", anslag="D")
INTERNRANTA = AccountSet.prefixes("852", anslag="D")
# Årets resultat: revenue 30–38 and costs, financial items and year-end postings 40–88; 39xx and
# 89xx are outside it (KK06 adds 89xx beside it).
ARETS_RESULTAT = AccountSet.ranges(("30", "38"), ("40", "88"), anslag="D")
KONTO_89 = AccountSet.prefixes("89")
# What Årets resultat holds beyond Summa drift: the drift postings on 80–83 and 86–88 (where KK07
# and KK09 look when the two differ).
YEAR_END_POSTINGS = AccountSet.ranges(("80", "83"), ("86", "88"), anslag="D")

# Budgetavräkning - Fackförvaltning (domain.md §6): Drift och underhåll = RR kostnader + RR 85 −
# RR 852; Verksamhetens intäkter = RR intäkter + RR 84; Summa drift = Årets resultat of the drift
# lines (kostnader, avskrivningar, 85, intäkter, 84).
DRIFT_OCH_UNDERHALL = AccountSet.ranges(("40", "78"), ("85", "85"), anslag="D", exclude=("852",))
DRIFT_KOSTNADER = AccountSet.ranges(("40", "79"), ("85", "85"), anslag="D")
VERKSAMHETENS_INTAKTER = AccountSet.ranges(("30", "38"), ("84", "84"), anslag="D")
SUMMA_DRIFT = AccountSet.ranges(("30", "38"), ("40", "79"), ("84", "85"), anslag="D")
INVESTERING_UTGIFTER = AccountSet.ranges(("4", "8"), anslag="I", exclude=("789",))
INVESTERING_INKOMSTER = AccountSet.prefixes("3", anslag="I")
