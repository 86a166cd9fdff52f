"""The Arrow row checks (ingest.validate) give exactly what the pandas checks they replace gave.

``validate_pandas_reference`` is the pandas implementation as it was before the Arrow rewrite
(kept verbatim, for this comparison only). Every format is fed random rows drawn from values
chosen where RE2 and Python's re, Arrow's and Python's whitespace, or pandas' parsers could
part ways: Unicode digits and spaces, control characters, personnummer, formulas, limits.
"""

from __future__ import annotations

import random

import pandas as pd
import pyarrow as pa
import pytest

from bokslut.hr.pseudonym import KEY_ENV
from bokslut.ingest.formats import SOURCES
from bokslut.ingest.validate import check_chunk
from bokslut.money import MAX_AMOUNT_ORE
from tests.ingest import validate_pandas_reference as reference

pytestmark = pytest.mark.unit

SPACES = ["", " ", "\u00a0", "\u3000", "\x0b", "\x1c", "\u200b", "\u2009", "\t", "\x85", "\u180e", "\ufeff"]
DIGITS = ["١٩١", "１９１", "191", "19１", "٣٤٥٦", "1234", "１２３４", "12345", "0191", "191\n", "²³⁴", "𝟏𝟐𝟑𝟒"]
PERIODS = ["202401", "202415", "202400", "202413", "202414", "２０２４０１", "٢٠٢٤٠١", "20240", "2024011", "abc",
           "202412", "199900", "202499", "2024", "０", "2025", "２０２５", "202412\n", "20240１"]
AMOUNTS = ["-1 234,50", "1\u00a0234.5", "\u22121,00", "+0,5", "0", "1,234", "١٢", "999999999999,99",
           "1000000000000", "-", ",5", "1.", "9223372036854775807", " 12 ", "1\u202f000", "1\u2009000,01",
           "-999 999 999 999,99", "00012,3", "+-1", "1e5", "12,", "１２", "0,00", "-0", "87,5", "87,55", "87,555"]
DATES = ["2024-01-05", "20240105", "2024-1-5", "2024-13-01", "２０２４０１０５", "05/01/2024", "2024-02-30",
         "2024-02-29", "1970-01-01", "1899-12-31", "٢٠٢٤٠١٠٥", "2024-01-05T00:00", "24-01-05", "2024-01-05 "]
TEXT = ["=SUM(A1)", "-123", "+ 1 2", "-\u00a0123", "-١٢٣", "@x", "Hyra 19800101-9806 jan", "x\ty", "a" * 600,
        "\u2028", "Kontonamn", "-1 234,50", "+\x0b1", "- 1.2", "Ö-län", "-", "+", "800101 9806", "198001019806",
        "19800101‐9806", "\x7f", "\u0085", "Räntor 2024", "'=1", "İstanbul", "ß", "-\u3000", "+1\u20002"]
CODES = ["1234", "12345", "１２３４", "٣٤٥٦", "lf", "LF", "L F", "d", "i", "D", "I", "x", "VP", "vp", "bj", "J", "n",
         "sjuk", "SJUK", "Sjuk", "vab", "Aktivering", "aktivering", "tillsvidare", "K", "k", "ǅ", "ß", "A1", "ａｂ",
         "Externa inbetalningar", "ı", "\u00c5", "å", "brev", "a" * 25, "a" * 31]
PERSONNUMMER = ["19800101-9804", "198001019804", "800101-9804", "19800101-9806", "800101-9806", "198001019806", "19800101-9807", "abc", "٨٠٠١٠١-٩٨٠٦", "800101+9806"]

POOLS = {"period": PERIODS, "month": PERIODS, "year": ["2024", "２０２４", "202", "20245", "abcd", "2025"],
         "amount": AMOUNTS, "number": AMOUNTS, "date": DATES, "text": TEXT, "code": CODES + DIGITS,
         "choice": CODES, "personnummer": PERSONNUMMER, "pseudonym": CODES}


GOOD = {"period": "202401", "month": "202401", "year": "2024", "amount": "12,50", "number": "1,5",
        "date": "2024-01-05", "text": "Hyra", "personnummer": "19800101-9804", "pseudonym": "E1"}
GOOD_CODES = {r"\d{3}": "191", r"\d{4}": "1234", "[A-Z0-9]{2}": "LF"}


def _value(rng: random.Random, fld) -> str:  # noqa: ANN001
    if rng.random() < 0.9:  # most values good, so that rows pass and their typed values are compared
        value = fld.choices[0] if fld.choices else GOOD.get(fld.kind) or GOOD_CODES.get(fld.pattern or "", "A1")
    else:
        value = rng.choice(POOLS[fld.kind] + DIGITS)
    if rng.random() < 0.3:
        value = rng.choice(SPACES) + value + rng.choice(SPACES)
    return value


def _rows(fmt, count: int, seed: int) -> dict[str, list[str]]:  # noqa: ANN001
    rng = random.Random(seed)
    return {f.header: [_value(rng, f) for _ in range(count)] for f in fmt.fields}


def _plain(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return value.item() if hasattr(value, "item") else value


@pytest.mark.parametrize("source", sorted(SOURCES))
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_arrow_checks_match_pandas_checks(source: str, seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, "testnyckel-för-arrow-jämförelsen-0123456789")
    fmt = SOURCES[source]
    columns = _rows(fmt, 3000, seed)
    lines = list(range(2, 3002))
    old = reference.check_chunk(pd.DataFrame({**columns, "line_no": lines}), fmt)
    new = check_chunk(pa.table({**{h: pa.array(v, pa.string()) for h, v in columns.items()},
                                "line_no": pa.array(lines, pa.int64())}), fmt)
    assert new.issues == old.issues
    assert list(new.rows.column_names) == list(old.rows.columns)
    for name in old.rows.columns:
        assert new.rows.column(name).to_pylist() == [_plain(v) for v in old.rows[name].tolist()], name
    assert len(old.rows) > 0 or source.startswith(("hr_", "ber_"))


def test_pandas_frames_are_still_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    fmt = SOURCES["ledger"]
    columns = _rows(fmt, 200, 7)
    frame = pd.DataFrame({**columns, "line_no": range(2, 202)})
    assert check_chunk(frame, fmt).issues == reference.check_chunk(frame, fmt).issues


def test_amounts_are_exact_ore_up_to_the_limit() -> None:
    """Every amount up to ±MAX_AMOUNT_ORE is exact integer öre (no float, which would already blur
    such amounts: 10**14 öre is past 2**53 / 100 kr); past the limit, up to and beyond int64, an
    amount is rejected, never wrapped or rounded."""
    fmt = SOURCES["stadskassan"]
    rng = random.Random(10)
    ore = [MAX_AMOUNT_ORE, -MAX_AMOUNT_ORE, MAX_AMOUNT_ORE - 1, -(MAX_AMOUNT_ORE - 1), 9_007_199_254_740, 1, 0, -1,
           *(rng.randrange(-MAX_AMOUNT_ORE, MAX_AMOUNT_ORE + 1) for _ in range(5000))]

    def spelled(value: int) -> str:
        kronor, rest = divmod(abs(value), 100)
        grouped = f"{kronor:,}".replace(",", rng.choice([" ", "\u00a0", "\u202f", ""]))
        return ("-" if value < 0 else rng.choice(["", "+"])) + grouped + rng.choice([",", "."]) + f"{rest:02d}"

    beyond = ["1 000 000 000 000,00", "-1000000000000", "92233720368547758,07", "-92233720368547758,08",
              "9223372036854775807", "18446744073709551616", "99999999999999999999999,99"]
    texts = [spelled(v) for v in ore] + beyond
    table = pa.table({"Förvaltning": ["191"] * len(texts), "Period": ["202401"] * len(texts),
                      "Transaktionstyp": ["Externa inbetalningar"] * len(texts), "Belopp": texts,
                      "line_no": pa.array(range(2, len(texts) + 2), pa.int64())})
    checked = check_chunk(table, fmt)
    assert checked.rows.column("amount_ore").type == pa.int64()
    assert checked.rows.column("amount_ore").to_pylist() == ore
    assert [i.line_no for i in checked.issues] == [len(ore) + 2 + n for n in range(len(beyond))]
    assert all("beloppsgränsen" in i.reason for i in checked.issues)
