"""Reference tables shipped with the project and editable by users (``include/reference/*.csv``).

The CSV files are the source of truth: every schema upgrade re-reads them. Account names that
arrived with an export (``Kontonamn``) are kept: they are newer than the shipped chart.
"""

from __future__ import annotations

import csv
from pathlib import Path

import sqlalchemy as sa

from bokslut.settings import reference_dir
from bokslut.warehouse.schema import account, counterparty_class, period

KONTOPLAN_FILE = "kontoplan.csv"
COUNTERPARTY_FILE = "motpartsklasser.csv"


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=";"))


def _year(text: str) -> int | None:
    return int(text) if text.strip() else None


def seed_reference_data(connection: sa.Connection) -> None:
    _seed_accounts(connection)
    _seed_counterparty_classes(connection)


def _seed_accounts(connection: sa.Connection) -> None:
    existing = {
        row.code: row.name_source
        for row in connection.execute(sa.select(account.c.code, account.c.name_source))
    }
    for row in _read_csv(reference_dir() / KONTOPLAN_FILE):
        values = {
            "valid_from_year": _year(row["Giltig från"]),
            "valid_to_year": _year(row["Giltig till"]),
            "fixed_line": row["Fast rad"].strip().upper() == "J",
        }
        code = row["Konto"].strip()
        if code not in existing:
            connection.execute(
                account.insert().values(code=code, name=row["Namn"], name_source="reference", **values)
            )
        elif existing[code] == "reference":
            connection.execute(
                account.update().where(account.c.code == code).values(name=row["Namn"], **values)
            )
        else:
            connection.execute(account.update().where(account.c.code == code).values(**values))


def _seed_counterparty_classes(connection: sa.Connection) -> None:
    connection.execute(counterparty_class.delete())
    connection.execute(
        counterparty_class.insert(),
        [
            {
                "range_from": r["Från"].strip(),
                "range_to": r["Till"].strip(),
                "class": r["Klass"].strip(),
                "report_column": r["Rapportkolumn"].strip(),
                "description": r["Beskrivning"].strip(),
            }
            for r in _read_csv(reference_dir() / COUNTERPARTY_FILE)
        ],
    )


PERIOD_KINDS = {0: ("ib", "Ingående balans"), 13: ("bokslut", "Bokslut"), 14: ("efter_bokslut", "Efter bokslut")}
MONTHS = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
          "september", "oktober", "november", "december"]  # fmt: skip


def _insert_missing(connection: sa.Connection, table: sa.Table):  # noqa: ANN202 - an Insert
    """INSERT that skips rows whose key exists: two loads adding the same new year both succeed."""
    if connection.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    elif connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        return table.insert()
    return insert(table).on_conflict_do_nothing(index_elements=[c.name for c in table.primary_key])


def ensure_periods(connection: sa.Connection, years: set[int]) -> None:
    """Insert the calendar rows (00–14) of ``years`` that are missing.

    Safe when another process inserts the same year at the same time (SQLite and PostgreSQL):
    the check below only saves work; the insert itself skips existing periods."""
    known = set(connection.execute(sa.select(period.c.year).distinct()).scalars())
    rows = []
    for year in sorted(years - known):
        for pp in range(15):
            kind, label = PERIOD_KINDS.get(pp, ("manad", MONTHS[pp - 1] if 1 <= pp <= 12 else ""))
            rows.append(
                {
                    "period": year * 100 + pp,
                    "year": year,
                    "pp": pp,
                    "kind": kind,
                    "tertial": (pp - 1) // 4 + 1 if 1 <= pp <= 12 else None,
                    "label": f"{label} {year}",
                }
            )
    if rows:
        connection.execute(_insert_missing(connection, period), rows)
