"""The Kontokontroller SQL and bokslut.domain.accounts define the account sets once: the SQL condition
an AccountSet renders selects exactly the accounts ``contains`` admits, and the controls' sums over a
small batch equal the sums the domain's sets give (fast, SQLite in memory)."""

from __future__ import annotations

import itertools
import random
import re

import pytest
import sqlalchemy as sa

from bokslut.controls.suites import bound_statement, load_control_suites
from bokslut.domain import accounts
from bokslut.settings import SQL_DIR
from bokslut.sql import ACCOUNT_SET, render_account_sets

pytestmark = pytest.mark.unit

NAMED_SETS = {name: value for name, value in vars(accounts).items() if isinstance(value, accounts.AccountSet)}
ALL_ACCOUNTS = [f"{n:04d}" for n in range(10000)]
ANSLAG = ("D", "I", "")


@pytest.fixture(scope="module")
def every_account():
    engine = sa.create_engine("sqlite://")
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE acc (konto VARCHAR(4), anslag VARCHAR(1))"))
        connection.execute(sa.text("INSERT INTO acc VALUES (:konto, :anslag)"),
                           [{"konto": k, "anslag": a} for k, a in itertools.product(ALL_ACCOUNTS, ANSLAG)])
    yield engine
    engine.dispose()


@pytest.mark.parametrize("name", sorted(NAMED_SETS))
def test_sql_condition_selects_what_contains_admits(every_account, name):
    account_set = NAMED_SETS[name]
    with every_account.connect() as connection:
        selected = set(connection.execute(sa.text(
            f"SELECT konto, anslag FROM acc WHERE {account_set.sql_condition()}")).all())
    expected = {(k, a) for k, a in itertools.product(ALL_ACCOUNTS, ANSLAG)
                if account_set.contains(k, a or None)}
    assert selected == expected


def test_unknown_account_set_is_an_error():
    assert render_account_sets("SELECT 1 WHERE {ARETS_RESULTAT}") != "SELECT 1 WHERE {ARETS_RESULTAT}"
    with pytest.raises(KeyError):
        render_account_sets("SELECT 1 WHERE {NO_SUCH_SET}")
    with pytest.raises(KeyError):
        render_account_sets("SELECT 1 WHERE {OPENING_PP}")  # a name of the package, but not an account set


def test_kontokontroller_name_the_sets_they_share_with_the_reports():
    """KK06, KK07 and KK09 take Årets resultat and Summa drift from the domain, not from ranges written out."""
    for name in ("kk06_konto_stadkonto", "kk07_resultatrapport", "kk09_rr_br_anl"):
        raw = (SQL_DIR / "controls" / f"{name}.sql").read_text(encoding="utf-8")
        used = set(ACCOUNT_SET.findall(raw))
        assert "ARETS_RESULTAT" in used, name
        assert not re.search(r"'3899'|'8899'|'7999'", raw), f"{name}: a result range spelled out by hand"
    assert "SUMMA_DRIFT" in set(ACCOUNT_SET.findall((SQL_DIR / "controls/kk07_resultatrapport.sql").read_text()))


def _batch(rng: random.Random) -> list[dict]:
    rows = []
    for konto in rng.sample(ALL_ACCOUNTS, 600) + ["3899", "3900", "7999", "8000", "8400", "8599", "8899", "8900",
                                                   "8999", "9040", "9059", "9060", "2030", "2039", "1999"]:
        for anslag in ("D", "I"):
            rows.append({"konto": konto, "anslag": anslag, "motpart": "", "period": 202406,
                         "amount_ore": rng.randint(-10_000_000, 10_000_000)})
    return rows


def _control(group: str, rows: list[dict]) -> dict[str, dict]:
    suite = next(s for s in load_control_suites() if s.group == group)
    sql = suite.sql.replace("{batch}", "batch")
    engine = sa.create_engine("sqlite://")
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE batch (konto VARCHAR(4), anslag VARCHAR(1), motpart VARCHAR(4), "
                                   "period INTEGER, amount_ore BIGINT)"))
        connection.execute(sa.text("INSERT INTO batch VALUES (:konto, :anslag, :motpart, :period, :amount_ore)"), rows)
        values = {"first_month": 202401, "period": 202406, "year_start": 202400, "forvaltning": "123",
                  "treasury_candidates": []}
        connection.execute(sa.text("CREATE TABLE treasury (forvaltning VARCHAR(3), period INTEGER, load_id INTEGER, "
                                   "amount_ore BIGINT)"))
        assert "{" not in "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
        found = connection.execute(*bound_statement(sql, values)).mappings().all()
    engine.dispose()
    return {r["control_id"]: dict(r) for r in found}


def _sum(rows: list[dict], account_set: accounts.AccountSet) -> int:
    return sum(r["amount_ore"] for r in rows if account_set.contains(r["konto"], r["anslag"]))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_control_sums_equal_the_domain_sets(seed):
    rows = _batch(random.Random(seed))
    arets_resultat = _sum(rows, accounts.ARETS_RESULTAT)
    summa_drift = _sum(rows, accounts.SUMMA_DRIFT)

    kk07 = _control("KK07", rows)
    assert kk07["KK07.1"]["value_ore"] == summa_drift
    assert kk07["KK07.2"]["value_ore"] == arets_resultat

    kk06 = _control("KK06", rows)
    assert kk06["KK06.1"]["value_ore"] == _sum(rows, accounts.RESULT_AND_CLEARING)
    assert kk06["KK06.1"]["expected_ore"] == (arets_resultat + _sum(rows, accounts.KONTO_89)
                                              + _sum(rows, accounts.INTERNA_UTBETALNINGAR))

    kk08 = _control("KK08", rows)
    assert kk08["KK08.2"]["value_ore"] == _sum(rows, accounts.AKTIVERAT)

    kk09 = _control("KK09", rows)
    assert kk09["KK09.1"]["value_ore"] == arets_resultat
    assert kk09["KK09.1"]["expected_ore"] == summa_drift
    assert kk09["KK09.7"]["value_ore"] == _sum(rows, accounts.TILLGANGAR)
    assert kk09["KK09.8"]["value_ore"] == _sum(rows, accounts.SKULDER_OCH_EGET_KAPITAL)
