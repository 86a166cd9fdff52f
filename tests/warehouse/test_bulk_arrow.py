"""bulk_insert of Arrow rows: NULL stays NULL, '' stays '', text and dates land byte for byte, and
the rows belong to the caller's transaction (SQLite and PostgreSQL)."""

from __future__ import annotations

import pyarrow as pa
import pytest
import sqlalchemy as sa

from bokslut.warehouse.bulk import bulk_insert
from bokslut.warehouse.schema import hr_absence, posting

pytestmark = pytest.mark.unit

# Strings a CSV or COPY path could mangle: empty, quotes, separators, COPY's own markers, spaces.
HOSTILE = ["", '"', '""', ";", ",", "a,b;c", "\\N", "\\.", "NULL", " lead", "trail ", "=1+1", "Å ä ö €",
           "'", "x" * 500, "\u00a0", "😀"]


def _posting_rows(texts: list[str]) -> pa.Table:
    n = len(texts)
    return pa.table({
        "load_id": pa.array([1] * n, pa.int64()), "source_line": pa.array(range(2, n + 2), pa.int64()),
        "forvaltning": ["191"] * n, "period": pa.array([202401] * n, pa.int64()), "konto": ["4010"] * n,
        "ansvar": [t[:20] for t in texts], "verksamhet": [""] * n, "projekt": [t[:20] for t in reversed(texts)],
        "motpart": [""] * n, "anslag": ["D"] * n, "vertyp": ["LF"] * n, "vernr": [t[:30] for t in texts],
        "datum": ["2024-01-05"] * n, "text": texts,
        "amount_ore": pa.array([99_999_999_999_999, -99_999_999_999_999, 0, 1, -1] * (n // 5) + [7] * (n % 5), pa.int64()),
    })


def test_text_empty_strings_and_amounts_round_trip(engine) -> None:  # noqa: ANN001
    rows = _posting_rows(HOSTILE)
    with engine.begin() as connection:
        assert bulk_insert(connection, posting, rows) == len(HOSTILE)
    with engine.connect() as connection:
        got = connection.execute(sa.text(
            "SELECT ansvar, verksamhet, projekt, motpart, vernr, text, amount_ore, CAST(datum AS VARCHAR(10)) "
            "FROM posting ORDER BY source_line")).all()
        nulls = connection.execute(sa.text(
            "SELECT count(*) FROM posting WHERE ansvar IS NULL OR verksamhet IS NULL OR text IS NULL")).scalar()
    assert nulls == 0  # an empty string is never turned into NULL
    assert [r.text for r in got] == HOSTILE
    assert [r.ansvar for r in got] == rows.column("ansvar").to_pylist()
    assert [r.projekt for r in got] == rows.column("projekt").to_pylist()
    assert [r.vernr for r in got] == rows.column("vernr").to_pylist()
    assert {r.verksamhet for r in got} == {""} and {r.motpart for r in got} == {""}
    assert [r.amount_ore for r in got] == rows.column("amount_ore").to_pylist()
    assert {r[7] for r in got} == {"2024-01-05"}


def test_missing_dates_and_numbers_are_null(engine) -> None:  # noqa: ANN001
    rows = pa.table({
        "load_id": pa.array([1, 1, 1], pa.int64()), "source_line": pa.array([2, 3, 4], pa.int64()),
        "forvaltning": ["191"] * 3, "period": pa.array([202401] * 3, pa.int64()), "person_id": ["p"] * 3,
        "employment_id": ["", "e", ""], "franvarotyp": ["sjuk"] * 3,
        "start_date": ["2024-01-01", "2024-02-29", "1970-01-01"], "start_day": pa.array([19723, 19782, 0], pa.int64()),
        "end_date": pa.array([None, "2024-03-01", None], pa.string()),
        "end_day": pa.array([None, 19783, None], pa.int64()),
        "omfattning_hundradelar": pa.array([100, 50, 0], pa.int64()),
        "sjuklonekostnad_ore": pa.array([0, -5, 123456789012], pa.int64()),
    })
    with engine.begin() as connection:
        bulk_insert(connection, hr_absence, rows)
    with engine.connect() as connection:
        got = connection.execute(sa.text(
            "SELECT employment_id, CAST(start_date AS VARCHAR(10)), CAST(end_date AS VARCHAR(10)), end_day, "
            "end_date IS NULL, end_day IS NULL, sjuklonekostnad_ore FROM hr_absence ORDER BY source_line")).all()
    assert [tuple(r) for r in got] == [
        ("", "2024-01-01", None, None, True, True, 0),
        ("e", "2024-02-29", "2024-03-01", 19783, False, False, -5),
        ("", "1970-01-01", None, None, True, True, 123456789012),
    ]


def test_rows_roll_back_with_the_callers_transaction(engine) -> None:  # noqa: ANN001
    with pytest.raises(RuntimeError), engine.begin() as connection:
        bulk_insert(connection, posting, _posting_rows(HOSTILE))
        raise RuntimeError("killed half-way")
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM posting")).scalar() == 0


def test_empty_and_pandas_input(engine) -> None:  # noqa: ANN001
    rows = _posting_rows(["a", ""])
    with engine.begin() as connection:
        assert bulk_insert(connection, posting, rows.slice(0, 0)) == 0
        assert bulk_insert(connection, posting, rows.to_pandas()) == 2
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT text FROM posting ORDER BY source_line")).scalars().all() == ["a", ""]


@pytest.mark.parametrize("count", [49, 50, 51, 137, 20_003])
def test_every_row_once_in_order_across_statement_and_slice_boundaries(engine, count: int) -> None:  # noqa: ANN001
    texts = [(str(i) + HOSTILE[i % len(HOSTILE)])[:500] for i in range(count)]
    with engine.begin() as connection:
        assert bulk_insert(connection, posting, _posting_rows(texts)) == count
    with engine.connect() as connection:
        got = connection.execute(sa.text("SELECT source_line, text FROM posting ORDER BY source_line")).all()
    assert [tuple(r) for r in got] == list(zip(range(2, count + 2), texts, strict=True))
