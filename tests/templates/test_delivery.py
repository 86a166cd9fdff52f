"""Readiness before a run, the e-mail to finance (a real SMTP server on localhost), the CLI."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bokslut.flows import templates as pipeline
from bokslut.commands.templates import add_subcommands, main
from bokslut.templates.delivery import SENT_MARKER, send_delivery
from bokslut.warehouse.schema import control_run, load_audit, publication

# ------------------------------------------------------------------------------ readiness


def publish(engine, periods: list[int], load_id: int = 1) -> None:
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(load_audit.insert().values(load_id=load_id, source="ledger", file_name="f.csv", sha256="0" * 64,
                                                      status="publicerad", started_at=now))
        connection.execute(publication.insert(), [{"source": "ledger", "forvaltning": "191", "partition": str(p),
                                                   "load_id": load_id, "published_at": now} for p in periods])


def control(engine, period: int, status: str, loads: dict[int, int]) -> None:
    with engine.begin() as connection:
        connection.execute(control_run.insert().values(forvaltning="191", period=period, scope="T2", status=status,
                                                       candidate_loads=json.dumps({str(p): lid for p, lid in loads.items()}),
                                                       started_at=datetime.now(UTC)))


@pytest.mark.unit
def test_not_ready_until_every_period_is_published(sqlite_engine):
    publish(sqlite_engine, [202400, 202401, 202402, 202404])
    state = pipeline.readiness(sqlite_engine, "191", 2024, "T1")
    assert not state.ready and "202403" in state.problems[0] and "202400–202404" in state.problems[0]


@pytest.mark.unit
def test_not_ready_when_the_control_run_of_the_published_data_failed(sqlite_engine):
    periods = [202400 + p for p in range(0, 9)]
    publish(sqlite_engine, periods)
    published = {p: 1 for p in periods}
    control(sqlite_engine, 202408, "ok", published)
    assert pipeline.readiness(sqlite_engine, "191", 2024, "T2").ready
    control(sqlite_engine, 202408, "fel", {**published, 202408: 99})  # a rejected correction: does not count
    assert pipeline.readiness(sqlite_engine, "191", 2024, "T2").ready
    control(sqlite_engine, 202408, "fel", published)  # the published data itself fails
    state = pipeline.readiness(sqlite_engine, "191", 2024, "T2")
    assert not state.ready and "blockerande fel" in state.problems[0]


@pytest.mark.parametrize("kind, day, expected", [
    ("tertial", date(2024, 5, 15), (2024, "T1")), ("tertial", date(2024, 9, 15), (2024, "T2")),
    ("tertial", date(2025, 2, 1), (2024, "T2")), ("year_end", date(2025, 2, 10), (2024, "VB")),
])
@pytest.mark.unit
def test_scheduled_runs_cover_the_point_that_closed_before_them(kind, day, expected):
    assert pipeline.default_point(kind, day) == expected


@pytest.mark.unit
def test_targets_follow_the_parameters(sqlite_engine, settings):
    assert pipeline.resolve_targets("tertial", {"ar": "2023", "rapporttillfalle": "T1", "forvaltning": "191"}, date(2024, 9, 1)) == [
        {"forvaltning": "191", "year": 2023, "point": "T1"}]
    with pytest.raises(ValueError, match="year_end_report fyller bara i VB"):
        pipeline.resolve_targets("year_end", {"rapporttillfalle": "T2", "forvaltning": "191"})
    with pytest.raises(pipeline.NotReady, match="Ingen förvaltning har publicerad huvudbok för 2024"):
        pipeline.resolve_targets("tertial", {"ar": "2024"}, settings=settings)


# ------------------------------------------------------------------------------ e-mail


@pytest.fixture
def delivery(filled, tmp_path):
    """The VB delivery with its files copied (the session's files stay untouched)."""
    record = dict(filled["VB"].delivery)
    files = []
    for path in record["files"]:
        files.append(str(shutil.copy(path, tmp_path / Path(path).name)))
    return {**record, "files": files, "folder": str(tmp_path)}


@pytest.mark.integration
def test_finance_gets_one_mail_with_the_files_attached(smtp, delivery):
    outcome = send_delivery(delivery)
    assert outcome["sent"] and outcome["recipients"] == ["ekonomi@example.se", "controller@example.se"]
    (sender, recipients, message), = smtp.mails
    assert sender == "bokslut@example.se" and recipients == ["ekonomi@example.se", "controller@example.se"]
    assert str(message["Subject"]) == "Blanketter VB 2024 för förvaltning 191 (Arbetsmarknadsförvaltningen)"
    attachments = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
    assert sorted(attachments) == sorted(Path(p).name for p in delivery["files"])
    assert attachments["blanketter_191_VB-2024.xlsx"] == Path(delivery["files"][0]).read_bytes()
    body = message.get_body(preferencelist=("html",)).get_content()
    assert "verksamhetsberättelse och bokslut 2024" in body and "EJ LEVERERAD" in body and "VB-2024.yaml" in body

    assert send_delivery(delivery) == {"sent": False, "reason": "redan skickat", "recipients": outcome["recipients"]}
    assert len(smtp.mails) == 1  # a retried task does not mail twice
    Path(delivery["files"][2]).write_text("ändrad\n", encoding="utf-8")
    assert send_delivery(delivery)["sent"] and len(smtp.mails) == 2  # other content is sent again
    assert json.loads((Path(delivery["folder"]) / SENT_MARKER).read_text(encoding="utf-8"))["to"] == sorted(outcome["recipients"])


@pytest.mark.integration
def test_no_recipient_leaves_the_files_and_says_why(monkeypatch, delivery):
    monkeypatch.delenv("BOKSLUT_FINANCE_EMAIL_TO", raising=False)
    assert send_delivery(delivery) == {"sent": False, "reason": "BOKSLUT_FINANCE_EMAIL_TO saknar mottagare", "recipients": []}


# ---------------------------------------------------------------------------------- CLI


@pytest.mark.unit
def test_subcommand_plugs_into_the_bokslut_parser():
    import argparse

    parser = argparse.ArgumentParser(prog="bokslut")
    add_subcommands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["templates", "--forvaltning", "191", "--year", "2024", "--point", "t2", "-o", "ut"])
    assert (args.command, args.forvaltning, args.year, args.point, args.output) == ("templates", "191", 2024, "T2", Path("ut"))
    with pytest.raises(SystemExit) as exit_info:
        parser.parse_args(["templates", "--forvaltning", "191", "--year", "2024", "--point", "T3", "-o", "ut"])
    assert exit_info.value.code == 2


@pytest.mark.integration
def test_cli_writes_the_files_and_refuses_when_not_ready(templates_warehouse, tmp_path, monkeypatch, capsys):
    _engine, settings = templates_warehouse
    monkeypatch.setenv("BOKSLUT_WAREHOUSE_URL", settings.warehouse_url)
    out = tmp_path / "ut"
    assert main(["templates", "--forvaltning", "191", "--year", "2024", "--point", "T1", "-o", str(out), "--check-ready"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["blanketter_191_T1-2024.xlsx", "kontroller_blankett_191_T1-2024.tsv",
                                                    "manuella_uppgifter_191_T1-2024.yaml", "valideringsrapport_191_202404.html"]
    assert "Kontroller blankett:" in capsys.readouterr().err
    assert main(["templates", "--forvaltning", "192", "--year", "2024", "--point", "VB", "-o", str(tmp_path / "x"),
                 "--check-ready"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("fel: Huvudboken är inte publicerad för period 202400") and "förvaltning 192" in err
    bad = tmp_path / "manual.yaml"
    bad.write_text("ar: 2023\n", encoding="utf-8")
    assert main(["templates", "--forvaltning", "191", "--year", "2024", "--point", "T1", "-o", str(out), "--manual", str(bad)]) == 1
    assert "ar är 2023 men blanketterna gäller 2024" in capsys.readouterr().err
