"""A generated city through the one gated flow: each förvaltning's reports, controls and template
data hold its own postings only.

191 loaded together with two derived förvaltningar gives exactly what 191 loaded alone gives; a
derived förvaltning's figures are the totals of its own generated files, and its hard
Kontokontroller pass (it is internally consistent, not only 191 relabelled).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import defaultdict
from pathlib import Path

import pytest
import sqlalchemy as sa

from bokslut.generator import generate
from bokslut.generator.city import generate_city, variant_for
from bokslut.generator.targets import load as load_targets
from bokslut.money import parse_amount_ore
from bokslut.settings import Settings
from bokslut.warehouse.db import upgrade
from tests.conftest import load_generated

pytestmark = pytest.mark.integration

CITY = ("191", "150", "310")
ROWS = 20_000  # the generator's floor is near: small and fast, every figure the same


def _warehouse(tmp: Path, folder: Path) -> tuple[sa.Engine, Settings]:
    settings = Settings(tmp, f"sqlite:///{tmp / 'w.sqlite'}", tmp / "landing", tmp / "archive", tmp / "out", 50_000)
    engine = sa.create_engine(settings.warehouse_url)
    upgrade(engine)
    load_generated(engine, folder, settings)
    return engine, settings


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    out = tmp_path_factory.mktemp("city")
    sets = generate_city(2024, out, ",".join(CITY), rows=ROWS)
    engine, _settings = _warehouse(tmp_path_factory.mktemp("city_wh"), out)
    yield out, {s.forvaltning: s for s in sets}, engine
    engine.dispose()


@pytest.fixture(scope="module")
def alone(tmp_path_factory):
    out = tmp_path_factory.mktemp("alone")
    generate(2024, out, rows=ROWS)
    engine, _settings = _warehouse(tmp_path_factory.mktemp("alone_wh"), out)
    yield out, engine
    engine.dispose()


def _digests(root: Path, forvaltning: str) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob(f"*_{forvaltning}_*.csv"))}


def test_191_files_are_byte_identical_to_191_alone(city, alone):
    root, _sets, _engine = city
    assert _digests(root, "191") == _digests(alone[0], "191")
    assert len(_digests(root, "191")) > 20


def test_derived_forvaltningar_differ_in_size_accounts_and_ansvar(city):
    root, sets, _engine = city
    targets = load_targets(2024)
    variants = {f: variant_for(f, targets) for f in CITY[1:]}
    assert {v.scale for v in variants.values()} == {1, 2}  # 150 and 310: different sizes
    for forvaltning, variant in variants.items():
        rows = _ledger_rows(sets[forvaltning].files["ledger"])
        accounts = {r["Konto"] for r in rows}
        assert variant.merge and not accounts & set(variant.merge)  # a subset of 191's accounts
        assert {r["Ansvar"][1:3] for r in rows} == {forvaltning[1:]}  # its own result units
        assert {r["Förvaltning"] for r in rows} == {forvaltning}


def _ledger_rows(paths) -> list[dict[str, str]]:
    rows = []
    for path in paths:
        with Path(path).open(encoding="utf-8", newline="") as fh:
            rows += list(csv.DictReader(fh, delimiter=";"))
    return rows


def _reports_tsv(engine, forvaltning: str, period: int) -> dict[str, str]:
    from bokslut.reports.ledger import build_reports
    from bokslut.reports.tsv import write_tsv

    out = {}
    for name, report in build_reports(engine, forvaltning, period).items():
        buffer = io.StringIO()
        write_tsv(report, buffer)
        out[name] = buffer.getvalue()
    return out


def _controls_tsv(engine, forvaltning: str, period: int) -> tuple[str, list]:
    from bokslut.controls.runner import run_controls
    from bokslut.controls.sheet import kontokontroller_report
    from bokslut.reports.tsv import write_tsv

    run = run_controls(engine, forvaltning, period)
    buffer = io.StringIO()
    write_tsv(kontokontroller_report(run), buffer)
    return buffer.getvalue(), run.blocking_failures


@pytest.mark.parametrize("period", [202404, 202413])
def test_191_reports_and_controls_in_the_city_equal_191_alone(city, alone, period):
    city_engine, alone_engine = city[2], alone[1]
    assert _reports_tsv(city_engine, "191", period) == _reports_tsv(alone_engine, "191", period)
    in_city, blocking = _controls_tsv(city_engine, "191", period)
    assert (in_city, blocking) == _controls_tsv(alone_engine, "191", period)
    assert blocking == []


def test_191_template_data_in_the_city_equals_191_alone(city, alone):
    from bokslut.templates.data import Warehouse

    mine, theirs = Warehouse(city[2], "191", 2024), Warehouse(alone[1], "191", 2024)
    assert mine.by_account_period() == theirs.by_account_period()
    assert mine.by_project(202413) == theirs.by_project(202413)
    assert mine.by_ansvar(202401, 202413) == theirs.by_ansvar(202401, 202413)
    assert mine.budget(2024, "BJ", 202413) == theirs.budget(2024, "BJ", 202413)
    assert mine.published_ledger_periods() == theirs.published_ledger_periods()


def _own_totals(paths) -> dict[tuple[int, str, str], int]:
    """(period, konto, anslag) → öre, straight from a förvaltning's generated huvudbok files."""
    totals: dict[tuple[int, str, str], int] = defaultdict(int)
    for row in _ledger_rows(paths):
        totals[(int(row["Period"]), row["Konto"], row["Anslag"])] += parse_amount_ore(row["Belopp"])
    return {k: v for k, v in totals.items() if v}


@pytest.mark.parametrize("forvaltning", CITY[1:])
def test_derived_forvaltning_figures_are_its_own_generated_totals(city, forvaltning):
    from bokslut.reports.ledger import build_report
    from bokslut.templates.data import Warehouse

    _root, sets, engine = city
    own = _own_totals(sets[forvaltning].files["ledger"])
    data = Warehouse(engine, forvaltning, 2024).by_account_period()
    assert {k: v for k, v in data.items() if v and k[0] // 100 == 2024} == {k: v for k, v in own.items() if k[0] // 100 == 2024}

    rr = build_report(engine, "resultatrakning", forvaltning, 202413)
    br = build_report(engine, "balansrakning", forvaltning, 202413)
    by_account: dict[str, int] = defaultdict(int)
    for (period, konto, anslag), amount in own.items():  # the Resultaträkning is drift (Anslag D)
        if period // 100 == 2024 and (konto[0] in "12" or (period % 100 > 0 and anslag == "D")):
            by_account[konto] += amount
    checked = 0
    for konto, amount in sorted(by_account.items()):
        if konto[0] in "12":
            line = br.find(account=konto)
            assert line is not None and line.values["ub_totalt"] == amount, konto
            checked += 1
        elif "3000" <= konto < "8900":  # 89xx: the result transfer to eget kapital, not a line of the RR
            line = rr.find(account=konto)
            assert line is not None and line.values["totalt"] == amount, konto
            checked += 1
    assert checked > 100


@pytest.mark.parametrize("forvaltning", CITY[1:])
def test_derived_forvaltning_passes_every_hard_control(city, forvaltning):
    engine = city[2]
    for period in (202404, 202408, 202413):
        _sheet, blocking = _controls_tsv(engine, forvaltning, period)
        assert blocking == [], (period, [(r.control_id, r.name, r.difference_ore) for r in blocking])


def test_derived_forvaltning_is_not_191_relabelled(city):
    engine = city[2]
    reports_191 = _reports_tsv(engine, "191", 202413)
    for forvaltning in CITY[1:]:
        assert _reports_tsv(engine, forvaltning, 202413)["resultatrakning"] != reports_191["resultatrakning"]
