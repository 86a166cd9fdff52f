"""posting_aggregate always equals the aggregate of the postings it stands for: staged, published,
replaced, rejected, migrated, and after a hand-made correction of a posting."""

from __future__ import annotations

import sqlalchemy as sa

from bokslut.ingest.write_audit_publish import LoadStatus, reject_load, stage_file
from bokslut.warehouse.db import upgrade
from tests.ingest.ledger_files import csv_text, row, write
from tests.loading import load_file
import pytest

pytestmark = pytest.mark.unit

GROUPS = """
SELECT load_id, forvaltning, period, konto, motpart, anslag, vertyp, projekt = '' AS blank_projekt,
       verksamhet = '' AS blank_verksamhet, SUM(amount_ore), SUM(ABS(amount_ore)), COUNT(*)
FROM posting
GROUP BY load_id, forvaltning, period, konto, motpart, anslag, vertyp, projekt = '', verksamhet = ''
"""
AGGREGATE = """
SELECT load_id, forvaltning, period, konto, motpart, anslag, vertyp, blank_projekt, blank_verksamhet,
       amount_ore, abs_amount_ore, postings
FROM posting_aggregate
"""


def _rows(engine, sql: str) -> set[tuple]:
    with engine.connect() as connection:
        return {tuple(int(v) if isinstance(v, bool) else v for v in r) for r in connection.execute(sa.text(sql))}


def assert_in_step(engine) -> None:
    expected = _rows(engine, GROUPS)
    assert _rows(engine, AGGREGATE) == expected


def _ledger(folder, name: str, rows: list[list[str]]):
    return write(folder, name, csv_text(rows))


def test_aggregate_follows_stage_publish_replace_and_reject(engine, settings, tmp_path):
    january = [row("202401", belopp="1 000,00"), row("202401", "5021", "-250,50"), row("202401", "3511", "-400,00"),
               row("202401", "5021", "7,00", motpart="9110")]
    first = load_file(engine, _ledger(tmp_path, "jan.csv", january), "ledger", settings=settings)
    assert first.status == LoadStatus.PUBLISHED, first.message
    assert_in_step(engine)
    with engine.connect() as connection:
        group = connection.execute(sa.text(
            "SELECT amount_ore, abs_amount_ore, postings FROM posting_aggregate "
            "WHERE konto = '5021' AND motpart = '0001'")).one()
    assert tuple(group) == (74950, 125050, 2)  # 1 000,00 − 250,50; |1 000,00| + |−250,50|

    corrected = [row("202401", belopp="900,00"), row("202401", "3511", "-400,00"), row("202401", "4010", "55,00")]
    second = load_file(engine, _ledger(tmp_path, "jan2.csv", corrected), "ledger", settings=settings)
    assert second.status == LoadStatus.PUBLISHED, second.message
    assert_in_step(engine)  # the replaced load's groups went with its rows
    with engine.connect() as connection:
        loads = {r[0] for r in connection.execute(sa.text("SELECT DISTINCT load_id FROM posting_aggregate"))}
    assert loads == {second.load_id}

    staged = stage_file(engine, _ledger(tmp_path, "jan3.csv", corrected + [row("202401", "6110", "1,00")]), "ledger",
                        settings=settings)
    assert staged.status == LoadStatus.STAGED
    assert_in_step(engine)  # staged rows are aggregated with them
    reject_load(engine, staged.load_id, "test")
    assert_in_step(engine)
    with engine.connect() as connection:
        left = connection.execute(sa.text("SELECT COUNT(*) FROM posting_aggregate WHERE load_id = :l"),
                                  {"l": staged.load_id}).scalar()
    assert left == 0


def test_a_hand_made_correction_of_a_posting_reaches_the_aggregate(engine, settings, tmp_path):
    rows = [row("202401", belopp="100,00"), row("202401", "5021", "-30,00"), row("202401", "3511", "-70,00")]
    result = load_file(engine, _ledger(tmp_path, "jan.csv", rows), "ledger", settings=settings)
    assert result.status == LoadStatus.PUBLISHED, result.message
    with engine.begin() as connection:  # the 3511 posting moved to an account no group had yet
        connection.execute(sa.text("UPDATE posting SET konto = '3512' WHERE konto = '3511'"))
        connection.execute(sa.text("UPDATE posting SET amount_ore = -4000 WHERE amount_ore = -3000"))
        connection.execute(sa.text("UPDATE posting SET projekt = '' WHERE amount_ore = 10000"))
    assert_in_step(engine)
    with engine.connect() as connection:
        accounts = {r[0] for r in connection.execute(sa.text("SELECT konto FROM posting_aggregate"))}
    assert accounts == {"5021", "3512"}  # the emptied 3511 group is gone, not left at zero


def test_upgrade_aggregates_loads_staged_before_the_revision(settings, tmp_path):
    """A warehouse from before revision 0005: its published postings are aggregated by the upgrade."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(settings.warehouse_url)
    upgrade(engine, "0004")
    with engine.begin() as connection:
        load_id = connection.execute(sa.text(
            "INSERT INTO load_audit (source, file_name, sha256, status, started_at, rows_read, rows_loaded, "
            "rows_quarantined, partitions) VALUES ('ledger', 'old.csv', :sha, 'publicerad', CURRENT_TIMESTAMP, 3, 3, "
            "0, '191:202401') RETURNING load_id"), {"sha": "0" * 64}).scalar()
        for line, (konto, amount, projekt) in enumerate([("5021", 100, "12"), ("5021", -30, ""), ("3511", -70, "")], 2):
            connection.execute(sa.text(
                "INSERT INTO posting (load_id, source_line, forvaltning, period, konto, ansvar, verksamhet, projekt, "
                "motpart, anslag, vertyp, vernr, datum, text, amount_ore) VALUES (:l, :n, '191', 202401, :k, '', '', "
                ":p, '', 'D', 'LI', '1', '2024-01-15', '', :a)"), {"l": load_id, "n": line, "k": konto, "a": amount,
                                                                   "p": projekt})
    upgrade(engine)
    assert_in_step(engine)
    assert len(_rows(engine, AGGREGATE)) == 3
    engine.dispose()


def test_sums_that_could_leave_int64_are_aggregated_by_the_database(engine, settings, tmp_path, monkeypatch):
    """Beyond what int64 holds for sure, the aggregate comes from the database (where an overflow is
    an error), not from Arrow's sums (which would wrap)."""
    from bokslut.warehouse import aggregate

    monkeypatch.setattr(aggregate, "EXACT_LIMIT", 10_000)  # 100,00 kr: the file below is over it
    rows = [row("202401", belopp="100,00"), row("202401", "5021", "-30,00"), row("202401", "3511", "-70,00", motpart="")]
    result = load_file(engine, _ledger(tmp_path, "jan.csv", rows), "ledger", settings=settings)
    assert result.status == LoadStatus.PUBLISHED, result.message
    assert_in_step(engine)
    assert len(_rows(engine, AGGREGATE)) == 2


def test_sums_beyond_int64_reject_the_load_with_its_reason(engine, settings, tmp_path):
    """Amounts each within the limit whose sum leaves int64: the database refuses the aggregate, the
    load is rejected with the reason, none of its rows stay."""
    import pytest

    big = "999 999 999 999,99"
    path = _ledger(tmp_path, "stora.csv", [row("202401", "5021", big)] * 100_000)
    with pytest.raises(sa.exc.DBAPIError):
        stage_file(engine, path, "ledger", settings=settings)
    with engine.connect() as connection:
        status, message = connection.execute(sa.text("SELECT status, message FROM load_audit")).one()
        assert connection.execute(sa.text("SELECT COUNT(*) FROM posting")).scalar() == 0
        assert connection.execute(sa.text("SELECT COUNT(*) FROM posting_aggregate")).scalar() == 0
    assert status == LoadStatus.REJECTED and "heltalsöverflöd" in message


def test_a_load_rejected_while_it_was_staging_keeps_no_rows_and_is_never_published(engine, settings, tmp_path):
    """Another run's clean-up takes a load for abandoned and rejects it while its process still
    stages: the process must not mark it staged afterwards, and none of its rows (nor its
    aggregate) may stay behind for a publish."""
    from bokslut.ingest.write_audit_publish import _reject, publish_load
    from bokslut.ingest.formats import SOURCES

    rows = [row("202401", belopp=f"{n},00") for n in range(1, 3001)]
    path = _ledger(tmp_path, "jan.csv", rows)
    rejected = []

    def reject_once(_line: str) -> None:  # after the first chunk, as the clean-up of another run would
        if not rejected:
            with engine.connect() as connection:
                load_id = connection.execute(sa.text("SELECT MAX(load_id) FROM load_audit")).scalar()
            rejected.append(_reject(engine, load_id, SOURCES["ledger"], "Övergiven (test).", 0, 0))

    result = stage_file(engine, path, "ledger", settings=settings, progress=reject_once)
    assert rejected and result.status == LoadStatus.REJECTED
    assert publish_load(engine, result.load_id).status == LoadStatus.REJECTED
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT COUNT(*) FROM posting")).scalar() == 0
        assert connection.execute(sa.text("SELECT COUNT(*) FROM posting_aggregate")).scalar() == 0
        assert connection.execute(sa.text("SELECT COUNT(*) FROM publication")).scalar() == 0


def test_a_published_load_is_never_rejected_afterwards(engine, settings, tmp_path):
    from bokslut.ingest.write_audit_publish import _reject
    from bokslut.ingest.formats import SOURCES

    result = load_file(engine, _ledger(tmp_path, "jan.csv", [row("202401"), row("202401", "3511", "-100,00")]),
                       "ledger", settings=settings)
    assert result.status == LoadStatus.PUBLISHED
    assert _reject(engine, result.load_id, SOURCES["ledger"], "sent", 0, 0).status == LoadStatus.PUBLISHED
    assert_in_step(engine)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT COUNT(*) FROM posting")).scalar() == 2
