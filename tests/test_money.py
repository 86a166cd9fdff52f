import pytest

from bokslut.money import AmountError, format_plain, format_swedish, parse_amount_ore

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "ore"),
    [
        ("-1 234 567,89", -123456789),
        ("1\u00a0234,5", 123450),
        ("1\u202f234,50", 123450),
        ("12.3", 1230),
        ("0", 0),
        ("+7,05", 705),
        ("\u22122,00", -200),
    ],
)
def test_parse_amount_accepts_export_spellings(text, ore):
    assert parse_amount_ore(text) == ore


@pytest.mark.parametrize("text", ["", "abc", "1,234", "1 2,3,4", "12,345", "--1"])
def test_parse_amount_rejects_with_swedish_message(text):
    with pytest.raises(AmountError, match="belopp|decimaler"):
        parse_amount_ore(text)


def test_formats():
    assert format_plain(-123456789) == "-1234567.89"
    assert format_plain(-5) == "-0.05"
    assert format_swedish(-123456789) == "-1\u00a0234\u00a0567,89"
