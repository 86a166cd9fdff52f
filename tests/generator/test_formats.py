"""The files follow the canonical formats (docs/spec/formats.md) and the agreed layout."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from bokslut.generator import generate
from bokslut.generator.csvout import (
    ASSET_REGISTER_HEADER,
    BUDGET_HEADER,
    LEDGER_HEADER,
    TREASURY_HEADER,
)

AMOUNT = re.compile(r"^-?\d+,\d\d$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.mark.integration
def test_file_layout(set_2024):
    root = set_2024.files["ledger"][0].parent.parent
    ledger = sorted(p.name for p in (root / "ledger").iterdir())
    assert ledger == ["huvudbok_191_2023.csv"] + [f"huvudbok_191_2024{p:02d}.csv" for p in range(14)]
    assert [p.name for p in set_2024.files["budget"]] == ["budget_191_2024.csv"]
    assert [p.name for p in set_2024.files["anlaggningsreskontra"]] == ["anlaggningsreskontra_191_2024.csv"]
    assert [p.name for p in set_2024.files["stadskassan"]] == ["stadskassan_191_2024.csv"]
    assert set(set_2024.all_files) == set(root.rglob("*.csv"))


@pytest.mark.parametrize(
    "source, header",
    [("ledger", LEDGER_HEADER), ("budget", BUDGET_HEADER),
     ("anlaggningsreskontra", ASSET_REGISTER_HEADER), ("stadskassan", TREASURY_HEADER)],
)
@pytest.mark.integration
def test_headers_encoding_and_amounts(set_2024, source, header):
    for path in set_2024.files[source]:
        raw = path.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf")
        raw.decode("utf-8")
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh, delimiter=";"))
        assert tuple(rows[0]) == header
        belopp = header.index("Belopp")
        assert all(len(r) == len(header) for r in rows[1:])
        assert all(AMOUNT.match(r[belopp]) for r in rows[1:]), path.name


@pytest.mark.unit
def test_ledger_headers_exact_text():
    assert ";".join(LEDGER_HEADER) == (
        "Förvaltning;Period;Konto;Kontonamn;Ansvar;Verksamhet;Projekt;Motpart;Anslag;Vertyp;Vernr;Datum;Text;Belopp"
    )


@pytest.mark.integration
def test_ledger_rows(set_2024):
    seen_quoted = False
    for path in set_2024.files["ledger"]:
        text = path.read_text(encoding="utf-8")
        seen_quoted |= '"' in text
        rows = list(csv.reader(text.splitlines()[1:], delimiter=";"))
        for r in rows:
            forv, period, konto, namn, ansvar, verks, proj, motpart, anslag, vt, vernr, datum, txt, belopp = r
            assert forv == "191" and re.fullmatch(r"\d{4}(0\d|1[0-3])", period)
            assert re.fullmatch(r"\d{4}", konto) and namn
            assert DATE.match(datum)
            year, pp = int(period[:4]), int(period[4:])
            month = 1 if pp == 0 else min(pp, 12)
            assert datum.startswith(f"{year}-{month:02d}-"), (period, datum)
            if pp == 0:
                assert datum == f"{year}-01-01"
            if pp == 13:
                assert datum == f"{year}-12-31"
            assert len(vt) == 2 and vernr.isdigit()
            assert not txt.startswith(("=", "+", "-", "@"))
        if path.name.endswith("202403.csv"):
            assert any(";" in r[12] for r in rows) and any('"' in r[12] for r in rows)
    assert seen_quoted


@pytest.mark.integration
def test_no_personal_data_in_texts(x2024):
    texts = [t for (t,) in x2024.q("SELECT DISTINCT Text FROM ledger")]
    assert not any(re.search(r"\b\d{6,8}[-+]?\d{4}\b", t) for t in texts)  # personnummer-like


@pytest.mark.integration
def test_voucher_numbers_are_sequential_per_type(x2024):
    for vt, lo, hi, n in x2024.q(
        "SELECT Vertyp, MIN(CAST(Vernr AS BIGINT)), MAX(CAST(Vernr AS BIGINT)), COUNT(DISTINCT Vernr) "
        "FROM p WHERE yr = 2024 GROUP BY 1"
    ):
        assert hi - lo + 1 == n, vt


@pytest.mark.integration
def test_account_names_are_the_reference_names(x2024):
    from tests.generator.aggregate import read_reference

    reference = {
        r["account"]: r["name"]
        for name in ("balansrakning.tsv", "resultatrakning.tsv")
        for r in read_reference(2024, name)
        if r["level"] == "4"
    }
    names = x2024.q("SELECT DISTINCT Konto, Kontonamn FROM p WHERE yr = 2024")
    assert all(reference[k] == n for k, n in names if k in reference)
    assert len({k for k, _ in names}) == len(names)  # one name per account


@pytest.mark.integration
def test_asset_register_types_come_from_the_report(set_2024):
    from tests.generator.aggregate import read_reference

    allowed = {r["row"] for r in read_reference(2024, "anlaggning.tsv")
               if r["section"] == "Information från Anläggningsreskontran"}
    with set_2024.files["anlaggningsreskontra"][0].open(encoding="utf-8") as fh:
        types = {r["Transaktionstyp"] for r in csv.DictReader(fh, delimiter=";")}
    assert types <= allowed and types == {"Aktivering", "Automatisk avskrivning"}


@pytest.mark.parametrize("year", [2019, 2023, 2025])
@pytest.mark.unit
def test_unsupported_year_is_refused_in_swedish(tmp_path, year):
    with pytest.raises(ValueError, match="stöds inte"):
        generate(year, tmp_path)
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("kwargs, match", [({"forvaltning": "19"}, "tre siffror"), ({"rows": 0}, "positivt heltal")])
@pytest.mark.unit
def test_bad_arguments(tmp_path, kwargs, match):
    with pytest.raises(ValueError, match=match):
        generate(2024, tmp_path, **kwargs)


@pytest.mark.unit
def test_progress_and_other_forvaltning(tmp_path):
    messages: list[str] = []
    result = generate(2024, tmp_path, forvaltning="180", rows=15_000, progress=messages.append)
    assert any("202413" in m for m in messages)
    assert all(p.name.split("_")[1] == "180" for p in result.all_files)
    first = Path(result.files["ledger"][1]).read_text(encoding="utf-8").splitlines()[1]
    assert first.startswith("180;")
