"""Bad HR and BER input, on SQLite and PostgreSQL: each problem is handled as its suite says
(rejected, or published with a warning) and nothing disappears: every line is loaded or in the
quarantine, the load says why, and no personnummer is ever shown."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from bokslut.hr.readers import HIDDEN_ROW
from tests.loading import load_extract
from bokslut.ingest.write_audit_publish import LoadStatus
from bokslut.warehouse.schema import ber_registration, hr_absence, hr_employment, load_audit, quarantine
from tests.hr.conftest import ABSENCE_HEADER, EMPLOYMENT_HEADER, REGISTRATION_HEADER, pnr, write

pytestmark = pytest.mark.unit

ANNA, BERIT, CECILIA = pnr("19800101", "980"), pnr("19750615", "982"), pnr("19900301", "984")
DAVID = pnr("19851224", "981")


def employment(person: str, emp_id: str, start: str, end: str = "", form: str = "tillsvidare", chef: str = "N",
               kon: str = "K") -> str:
    reason = "egen begäran" if end else ""
    return f"202412;191;{person};{emp_id};1910100;{form};100;{chef};{kon};N;{start};{end};{reason}"


def employments(tmp_path, rows: list[str] | None = None):
    rows = rows or [
        employment(ANNA, "A1", "2015-03-01"),
        employment(BERIT, "A2", "2010-01-01", chef="J"),
        employment(DAVID, "A4", "2024-02-01", "2024-10-15", kon="M"),
    ]
    return write(tmp_path, "anstallningar_191_202412.csv", EMPLOYMENT_HEADER, rows)


def quarantined(engine, load_id: int) -> list:
    with engine.connect() as c:
        return c.execute(sa.select(quarantine).where(quarantine.c.load_id == load_id).order_by(quarantine.c.id)).all()


def count(engine, table, load_id) -> int:
    with engine.connect() as c:
        return c.execute(sa.select(sa.func.count()).select_from(table).where(table.c.load_id == load_id)).scalar()


def test_invalid_personnummer_is_quarantined_masked_and_rejects_the_file(engine, settings, tmp_path):
    bad_check = pnr("19800101", "986", bad_check=True)
    bad_date = "19800230-9801"
    rows = [employment(ANNA, "A1", "2015-03-01"), employment(bad_check, "A2", "2016-01-01"),
            employment(bad_date, "A3", "2017-01-01"), employment("800101 9801", "A5", "2017-01-01"),
            employment(pnr("19800161", "988"), "A6", "2018-01-01")]  # samordningsnummer: fine
    result = load_extract(engine, employments(tmp_path, rows), "hr_anstallning", settings=settings)
    assert result.status == LoadStatus.REJECTED and "3 rad(er) med fel" in result.message
    assert result.rows_read == 5  # nothing lost: 2 good rows were staged, 3 are in the quarantine
    issues = quarantined(engine, result.load_id)
    assert [(q.line_no, q.column_name, q.value) for q in issues] == [
        (3, "Personnummer", "(personnummer dolt)"), (4, "Personnummer", "(personnummer dolt)"),
        (5, "Personnummer", "(personnummer dolt)"),
    ]
    reasons = [q.reason for q in issues]
    assert "kontrollsiffra" in reasons[0] and "födelsedatum" in reasons[1] and "fel format" in reasons[2]
    text = " ".join(f"{q.value} {q.reason}" for q in issues) + result.message
    for number in (bad_check, bad_date, "800101"):
        assert number not in text and number.replace("-", "") not in text
    assert count(engine, hr_employment, result.load_id) == 0  # a rejected load leaves nothing staged


def test_overlapping_employments_are_published_with_a_warning(engine, settings, tmp_path):
    rows = [employment(ANNA, "A1", "2015-03-01"), employment(ANNA, "A9", "2024-06-01", "2024-08-31", form="visstid"),
            employment(BERIT, "A2", "2010-01-01")]
    result = load_extract(engine, employments(tmp_path, rows), "hr_anstallning", settings=settings)
    assert result.status == LoadStatus.PUBLISHED
    assert "varning" in result.message and "överlappande anställningar" in result.message
    assert "t.ex. rad 3" in result.message  # the later of the two, by line: never the person
    assert count(engine, hr_employment, result.load_id) == 3


def test_absence_outside_employment_rejects_the_absence_file(engine, settings, tmp_path):
    assert load_extract(engine, employments(tmp_path), "hr_anstallning", settings=settings).status == LoadStatus.PUBLISHED
    good = write(tmp_path, "franvaro_191_202412.csv", ABSENCE_HEADER, [
        f"202412;191;{ANNA};A1;sjuk;2024-03-04;2024-03-06;100;2400,00",
        f"202412;191;{DAVID};A4;sjuk;2024-05-02;2024-05-03;100;1200,00",
    ])
    first = load_extract(engine, good, "hr_franvaro", settings=settings)
    assert first.status == LoadStatus.PUBLISHED, first.message
    bad = write(tmp_path, "franvaro_191_202412_rättad.csv", ABSENCE_HEADER, [
        f"202412;191;{ANNA};A1;sjuk;2024-03-04;2024-03-06;100;2400,00",
        f"202412;191;{DAVID};A4;sjuk;2024-10-10;2024-10-20;100;9000,00",  # employment ended 15 Oct
        f"202412;191;{CECILIA};A7;vab;2024-04-02;2024-04-02;100;",  # no such employment
        f"202412;191;{ANNA};A1;sjuk;2014-01-02;2014-01-03;100;0",  # before the employment started
    ])
    result = load_extract(engine, bad, "hr_franvaro", settings=settings)
    assert result.status == LoadStatus.REJECTED
    assert "utanför personens anställning" in result.message and "3 rader" in result.message
    assert "t.ex. rad 3, 4, 5" in result.message
    assert count(engine, hr_absence, first.load_id) == 2  # the published month is untouched
    with engine.connect() as c:
        assert c.execute(sa.select(load_audit.c.status).where(load_audit.c.load_id == result.load_id)).scalar() == "avvisad"


def test_absence_before_its_employments_file_is_rejected(engine, settings, tmp_path):
    absence = write(tmp_path, "franvaro_191_202412.csv", ABSENCE_HEADER,
                    [f"202412;191;{ANNA};A1;sjuk;2024-03-04;2024-03-06;100;2400,00"])
    result = load_extract(engine, absence, "hr_franvaro", settings=settings)
    assert result.status == LoadStatus.REJECTED and "anställningen saknas" in result.message


def test_a_21_year_old_in_kaa_is_published_with_a_warning(engine, settings, tmp_path):
    youth = pnr("20070310", "982")
    adult = pnr("20030105", "984")  # 21 at registration on 2024-03-01
    path = write(tmp_path, "registreringar_191_202411.csv", REGISTRATION_HEADER, [
        f"202411;{youth};2007-03-10;K;Farsta;2024-02-01;;2024-02-15;Jobbtorg Unga Globen;;;;",
        f"202411;{adult};2003-01-05;K;Farsta;2024-03-01;;2024-03-15;Jobbtorg Unga Globen;;;;",
    ])
    result = load_extract(engine, path, "ber_registrering", settings=settings)
    assert result.status == LoadStatus.PUBLISHED
    assert "20 år eller äldre vid registreringen" in result.message and "rad 3" in result.message
    assert count(engine, ber_registration, result.load_id) == 2  # kept: the register is the authority
    assert result.partitions == ["191:202411"]  # Förvaltning absent from BER: 191 runs KAA


def test_a_broken_row_is_quarantined_without_its_text(engine, settings, tmp_path):
    rows = [employment(ANNA, "A1", "2015-03-01"), f"202412;191;{BERIT};A2;1910100;tillsvidare"]
    result = load_extract(engine, employments(tmp_path, rows), "hr_anstallning", settings=settings)
    assert result.status == LoadStatus.REJECTED
    (issue,) = quarantined(engine, result.load_id)
    assert issue.line_no == 3 and issue.value == HIDDEN_ROW and "fält" in issue.reason
    assert BERIT not in str(tuple(issue))


def test_other_columns_such_as_names_are_never_read(engine, settings, tmp_path):
    header = EMPLOYMENT_HEADER + ";Namn;Adress"
    path = write(tmp_path, "anstallningar_191_202412.csv", header,
                 [employment(ANNA, "A1", "2015-03-01") + ";Anna Andersson;Storgatan 1"])
    result = load_extract(engine, path, "hr_anstallning", settings=settings)
    assert result.status == LoadStatus.PUBLISHED
    with engine.connect() as c:
        values = [str(v) for row in c.execute(sa.select(hr_employment)) for v in row]
        audit = [str(v) for v in c.execute(sa.select(load_audit)).one()]
    assert not any("Anna" in v or "Storgatan" in v for v in values + audit)


def test_no_key_no_reading(engine, settings, tmp_path, monkeypatch):
    from bokslut.hr.pseudonym import KEY_ENV, PseudonymKeyError

    monkeypatch.delenv(KEY_ENV)
    with pytest.raises(PseudonymKeyError, match=KEY_ENV):
        load_extract(engine, employments(tmp_path), "hr_anstallning", settings=settings)
    assert not settings.archive_dir.exists()  # refused before the original was even archived
    with engine.connect() as c:
        assert c.execute(sa.select(sa.func.count()).select_from(load_audit)).scalar() == 0


def test_the_generic_loader_also_refuses_without_a_key(engine, settings, tmp_path, monkeypatch):
    from bokslut.hr.pseudonym import KEY_ENV
    from tests.loading import load_file  # the generic layer alone (the product loads through bokslut.flows)

    monkeypatch.delenv(KEY_ENV)
    result = load_file(engine, employments(tmp_path), "hr_anstallning", settings=settings)
    assert result.status == LoadStatus.REJECTED and KEY_ENV in result.message
    assert count(engine, hr_employment, result.load_id) == 0
