"""The generated 2020 year reproduces the 2-digit reference and differs from 2024 in its codes."""

from __future__ import annotations

import pytest

from bokslut.generator.targets import load
from tests.generator.aggregate import COLUMNS, ore, read_reference

pytestmark = pytest.mark.integration

BR2 = [r for r in read_reference(2020, "balansrakning.tsv") if r["level"] == "2"]
RR2 = [r for r in read_reference(2020, "resultatrakning.tsv") if r["level"] == "2"]


@pytest.mark.parametrize("line", BR2, ids=lambda r: r["account"])
def test_balance_sheet_group(x2020, line):
    got = x2020.balance(2).get(line["account"], {})
    for col in ("ib", "change", *COLUMNS, "ub_totalt"):
        assert got.get(col, 0) == ore(line[col]), (line["account"], col)


@pytest.mark.parametrize("line", RR2, ids=lambda r: r["account"])
def test_income_statement_group(x2020, line):
    got = x2020.result(2).get(line["account"], {})
    for col in (*COLUMNS, "totalt"):
        assert got.get(col, 0) == ore(line[col]), (line["account"], col)


def _rows(table: str, section: str) -> dict[str, str]:
    return next(r for r in read_reference(2020, table) if r["name"].lower() == section.lower())


def test_section_and_total_rows(x2020):
    br, rr = x2020.balance(2), x2020.result(2)

    def br_sum(groups, col):
        return sum(br.get(g, {}).get(col, 0) for g in groups)

    assets = [f"{g}" for g in range(10, 20)]
    liabilities = [f"{g}" for g in range(20, 30)]
    for col in ("ib", "change", *COLUMNS, "ub_totalt"):
        assert br_sum(assets, col) == ore(_rows("balansrakning.tsv", "Summa tillgångar")[col])
        assert br_sum(liabilities, col) == ore(_rows("balansrakning.tsv", "Summa skulder och eget kapital")[col])
        assert br_sum(["24", "25", "26", "28", "29"], col) == ore(_rows("balansrakning.tsv", "Kortfristiga skulder")[col])

    def rr_sum(groups, col):
        return sum(v[col] for g, v in rr.items() if g in groups)

    revenue = [f"{g}" for g in range(30, 39)]
    costs = [f"{g}" for g in range(40, 79)]
    for col in (*COLUMNS, "totalt"):
        assert rr_sum(revenue, col) == ore(_rows("resultatrakning.tsv", "Verksamhetens intäkter(-)")[col])
        assert rr_sum(costs, col) == ore(_rows("resultatrakning.tsv", "Verksamhetens kostnader (+)")[col])
        assert rr_sum(list(rr), col) == ore(_rows("resultatrakning.tsv", "Årets resultat")[col])


def test_every_listed_group_has_postings_and_no_other_group_does(x2020):
    listed = {r["account"] for r in BR2 + RR2}
    posted = {
        g for (g,) in x2020.q(
            "SELECT DISTINCT LEFT(Konto, 2) FROM p WHERE yr = 2020 AND (LEFT(Konto, 1) IN ('1', '2') "
            "OR (LEFT(Konto, 1) BETWEEN '3' AND '8' AND Anslag = 'D'))"
        )
    }
    assert listed <= posted, sorted(listed - posted)
    assert posted - listed == {"89"}  # 8901, the result transfer, is not an RR line
    investment = {k for (k,) in x2020.q("SELECT DISTINCT Konto FROM p WHERE Anslag = 'I'")}
    assert investment <= {"4022", "4023", "7891"}


def test_2020_is_not_a_copy_of_2024(x2020, x2024):
    names_2020 = dict(x2020.q("SELECT DISTINCT Konto, Kontonamn FROM p WHERE yr = 2020"))
    names_2024 = dict(x2024.q("SELECT DISTINCT Konto, Kontonamn FROM p WHERE yr = 2024"))
    assert len(set(names_2020) - set(names_2024)) >= 5  # accounts the 2024 chart lacks
    renamed = [k for k in set(names_2020) & set(names_2024) if names_2020[k] != names_2024[k]]
    assert len(renamed) >= 5
    motpart_2020 = {m for (m,) in x2020.q("SELECT DISTINCT Motpart FROM p WHERE Motpart <> '1990'")}
    motpart_2024 = {m for (m,) in x2024.q("SELECT DISTINCT Motpart FROM p WHERE Motpart <> '1990'")}
    assert not motpart_2020 & motpart_2024
    for lo, hi in (("0000", "0999"), ("1000", "1999"), ("2000", "8999"), ("9000", "9999")):
        assert any(lo <= m <= hi for m in motpart_2020), (lo, hi)


def test_investment_2020_is_the_rr_konto_40_total_and_reconciles_with_the_roll_forward(x2020):
    """Seed: Utfall utgift 2020 = RR konto 40 totalt 1 307 197,01 kr; BR 12 implies net additions of
    1 100 964,78 kr (kontroller.tsv D08): the 206 232,23 kr between were activated and reversed to drift."""
    br = x2020.balance(4)
    additions = sum(v["change"] for k, v in br.items() if k.startswith("12") and k[3] != "9")
    depreciation = sum(v["change"] for k, v in br.items() if k.startswith("12") and k[3] == "9")
    spending = x2020.account_sum("Anslag = 'I' AND NOT Konto LIKE '789%'")
    assert spending == x2020.result(2)["40"]["totalt"] == 130719701
    assert -x2020.account_sum("Konto LIKE '789%'") == spending  # KK08: every krona activated
    assert additions == 110096478 and spending - additions == 20623223
    assert -depreciation == x2020.account_sum("Konto LIKE '79%' AND Anslag = 'D'") == 463401342
    register = dict(x2020.q("SELECT Transaktionstyp, SUM(Belopp) FROM assets GROUP BY 1"))
    assert register == {"Aktivering": spending, "Reversering": -20623223, "Automatisk avskrivning": depreciation}


def test_prior_year_2019(x2020):
    prior = dict(x2020.q("SELECT Konto, SUM(Belopp) FROM p WHERE yr = 2019 AND LEFT(Konto, 1) IN ('1', '2') GROUP BY 1"))
    ib = {k: v["ib"] for k, v in x2020.balance(4).items()}
    ek_prior = prior.pop("2011") + prior.pop("2021")
    assert ek_prior == ib.pop("2011") and ib.pop("2021", 0) == 0
    assert {k: v for k, v in prior.items() if v} == {k: v for k, v in ib.items() if v}
    assert round(x2020.account_sum("Anslag = 'I' AND NOT Konto LIKE '789%'", year=2019) / 1e8, 1) == 2.7


def test_budget_2020(x2020):
    targets = load(2020)
    for version, spec in targets.config["budget"].items():
        got = x2020.scalar("SELECT SUM(Belopp) FROM budget WHERE Version = ? AND Anslag = 'I'", version)
        assert got == ore(spec["investering"])
    assert x2020.scalar("SELECT SUM(Belopp) FROM budget WHERE Version = 'VP' AND Anslag = 'I'") == 400000000
