"""Adversarial review of issue 11 (input workbook round trip, lineage, explain): each test is a bug a
demanding user would hit; see the commit that adds it for the why."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from openpyxl import Workbook

from bokslut.templates.input_catalogue import FIELD_PREFIX, FIRST_ROW, KEY_ROW, Field, Section
from bokslut.templates.input_reader import _required, _value
from bokslut.templates.manual import ManualInputError, to_decimal

AMOUNT = Field("budget.kostnad", "Budget kostnad", "belopp", ("VB",), unit="mnkr")
WHOLE = Field("taljare", "Täljare", "heltal", ("VB",))
DAY = Field("prognos_slut", "Prognos slutdatum", "datum", ("VB",))


def _cell(value: object, as_text: bool = False):  # noqa: ANN202 - openpyxl Cell
    ws = Workbook().active
    cell = ws["C5"]
    cell.value = value
    if as_text:
        cell.data_type = "s"
    return cell


# ------------------------------------------------------------ numbers that are not numbers


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-inf", "sNaN"])
def test_nan_and_infinity_are_not_numbers(text):
    """Decimal() accepts them: a pasted 'NaN' in an amount cell passed the reader and the build then
    stopped with an English 'cannot convert NaN to integer' or 'Oväntat fel (OverflowError)'."""
    with pytest.raises(ManualInputError, match="inget tal"):
        to_decimal(text, "Verksamhetsprojekt!E5")
    with pytest.raises(ManualInputError):
        to_decimal(float(text.replace("sNaN", "nan")), "x")  # a YAML .nan / .inf
    errors: list[str] = []
    assert _value(_cell(text, as_text=True), AMOUNT, "Verksamhetsprojekt!E5", errors) is None
    assert errors and "Verksamhetsprojekt!E5" in errors[0]


# --------------------------------------------- the workbook's own validation, when pasted past


@pytest.mark.parametrize(("field", "value"), [
    (AMOUNT, 5e12), (AMOUNT, "-2000000000000"), (WHOLE, 10**10), (DAY, datetime(1900, 1, 1)), (DAY, "2150-01-01"),
])
def test_values_outside_the_workbooks_validation_are_refused(field, value):
    """Excel's data validation only stops typing; a pasted value (or one from LibreOffice) is stored as
    it is. The reader must refuse what the cell's validation refuses, naming the cell (issue 11:
    'every error names sheet and cell ... outside validation')."""
    errors: list[str] = []
    assert _value(_cell(value, as_text=isinstance(value, str)), field, "Blad!C5", errors) is None
    assert errors and errors[0].startswith("Blad!C5: ")


@pytest.mark.parametrize(("field", "value", "expected"), [
    (AMOUNT, -12.5, -12.5), (AMOUNT, 0, 0), (AMOUNT, "−3,5", "−3,5"), (WHOLE, 925.0, 925),
    (DAY, datetime(2024, 12, 31), date(2024, 12, 31)), (DAY, "2024-12-31", date(2024, 12, 31)),
])
def test_values_inside_the_validation_still_read(field, value, expected):
    errors: list[str] = []
    assert _value(_cell(value, as_text=isinstance(value, str)), field, "Blad!C5", errors) == expected and not errors


# ------------------------------------------------------------------ a blank that is not blank


def test_a_required_answer_of_only_spaces_is_missing():
    """The reader treats a cell of spaces as blank (the key is absent), but the required-check counted
    it as given: a JA/NEJ every unit must answer went missing without the error naming the cell."""
    section = Section("resultatenheter", "Resultatenheter", "", ("VB",),
                      (Field("eget_handlande", "Eget handlande (JA/NEJ)", "ja_nej", ("VB",), required=True),))
    ws = Workbook().active
    ws.cell(KEY_ROW, 3).value = FIELD_PREFIX + "eget_handlande"
    ws.cell(FIRST_ROW, 1).value = "2130"
    ws.cell(FIRST_ROW, 3).value = "   "
    errors: list[str] = []
    _required(ws, FIRST_ROW, "2130", section, "VB", {3: section.fields[0]}, {}, errors)
    assert errors and "C5" in errors[0] and "saknas" in errors[0]
