"""Personnummer validation, the keyed hash, the key rules and key rotation."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from bokslut.hr import pseudonym
from bokslut.hr.pseudonym import (
    AIRFLOW_VARIABLE,
    KEY_ENV,
    LEGACY_AIRFLOW_VARIABLE,
    PersonnummerError,
    PseudonymKeyError,
    current_key,
    luhn_digit,
    mask_personnummer,
    normalise_personnummer,
    pseudonymise,
    archive_file_name,
    rotate_key,
    safe_file_name,
    spellings,
)
from tests.hr.conftest import ABSENCE_HEADER, EMPLOYMENT_HEADER, TEST_KEY, pnr, write

pytestmark = pytest.mark.unit

TODAY = date(2025, 6, 1)


def test_luhn_matches_skatteverkets_example():
    assert luhn_digit("640823323") == 4  # 640823-3234


@pytest.mark.parametrize("text", ["19640823-3234", "196408233234", "640823-3234", " 640823-3234 "])
def test_every_accepted_spelling_gives_the_same_number(text):
    assert normalise_personnummer(text, today=TODAY) == "196408233234"


def test_plus_means_a_hundred_years_more():
    assert normalise_personnummer("640823+3234", today=TODAY) == "186408233234"
    check = luhn_digit("240101980")
    assert normalise_personnummer(f"240101-980{check}", today=TODAY) == f"20240101980{check}"
    assert normalise_personnummer(f"240101+980{check}", today=TODAY) == f"19240101980{check}"


def test_samordningsnummer_day_plus_sixty():
    number = f"19800161-988{luhn_digit('800161988')}"
    assert normalise_personnummer(number, today=TODAY) == number.replace("-", "")


@pytest.mark.parametrize("text, reason", [
    ("6408233234", "fel format"),  # ten digits without separator: not an accepted spelling
    ("19640823 3234", "fel format"),
    ("1964-08-23-3234", "fel format"),
    ("19640823-3235", "kontrollsiffra"),
    ("19640230-3230", "födelsedatum"),
    ("19641301-3230", "födelsedatum"),
    ("19640192-3230", "födelsedatum"),  # day 92 = samordningsnummer day 32
])
def test_invalid_numbers_are_refused_without_the_value_in_the_message(text, reason):
    with pytest.raises(PersonnummerError, match=reason) as caught:
        normalise_personnummer(text, today=TODAY)
    assert text[2:8] not in str(caught.value)


def test_spellings_and_masking():
    assert spellings("196408233234") == ("19640823-3234", "196408233234", "640823-3234", "640823+3234", "6408233234")
    assert mask_personnummer("rad 7: 19640823-3234; 640823+3234 och 6408233234, belopp 1234") == \
        "rad 7: (personnummer dolt); (personnummer dolt) och (personnummer dolt), belopp 1234"


PERSON = "199801019806"  # the brief's example (its check digit is wrong: a typo must be masked too)


@pytest.mark.parametrize("spelling", [
    "199801019806", "19980101-9806", "980101-9806", "9801019806", "980101+9806", "980101 9806", "19980101 9806",
    "980101\u20139806", "19980101\t9806", "19980101--9806", "980101 - 9806",
])
@pytest.mark.parametrize("template", ["{}", "lisa_{}_dec.csv", "x{}y", "rad 7: {};K;N", "anstallning {}.CSV",
                                      "2024123{}", "{}1"])
def test_every_spelling_is_masked_alone_and_inside_text(spelling, template):
    text = template.format(spelling)
    masked = mask_personnummer(text)
    assert "(personnummer dolt)" in masked
    digits = "".join(ch for ch in masked if ch.isdigit())
    assert "9806" not in digits and "980101" not in digits, masked
    assert safe_file_name(text) == masked


@pytest.mark.parametrize("text", ["202412", "191:202412", "2024-03-04", "2400,00", "-1\u00a0234\u00a0567,89", "rad 12",
                                  "anstallning_191_202412.csv", "laddning 1234", "A1;1910100;100", "2024-01-01-2024-12-31"])
def test_ordinary_numbers_are_not_masked(text):
    assert mask_personnummer(text) == text


def test_archive_file_name_keeps_nothing_of_the_original_name():
    sha = "0123456789abcdef" * 4
    assert archive_file_name(sha, "lisa_19980101-9806_dec.CSV") == f"{sha}.csv"
    assert archive_file_name(sha, "anstallning_980101-9806.xlsx") == f"{sha}.xlsx"
    assert archive_file_name(sha, "anstallning_980101.9806") == sha  # a "suffix" that is half a number
    assert archive_file_name(sha, "utan_andelse") == sha


def test_keyed_hash_is_stable_and_depends_on_key_and_domain():
    key = TEST_KEY.encode()
    a = pseudonymise("hr", "196408233234", key)
    assert len(a) == 64 and int(a, 16) >= 0
    assert a == pseudonymise("hr", "196408233234", key)
    assert a != pseudonymise("ber", "196408233234", key)  # HR and KAA cannot be linked
    assert a != pseudonymise("hr", "196408233234", b"another key of at least 32 characters")


def test_no_default_key(monkeypatch):
    monkeypatch.delenv(KEY_ENV)
    monkeypatch.setattr(pseudonym, "_configured_key", None)
    with pytest.raises(PseudonymKeyError, match=f"saknas: sätt miljövariabeln {KEY_ENV}"):
        current_key()
    monkeypatch.setenv(KEY_ENV, "kort")
    with pytest.raises(PseudonymKeyError, match="för kort"):
        current_key()


def _fake_airflow(monkeypatch, variables: dict[str, str]):
    """A stand-in for airflow.sdk (importing Airflow itself costs seconds; the real Variable and
    its masking are tested through Airflow's REST API in test_airflow_secret.py)."""
    import sys
    import types

    class FakeVariable:
        @staticmethod
        def get(name, default=None):  # noqa: ANN001, ANN205
            return variables.get(name, default)

    monkeypatch.setitem(sys.modules, "airflow", sys.modules.get("airflow") or types.ModuleType("airflow"))
    monkeypatch.setitem(sys.modules, "airflow.sdk", types.SimpleNamespace(Variable=FakeVariable))
    monkeypatch.setattr(pseudonym, "_configured_key", None)


def test_airflow_variable_is_used_when_the_environment_has_no_key(monkeypatch):
    assert AIRFLOW_VARIABLE == "bokslut_pseudonym_secret"
    _fake_airflow(monkeypatch, {AIRFLOW_VARIABLE: "nyckel-från-airflow-variabeln-0123456789"})
    monkeypatch.delenv(KEY_ENV)
    pseudonym.configure_from_airflow()
    assert current_key() == b"nyckel-fr\xc3\xa5n-airflow-variabeln-0123456789"


@pytest.mark.parametrize("env_key", [None, TEST_KEY])
def test_the_old_unmasked_variable_name_is_refused_not_read(monkeypatch, env_key):
    old = "gammal-nyckel-i-klartext-0123456789abcdef"
    _fake_airflow(monkeypatch, {LEGACY_AIRFLOW_VARIABLE: old})
    if env_key is None:
        monkeypatch.delenv(KEY_ENV)
    with pytest.raises(PseudonymKeyError) as caught:
        pseudonym.configure_from_airflow()
    message = str(caught.value)
    assert f"{LEGACY_AIRFLOW_VARIABLE} används inte längre" in message and AIRFLOW_VARIABLE in message
    assert "klartext" in message and old not in message
    assert pseudonym._configured_key is None  # noqa: SLF001 - never read, not even as a fallback


def test_key_rotation_rekeys_history_from_the_archive(engine, settings, tmp_path, monkeypatch):
    from tests.loading import load_extract
    from bokslut.ingest.write_audit_publish import LoadStatus

    anna, berit = pnr("19800101", "980"), pnr("19750615", "982")
    emp = write(tmp_path, "anstallningar_191_202412.csv", EMPLOYMENT_HEADER, [
        f"202412;191;{anna};A1;1910100;tillsvidare;100;N;K;N;2015-03-01;;",
        f"202412;191;{berit};A2;1910100;tillsvidare;100;J;K;N;2010-01-01;;",
    ])
    absence = write(tmp_path, "franvaro_191_202412.csv", ABSENCE_HEADER,
                    [f"202412;191;{anna.replace('-', '')};A1;sjuk;2024-03-04;2024-03-06;100;2400,00"])
    for path, source in ((emp, "hr_anstallning"), (absence, "hr_franvaro")):
        assert load_extract(engine, path, source, settings=settings).status == LoadStatus.PUBLISHED
    new_key = "ny-nyckel-efter-rotation-0123456789abcdef"

    def ids(table: str) -> set[str]:
        with engine.connect() as c:
            return set(c.execute(sa.text(f"SELECT person_id FROM {table}")).scalars())

    with pytest.raises(ValueError, match="finns inte i arkivets originalfiler"):
        rotate_key(engine, settings.archive_dir, "fel-gammal-nyckel-0123456789abcdefgh", new_key)
    before = ids("hr_employment")
    assert before == {pseudonymise("hr", n.replace("-", ""), TEST_KEY.encode()) for n in (anna, berit)}

    result = rotate_key(engine, settings.archive_dir, TEST_KEY, new_key)
    expected = {pseudonymise("hr", n.replace("-", ""), new_key.encode()) for n in (anna, berit)}
    assert ids("hr_employment") == expected and result.updated_rows == 2 * 2 + 2  # person + employment ids
    assert ids("hr_absence") == {pseudonymise("hr", anna.replace("-", ""), new_key.encode())}
    # After rotation the new key is the one in use: a reload matches the history.
    monkeypatch.setenv(KEY_ENV, new_key)
    again = load_extract(engine, emp, "hr_anstallning", settings=settings, force=True)
    assert again.status == LoadStatus.PUBLISHED and ids("hr_employment") == expected
