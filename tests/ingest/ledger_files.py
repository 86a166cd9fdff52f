"""Small hand-made ledger files for ingestion tests."""

from __future__ import annotations

import csv
import io
from pathlib import Path

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


def write(folder: Path, name: str, data: str | bytes, encoding: str = "utf-8") -> Path:
    """``data`` as the file ``folder/name`` (text in ``encoding``, or the bytes as they are)."""
    path = folder / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def publish_january(engine, settings, folder: Path) -> None:  # noqa: ANN001
    """Publish a small January (1 000,00 on 5021, −400,00 on 3511): the data bad files must not touch."""
    from bokslut.ingest.write_audit_publish import LoadStatus
    from tests.loading import load_file

    path = write(folder, "jan.csv", csv_text([row("202401", belopp="1 000,00"), row("202401", "3511", "-400,00")]))
    result = load_file(engine, path, "ledger", settings=settings)
    assert result.status == LoadStatus.PUBLISHED, result.message
