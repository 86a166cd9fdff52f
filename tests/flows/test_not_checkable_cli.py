"""`bokslut load` says on stderr which Kontokontroll lines it could not check and which input is
missing: published, but never to be read as a pass."""

from __future__ import annotations

import pytest

from bokslut.cli import EXIT_OK, main
from bokslut.generator import generate

pytestmark = pytest.mark.integration


def test_ledger_without_stadskassan_names_the_missing_input(tmp_path, monkeypatch, capsys):
    generate(2024, tmp_path / "gen", rows=3000)
    for name in ("DATA", "LANDING", "ARCHIVE", "OUTBOX"):
        monkeypatch.setenv(f"BOKSLUT_{name}_DIR", str(tmp_path / name.lower()))
    monkeypatch.setenv("BOKSLUT_WAREHOUSE_URL", f"sqlite:///{tmp_path / 'w.sqlite'}")

    assert main(["load", "ledger", str(tmp_path / "gen" / "ledger")]) == EXIT_OK
    err = capsys.readouterr().err
    [line] = [line for line in err.splitlines() if "ej kontrollerbara" in line]
    assert line.startswith("Kontokontroller 191 202413:") and "KK09.4" in line
    assert "saknar indata: anläggningsreskontrans extrakt för 191 2024; stadskassans extrakt för 191 2024" in line
