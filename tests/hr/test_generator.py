"""The synthetic LISA and BER extracts: test-range personnummer only, no names, the files promised."""

from __future__ import annotations

import csv

import pytest

from bokslut.hr.pseudonym import normalise_personnummer

FILES = {
    "hr": ["anstallningar_191_202312.csv", "anstallningar_191_202412.csv", "avtaladtid_191_2023.csv",
           "avtaladtid_191_2024.csv", "franvaro_191_202312.csv", "franvaro_191_202412.csv"],
    "ber": ["kontakter_191_202411.csv", "registreringar_191_202411.csv"],
}


def _rows(path):
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=";"))


@pytest.mark.integration
def test_files_and_headers(generated_2024):
    for group, names in FILES.items():
        assert sorted(p.name for p in (generated_2024 / group).iterdir()) == names
    for path in (generated_2024 / "hr").glob("*.csv"):
        header = path.read_text(encoding="utf-8").splitlines()[0].lower()
        assert "namn" not in header and "adress" not in header


@pytest.mark.integration
def test_personnummer_are_valid_test_numbers_matching_kon(generated_2024):
    seen = 0
    for path in sorted(generated_2024.glob("hr/*.csv")) + sorted(generated_2024.glob("ber/*.csv")):
        for row in _rows(path):
            number = normalise_personnummer(row["Personnummer"])  # raises on a bad date or check digit
            assert 980 <= int(number[8:11]) <= 999, path.name
            if "Kön" in row:
                assert row["Kön"] == ("M" if int(number[10]) % 2 else "K"), path.name
            seen += 1
    assert seen > 60_000


@pytest.mark.integration
def test_young_people_are_16_to_19_at_registration(generated_2024):
    from datetime import date

    for row in _rows(generated_2024 / "ber" / "registreringar_191_202411.csv"):
        born, registered = date.fromisoformat(row["Födelsedatum"]), date.fromisoformat(row["Registrerad från"])
        age = registered.year - born.year - ((registered.month, registered.day) < (born.month, born.day))
        assert 16 <= age <= 19


@pytest.mark.unit
def test_a_year_without_targets_gets_no_hr_files(tmp_path):
    from bokslut.generator.ber import write_ber
    from bokslut.generator.hr import write_hr

    assert write_hr(2022, tmp_path, "191", 2022) == () and write_ber(2022, tmp_path, "191", 2022) == ()
    assert not any(tmp_path.iterdir())


@pytest.mark.integration
def test_2020_files_and_headers(generated_2020):
    assert sorted(p.name for p in (generated_2020 / "hr").iterdir()) == [
        "anstallningar_191_201912.csv", "anstallningar_191_202012.csv", "avtaladtid_191_2019.csv",
        "avtaladtid_191_2020.csv", "franvaro_191_201912.csv", "franvaro_191_202012.csv"]
    assert sorted(p.name for p in (generated_2020 / "ber").iterdir()) == [
        "kontakter_191_202011.csv", "registreringar_191_202011.csv"]
    for path in sorted(generated_2020.glob("hr/*.csv")) + sorted(generated_2020.glob("ber/*.csv")):
        for row in _rows(path):
            number = normalise_personnummer(row["Personnummer"])
            assert 980 <= int(number[8:11]) <= 999, path.name
