"""Small hand-made ledger files for ingestion tests."""

from __future__ import annotations

import csv
import io

HEADER = ["Förvaltning", "Period", "Konto", "Kontonamn", "Ansvar", "Verksamhet", "Projekt", "Motpart",
          "Anslag", "Vertyp", "Vernr", "Datum", "Text", "Belopp"]


def row(period: str = "202401", konto: str = "5021", belopp: str = "100,00", *, text: str = "Lön", motpart: str = "0001",
        kontonamn: str = "Månadsavlönad personal", vernr: str = "1") -> list[str]:
    datum = f"{period[:4]}-{max(1, min(12, int(period[4:]))):02d}-15"
    return ["191", period, konto, kontonamn, "1100", "320", "0000", motpart, "D", "LI", vernr, datum, text, belopp]


def csv_text(rows: list[list[str]], header: list[str] = HEADER, sep: str = ";") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()
