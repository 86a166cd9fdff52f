"""Fault injection: each fault, staged on top of the published 2024 year, makes exactly the
intended control fail with the right difference, and nothing published changes."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bokslut.controls.runner import run_controls
from bokslut.controls.input_checks import run_input_checks
from bokslut.ingest.write_audit_publish import LoadStatus, audit_load, reject_load, stage_file

pytestmark = pytest.mark.integration


def posting(period: str, konto: str, belopp: str, *, motpart: str = "0001", anslag: str = "D", vertyp: str = "MA",
            projekt: str = "0000", verksamhet: str = "320") -> list[str]:
    return ["191", period, konto, "", "1100", verksamhet, projekt, motpart, anslag, vertyp, "999001",
            f"{period[:4]}-12-31" if period.endswith(("12", "13")) else f"{period[:4]}-{max(1, int(period[4:])):02d}-15",
            "Testkontering", belopp]


def staged_with(loaded, tmp_path: Path, period: str, extra: list[list[str]]) -> int:
    """Stage the generated file of ``period`` plus ``extra`` rows as a correction (not published)."""
    engine, settings = loaded
    original = next((settings.archive_dir / "ledger").glob(f"*_huvudbok_191_{period}.csv"))
    corrected = tmp_path / f"huvudbok_191_{period}_rattad.csv"
    with original.open(encoding="utf-8", newline="") as src, corrected.open("w", encoding="utf-8", newline="") as dst:
        dst.write(src.read())
        csv.writer(dst, delimiter=";", lineterminator="\n").writerows(extra)
    result = audit_load(engine, stage_file(engine, corrected, "ledger", settings=settings).load_id,
                        input_checks=run_input_checks)
    assert result.status == LoadStatus.STAGED, result.message
    return result.load_id


FAULTS = {
    "a posting on 4901": ("202413", [posting("202413", "4901", "1000,00"), posting("202413", "4631", "-1000,00")],
                          {"KK01.1": 100000, "KK01.4": 100000}),
    "an unbalanced motpart 9* pair": ("202413", [posting("202413", "6010", "500,00", motpart="9100"),
                                                 posting("202413", "6010", "-300,00", motpart="9100"),
                                                 posting("202413", "6010", "-200,00", motpart="0001")],
                                      {"KK02.4": 20000}),
    "a motpart 1990 that does not net": ("202413", [posting("202413", "4631", "700,00", motpart="1990"),
                                                    posting("202413", "4631", "-700,00", motpart="1001")], {"KK03.1": 70000}),
    "an HC voucher that does not net": ("202413", [posting("202413", "4631", "100,00", vertyp="HC"),
                                                   posting("202413", "4631", "-100,00", vertyp="LF")], {"KK04.2": 10000}),
    "a 9999 posting": ("202413", [posting("202413", "9999", "250,00"), posting("202413", "9895", "-250,00")],
                       {"KK05.17": -25000, "KK05.20": -25000, "KK05.21": 25000, "KK05.22": 25000}),
    "a result account outside the income statement": ("202413", [posting("202413", "3911", "-100,00"),
                                                                 posting("202413", "8911", "100,00")], {"KK06.1": -10000}),
    "an investment posting on an 8-account": ("202413", [posting("202413", "8511", "100,00", anslag="I"),
                                                         posting("202413", "7891", "-100,00", anslag="I")], {"KK08.4": 10000}),
    "a one-sided balance posting": ("202413", [posting("202413", "1650", "100,00")], {"KK09.9": 10000}),
    "a blank projekt": ("202413", [posting("202413", "4631", "100,00", projekt=""),
                                   posting("202413", "4631", "-100,00", projekt="")], {"KK10.2": 20000}),
    "an IB that differs from last year's UB": ("202400", [posting("202400", "1650", "100,00"), posting("202400", "2991", "-100,00")],
                                               {"KK11.4": -10000, "KK11.6": -10000, "KK11.14": 10000, "KK11.15": 10000}),
    "a non-zero 1710 at T2": ("202408", [posting("202408", "1710", "100,00"), posting("202408", "2991", "-100,00")],
                              {"KK12.1": 10000}),
}


@pytest.mark.parametrize("fault", FAULTS)
def test_fault_fails_exactly_the_intended_control(loaded_2024, tmp_path, fault):
    engine, _settings = loaded_2024
    period, rows, expected = FAULTS[fault]
    control_period = 202408 if period == "202408" else 202413
    baseline = {r.control_id: r.status for r in run_controls(engine, "191", control_period).results}
    load_id = staged_with(loaded_2024, tmp_path, period, rows)
    try:
        run = run_controls(engine, "191", control_period, [load_id])
        failing = {r.control_id: r.difference_ore for r in run.blocking_failures}
        assert failing == expected
        for result in run.blocking_failures:
            assert result.where_to_look
        # warnings are unchanged by the fault (the 2024 data has one real warning, KK12.3)
        assert {r.control_id for r in run.warnings} == {k for k, s in baseline.items() if s == "varning"}
    finally:
        reject_load(engine, load_id, "testfel")
    # the published data did not move: the controls pass again without the staged load
    assert not run_controls(engine, "191", control_period).blocking_failures


def test_offending_postings_name_the_fault_without_personal_data(loaded_2024, tmp_path):
    engine, _settings = loaded_2024
    load_id = staged_with(loaded_2024, tmp_path, "202413", FAULTS["a posting on 4901"][1])
    try:
        run = run_controls(engine, "191", 202413, [load_id])
        [kk011] = [r for r in run.blocking_failures if r.control_id == "KK01.1"]
        assert 0 < len(kk011.offending) <= 10
        assert {(p.konto, p.anslag) for p in kk011.offending} == {("4901", "D")}
        assert set(vars(kk011.offending[0])) == {  # koddelar and voucher only
            "period", "konto", "ansvar", "verksamhet", "projekt", "motpart", "anslag", "vertyp", "vernr", "amount_ore"}
    finally:
        reject_load(engine, load_id, "testfel")
