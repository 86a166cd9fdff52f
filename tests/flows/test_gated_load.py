"""`bokslut load` runs the DAG's gated flow: stage → input suite → Kontokontroller → publish.

On the published 2024 year (SQLite and PostgreSQL): a correction that breaks a blocking control is
not published by the CLI either; a file that would shrink a published period drastically is
rejected unless the period is named; unknown förvaltningar and empty periods are errors, never
all-zero reports; the pre-publish control run is reused for the reports.
"""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from bokslut.cli import EXIT_INPUT, EXIT_OK, main
from bokslut.ingest.write_audit_publish import LoadStatus
from bokslut.reports.ledger import build_reports
from bokslut.reports.tsv import write_tsv
from tests.conftest import drop_pg_schema, load_generated, make_pg_engine
from tests.controls.test_fault_injection import posting

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def year_2024(request, generated_2024, tmp_path_factory):
    """(engine, settings, url) of a warehouse holding the generated 2024 year, loaded through the flow."""
    from bokslut.settings import Settings
    from bokslut.warehouse.db import upgrade

    tmp = tmp_path_factory.mktemp(f"gated_{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'w.sqlite'}"
        engine = sa.create_engine(url)
        upgrade(engine)
        cleanup = engine.dispose
    else:
        engine, admin, schema = make_pg_engine()
        url = engine.url.render_as_string(hide_password=False)

        def cleanup() -> None:
            drop_pg_schema(engine, admin, schema)
    settings = Settings(tmp, url, tmp / "landing", tmp / "archive", tmp / "out", 50_000)
    load_generated(engine, generated_2024, settings)
    yield engine, settings, url
    cleanup()


@pytest.fixture
def cli_env(year_2024, monkeypatch):
    engine, settings, url = year_2024
    monkeypatch.setenv("BOKSLUT_WAREHOUSE_URL", url)
    monkeypatch.setenv("BOKSLUT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("BOKSLUT_ARCHIVE_DIR", str(settings.archive_dir))
    monkeypatch.setenv("BOKSLUT_LANDING_DIR", str(settings.landing_dir))
    monkeypatch.setenv("BOKSLUT_OUTBOX_DIR", str(settings.outbox_dir))
    return year_2024


def _reports_text(engine, period: int = 202413) -> dict[str, str]:
    texts = {}
    for name, report in build_reports(engine, "191", period).items():
        buffer = io.StringIO()
        write_tsv(report, buffer)
        texts[name] = buffer.getvalue()
    return texts


def _published(engine) -> dict[str, int]:
    with engine.connect() as connection:
        return dict(connection.execute(sa.text(
            "SELECT source || ':' || forvaltning || ':' || partition, load_id FROM publication")).all())


def _corrected(settings, tmp_path, period: str, extra: list[list[str]], keep_rows: int | None = None):
    """The published file of ``period`` (from the archive) plus ``extra`` rows, as a new file in ``tmp_path``."""
    import csv

    original = next((settings.archive_dir / "ledger").glob(f"*_huvudbok_191_{period}.csv"))
    lines = original.read_text(encoding="utf-8").splitlines(keepends=True)
    if keep_rows is not None:
        lines = lines[: keep_rows + 1]
    path = tmp_path / f"huvudbok_191_{period}_rattad.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.writelines(lines)
        csv.writer(fh, delimiter=";", lineterminator="\n").writerows(extra)
    return path


def test_cli_load_of_a_4901_posting_at_year_end_exits_1_names_kk01_and_publishes_nothing(cli_env, tmp_path, capsys):
    engine, settings, _url = cli_env
    before_reports, before_published = _reports_text(engine), _published(engine)
    path = _corrected(settings, tmp_path, "202413",
                      [posting("202413", "4901", "1000,00"), posting("202413", "4631", "-1000,00")])

    assert main(["load", "ledger", str(path)]) == EXIT_INPUT

    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith(f"fel: {path.name}: Kontokontrollen underkände perioden: KK01.1")
    for word in ("period 202413", "förväntat 0,00 kr", "faktiskt 1\u00a0000,00 kr", "differens 1\u00a0000,00 kr",
                 "oförändrade"):
        assert word in last, word
    assert _published(engine) == before_published
    assert _reports_text(engine) == before_reports


def test_a_handful_of_rows_never_replaces_a_published_period(cli_env, tmp_path, capsys):
    engine, settings, _url = cli_env
    before = _published(engine)
    stray = _corrected(settings, tmp_path, "202405", [], keep_rows=4)

    assert main(["load", "ledger", str(stray)]) == EXIT_INPUT

    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert "krympa publicerade perioder kraftigt: förvaltning 191 202405: 4 rader i filen mot" in last
    assert "--replace" in last
    assert _published(engine) == before

    # Named explicitly, the shrink guard lets the file through to the Kontokontroller (which judge it).
    assert main(["load", "ledger", str(stray), "--replace", "202405", "--force"]) in (EXIT_OK, EXIT_INPUT)
    assert "krympa" not in capsys.readouterr().err


@pytest.mark.parametrize(("forvaltning", "period", "message"), [
    ("999", "202413", "Förvaltning 999 har ingen publicerad huvudbok"),
    ("191", "202513", "Period 202513 är inte publicerad för förvaltning 191"),
])
def test_unknown_forvaltning_or_empty_period_is_an_error_not_zero_reports(cli_env, capsys, forvaltning, period,
                                                                          message):
    for command in (["report", "balansrakning"], ["controls"]):
        assert main([*command, "--forvaltning", forvaltning, "--period", period]) == EXIT_INPUT
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("fel: ") and message in err[0]


def test_reports_reuse_the_pre_publish_control_run(year_2024, tmp_path, monkeypatch):
    """The month-end flow's control step judged exactly the data now published: no second run."""
    from bokslut.flows import ledger

    engine, settings, _url = year_2024
    original = next((settings.archive_dir / "ledger").glob("*_huvudbok_191_202413.csv"))
    copy = tmp_path / "huvudbok_191_202413.csv"
    copy.write_bytes(original.read_bytes())
    batch = ledger.load_paths([copy], "ledger", engine=engine, settings=settings, force=True)
    assert [f["status"] for f in batch["files"]] == [LoadStatus.PUBLISHED]

    def count_runs() -> int:
        with engine.connect() as connection:
            return connection.execute(sa.text("SELECT COUNT(*) FROM control_run")).scalar()

    runs = count_runs()
    written = ledger.build_outputs([("191", 202413)], batch, engine=engine, settings=settings)
    assert count_runs() == runs  # reused
    assert any(p.endswith("kontokontroller_191_202413.tsv") for p in written)
    ledger.build_outputs([("191", 202413)], {"files": [], "control_runs": []}, engine=engine, settings=settings)
    assert count_runs() == runs + 1  # nothing to reuse: the controls run on the published data


def test_a_fault_in_one_month_cannot_hide_behind_a_later_month_of_the_same_batch(cli_env, tmp_path, capsys):
    """1710 must be 0 at T2 (KK12.1): a posting in 08 reversed in 09, both in one load, is still caught."""
    engine, settings, _url = cli_env
    before = _published(engine)
    folder = tmp_path / "t2"
    folder.mkdir()
    _corrected(settings, folder, "202408", [posting("202408", "1710", "500000,00"), posting("202408", "5021", "-500000,00")])
    _corrected(settings, folder, "202409", [posting("202409", "1710", "-500000,00"), posting("202409", "5021", "500000,00")])

    assert main(["load", "ledger", str(folder)]) == EXIT_INPUT

    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert "KK12.1" in last and "period 202408" in last and "differens 500\u00a0000,00 kr" in last
    assert _published(engine) == before


def test_two_files_of_one_batch_claiming_the_same_period_are_both_rejected(cli_env, tmp_path, capsys):
    """A monthly file carrying stray rows of another month would silently replace that month."""
    engine, settings, _url = cli_env
    before = _published(engine)
    folder = tmp_path / "rp"
    folder.mkdir()
    march = _corrected(settings, folder, "202403", [posting("202403", "4631", "1,00"), posting("202403", "4631", "-1,00")])
    april = _corrected(settings, folder, "202404", [posting("202403", "4631", "2,00"), posting("202403", "4631", "-2,00")])

    assert main(["load", "ledger", str(folder), "--replace", "202403"]) == EXIT_INPUT

    err = capsys.readouterr().err
    assert f"{march.name}: avvisad – Samma period i flera filer i samma inläsning: förvaltning 191 202403" in err
    assert f"{april.name}: avvisad – Samma period i flera filer" in err
    assert _published(engine) == before


def _stadskassan(generated_2024, tmp_path, first_amount: str | None = None):
    """The generated stadskassan extract, with the first row's amount replaced if asked."""
    [source] = (generated_2024 / "stadskassan").glob("stadskassan_191_2024.csv")
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    if first_amount is not None:
        fields = lines[1].rstrip("\n").split(";")
        lines[1] = ";".join([*fields[:-1], first_amount]) + "\n"
    target = tmp_path / "stadskassan" / source.name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("".join(lines), encoding="utf-8")
    return target


def test_stadskassan_loaded_alone_is_judged_by_the_controls(cli_env, generated_2024, tmp_path, capsys):
    """An extract delivered after its ledger completes KK09.4–6 of the published year: a wrong one
    is rejected (the published extract stays), never published unchecked."""
    engine, settings, _url = cli_env
    before = _published(engine)
    wrong = _stadskassan(generated_2024, tmp_path, "1000000,00")

    assert main(["load", "stadskassan", str(wrong), "--force"]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert "KK09" in err and "underkände" in err
    assert _published(engine) == before
    with engine.connect() as connection:
        status = connection.execute(sa.text(
            "SELECT status FROM load_audit WHERE source = 'stadskassan' ORDER BY load_id DESC LIMIT 1")).scalar()
    assert status == LoadStatus.REJECTED
