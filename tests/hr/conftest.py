"""HR/KAA fixtures: an explicit test key, tiny hand-made extracts, and the generated 2024 year
loaded once per backend."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from bokslut.hr.pseudonym import KEY_ENV, luhn_digit
from bokslut.settings import Settings
from tests.conftest import drop_pg_schema, make_pg_engine

TEST_KEY = "testnyckel-för-hr-och-kaa-0123456789abcdef"  # never used outside the tests

EMPLOYMENT_HEADER = ("Period;Förvaltning;Personnummer;Anstallnings-id;Enhet;Anställningsform;Sysselsättningsgrad;"
                     "Chef;Kön;Utrikes född;Startdatum;Slutdatum;Avgångsorsak")
ABSENCE_HEADER = ("Period;Förvaltning;Personnummer;Anstallnings-id;Frånvarotyp;Startdatum;Slutdatum;Omfattning;"
                  "Sjuklönekostnad dag 2–14")
REGISTRATION_HEADER = ("Period;Personnummer;Födelsedatum;Kön;Stadsdel;Registrerad från;Registrerad till;Uppsök från;"
                       "Jobbtorg;Sysselsättning vid första kontakt;Inskriven från;Inskriven till;Avslutsorsak")


def pnr(born: str, serial: str = "980", *, bad_check: bool = False) -> str:
    """A test-range personnummer YYYYMMDD-NNNC for ``born`` (YYYYMMDD)."""
    check = luhn_digit(born[2:] + serial)
    return f"{born}-{serial}{(check + 1) % 10 if bad_check else check}"


def write(tmp_path: Path, name: str, header: str, rows: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch):
    """Every HR test runs with an explicit test key (there is no default key)."""
    monkeypatch.setenv(KEY_ENV, TEST_KEY)
    return TEST_KEY


def _load_generated(engine, folder: Path, settings: Settings) -> None:
    """Through the product's flow (bokslut.flows.personal), as the DAGs and the CLI load them."""
    from bokslut.flows.personal import load_paths
    from bokslut.hr.readers import plan
    from bokslut.ingest.write_audit_publish import LoadStatus

    for group in ("hr", "ber"):
        for item in load_paths(group, plan(group, [folder / group]), engine=engine, settings=settings):
            assert item["status"] == LoadStatus.PUBLISHED, (item["file_name"], item["message"])


def published_hr_warehouse(backend: str, generated: Path, tmp: Path):
    """Yield (engine, settings): a fresh warehouse on ``backend`` (sqlite or postgresql) with the HR and
    BER extracts of the generated set in ``generated`` published; dropped afterwards."""
    settings = Settings(tmp, f"sqlite:///{tmp / 'w.sqlite'}", tmp / "landing", tmp / "archive", tmp / "out", 5_000)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(KEY_ENV, TEST_KEY)
        if backend == "sqlite":
            from bokslut.warehouse.db import upgrade

            engine = sa.create_engine(settings.warehouse_url)
            upgrade(engine)
            _load_generated(engine, generated, settings)
            yield engine, settings
            engine.dispose()
        else:
            engine, admin, schema = make_pg_engine()
            try:
                _load_generated(engine, generated, settings)
                yield engine, settings
            finally:
                drop_pg_schema(engine, admin, schema)


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def hr_warehouse(request, generated_2024, tmp_path_factory):
    """(engine, settings) with the generated HR and BER extracts of 2023–2024 published."""
    yield from published_hr_warehouse(request.param, generated_2024, tmp_path_factory.mktemp(f"hr_{request.param}"))
