"""Independent aggregation of generated extracts (duckdb over the CSV files, no pipeline code).

The tests prove the generator right by reading its CSV output the way any consumer would and
summing it with the domain rules of docs/spec/domain.md, never through the warehouse or the
report code that other modules provide.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import duckdb

REFERENCE = Path(__file__).resolve().parents[1] / "reference"  # tests/reference: the city's published figures
COLUMNS = ("externt", "stadens_bolag", "internt")


def ore(text: str) -> int:
    """Reference TSV amount (decimal point) to öre."""
    return int(Decimal(text) * 100)


def read_reference(year: int, name: str) -> list[dict[str, str]]:
    with (REFERENCE / str(year) / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


class Extract:
    """One generated set loaded into an in-memory duckdb database (amounts as öre BIGINT)."""

    def __init__(self, root: Path, year: int):
        self.root = Path(root)
        self.year = year
        self.db = duckdb.connect()
        self._load("ledger", "ledger/*.csv")
        self._load("budget", "budget/*.csv")
        self._load("assets", "anlaggningsreskontra/*.csv")
        self._load("treasury", "stadskassan/*.csv")
        self.db.execute(
            """
            CREATE VIEW p AS
            SELECT *, CAST(Period AS INTEGER) AS per, CAST(Period AS INTEGER) % 100 AS pp,
                   CAST(Period AS INTEGER) // 100 AS yr,
                   CASE
                     WHEN Konto LIKE '20%' THEN 'externt'
                     WHEN Motpart BETWEEN '0000' AND '0999' THEN 'externt'
                     WHEN Motpart BETWEEN '1000' AND '1999' THEN 'stadens_bolag'
                     ELSE 'internt'
                   END AS col
            FROM ledger
            """
        )

    def _load(self, table: str, pattern: str) -> None:
        files = sorted(str(p) for p in self.root.glob(pattern))
        self.db.execute(
            f"""
            CREATE TABLE {table} AS
            SELECT * REPLACE (CAST(ROUND(CAST(REPLACE(Belopp, ',', '.') AS DECIMAL(18, 2)) * 100) AS BIGINT) AS Belopp)
            FROM read_csv({files!r}, delim=';', header=true, quote='"', escape='"',
                          all_varchar=true, filename=true)
            """
        )

    def q(self, sql: str, *params):
        return self.db.execute(sql, list(params)).fetchall()

    def scalar(self, sql: str, *params) -> int:
        value = self.db.execute(sql, list(params)).fetchone()[0]
        return int(value or 0)

    # -- reports -------------------------------------------------------------------------------

    def balance(self, level: int = 4) -> dict[str, dict[str, int]]:
        """Per account (or group): ib, change and UB per report column, as the BR prints it."""
        rows = self.q(
            f"""
            SELECT LEFT(Konto, {level}) AS k,
                   SUM(CASE WHEN pp = 0 THEN Belopp ELSE 0 END) AS ib,
                   SUM(CASE WHEN pp BETWEEN 1 AND 13 THEN Belopp ELSE 0 END) AS change,
                   SUM(CASE WHEN col = 'externt' THEN Belopp ELSE 0 END),
                   SUM(CASE WHEN col = 'stadens_bolag' THEN Belopp ELSE 0 END),
                   SUM(CASE WHEN col = 'internt' THEN Belopp ELSE 0 END)
            FROM p WHERE yr = ? AND LEFT(Konto, 1) IN ('1', '2') AND pp <= 13
            GROUP BY 1
            """,
            self.year,
        )
        return {
            r[0]: {"ib": r[1], "change": r[2], "externt": r[3], "stadens_bolag": r[4],
                   "internt": r[5], "ub_totalt": r[1] + r[2]}
            for r in rows
        }

    def result(self, level: int = 4) -> dict[str, dict[str, int]]:
        """Drift result per account (or group) and report column, periods 01–13, RR groups only."""
        rows = self.q(
            f"""
            SELECT LEFT(Konto, {level}) AS k,
                   SUM(CASE WHEN col = 'externt' THEN Belopp ELSE 0 END),
                   SUM(CASE WHEN col = 'stadens_bolag' THEN Belopp ELSE 0 END),
                   SUM(CASE WHEN col = 'internt' THEN Belopp ELSE 0 END)
            FROM p
            WHERE yr = ? AND pp BETWEEN 1 AND 13 AND Anslag = 'D'
              AND (LEFT(Konto, 2) BETWEEN '30' AND '38' OR LEFT(Konto, 2) BETWEEN '40' AND '79'
                   OR LEFT(Konto, 2) IN ('84', '85'))
            GROUP BY 1
            """,
            self.year,
        )
        return {
            r[0]: {"externt": r[1], "stadens_bolag": r[2], "internt": r[3], "totalt": r[1] + r[2] + r[3]}
            for r in rows
        }

    def account_sum(self, where: str, *params, year: int | None = None) -> int:
        return self.scalar(
            f"SELECT SUM(Belopp) FROM p WHERE yr = ? AND pp BETWEEN 1 AND 13 AND ({where})",
            self.year if year is None else year,
            *params,
        )

    def arets_resultat(self) -> int:
        return sum(v["totalt"] for v in self.result(4).values())
