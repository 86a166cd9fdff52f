"""The generated 2024 year reproduces the reference package to the öre."""

from __future__ import annotations

import pytest

from tests.generator.aggregate import COLUMNS, ore, read_reference

pytestmark = pytest.mark.integration

BR_LINES = [r for r in read_reference(2024, "balansrakning.tsv") if r["level"] == "4"]
RR_LINES = [r for r in read_reference(2024, "resultatrakning.tsv") if r["level"] == "4"]
KK = {r["control_id"]: r for r in read_reference(2024, "kontokontroller.tsv")}
ANL = read_reference(2024, "anlaggning.tsv")
ARK = {r["row"]: r for r in read_reference(2024, "anl_rorelsekapital.tsv")}
BUDGET = {r["row"]: r for r in read_reference(2024, "budgetavrakning.tsv")}


@pytest.mark.parametrize("line", BR_LINES, ids=lambda r: r["account"])
def test_balance_sheet_line(x2024, line):
    got = x2024.balance(4).get(line["account"], {})
    for col in ("ib", "change", *COLUMNS, "ub_totalt"):
        assert got.get(col, 0) == ore(line[col]), (line["account"], col)


@pytest.mark.parametrize("line", RR_LINES, ids=lambda r: r["account"])
def test_income_statement_line(x2024, line):
    got = x2024.result(4).get(line["account"], {})
    for col in (*COLUMNS, "totalt"):
        assert got.get(col, 0) == ore(line[col]), (line["account"], col)


def test_no_posting_on_an_account_the_reports_do_not_list(x2024):
    listed = {r["account"] for r in BR_LINES + RR_LINES}
    posted = {k for (k,) in x2024.q("SELECT DISTINCT Konto FROM p WHERE yr = 2024")}
    report_classes = {k for k in posted if k[0] in "12345678" and not k.startswith(("789", "89"))}
    assert report_classes <= listed, sorted(report_classes - listed)


def test_arets_resultat(x2024):
    rr = read_reference(2024, "resultatrakning.tsv")
    expected = next(r for r in rr if r["name"] == "Årets resultat")
    assert x2024.arets_resultat() == ore(expected["totalt"])


@pytest.mark.parametrize("konto", ["9041", "9043", "9044", "9046", "9047", "9052", "9055"])
def test_clearing_accounts_904x_905x(x2024, konto):
    control = next(r for r in KK.values() if r["accounts"] == konto)
    assert x2024.account_sum("Konto = ?", konto) == ore(control["value_shown"])


def test_clearing_totals(x2024):
    assert x2024.account_sum("Konto BETWEEN '9040' AND '9059'") == ore(KK["KK05.8"]["value_shown"])
    other = x2024.q(
        "SELECT Konto, SUM(Belopp) FROM p WHERE yr = 2024 AND Konto >= '9000' "
        "AND NOT (Konto BETWEEN '9040' AND '9059') GROUP BY 1 HAVING SUM(Belopp) <> 0"
    )
    assert other == []
    # there is some zero-net activity on the other clearing accounts
    assert x2024.scalar("SELECT COUNT(*) FROM p WHERE yr = 2024 AND Konto IN ('9181', '9899')") > 0


def test_kontroll_konto_3_9999(x2024):
    assert x2024.account_sum("Konto >= '3000'") == ore(KK["KK06.1"]["value_shown"])


def test_result_transfer_8901_in_period_13(x2024):
    assert x2024.account_sum("Konto = '8901' AND pp = 13") == 248392922
    assert x2024.account_sum("Konto = '8901' AND pp <> 13") == 0
    assert x2024.account_sum("Konto = '2021' AND Motpart BETWEEN '2000' AND '8999'") == ore(
        KK["KK09.5"]["value_shown"]
    )


def test_lisa_counter_postings(x2024):
    """9055 is minus everything LISA posted (voucher type LI), month by month."""
    by_month = x2024.q(
        "SELECT pp, SUM(CASE WHEN Konto = '9055' THEN Belopp ELSE 0 END), "
        "SUM(CASE WHEN Konto <> '9055' THEN Belopp ELSE 0 END) "
        "FROM p WHERE yr = 2024 AND Vertyp = 'LI' GROUP BY 1"
    )
    assert len(by_month) == 12
    assert all(counter == -posted for _, counter, posted in by_month)
    assert x2024.account_sum("Konto = '9055' AND Vertyp <> 'LI'") == 0


def test_bokslut_postings_in_period_13(x2024):
    for rr, br, amount in (("5053", "2910", 70762900), ("5614", "2931", 32831900), ("7352", "1592", 11156115)):
        assert x2024.account_sum("Konto = ? AND pp = 13 AND Vertyp = 'BO'", rr) == amount
        assert x2024.account_sum("Konto = ? AND pp = 13 AND Vertyp = 'BO'", br) == -amount
        assert x2024.account_sum("Konto IN (?, ?) AND pp <> 13", rr, br) == 0


def test_investment_and_activation(x2024):
    spend = x2024.account_sum("Anslag = 'I' AND NOT Konto LIKE '789%'")
    activated = x2024.account_sum("Konto LIKE '789%'")
    assert spend == ore(KK["KK08.1"]["value_shown"]) == 303686530
    assert activated == ore(KK["KK08.2"]["value_shown"])
    assert x2024.account_sum("Konto LIKE '789%' AND Anslag <> 'I'") == 0
    assert x2024.account_sum("Anslag = 'I' AND Konto NOT IN ('4022', '4023', '7891')") == 0
    assert x2024.account_sum("Konto = '7931'") == 237109618


def test_asset_register_agrees_with_the_ledger(x2024):
    register = dict(x2024.q("SELECT Transaktionstyp, SUM(Belopp) FROM assets GROUP BY 1"))
    col12 = {r["row"]: ore(r["c12_maskiner_och_inventarier"]) for r in ANL}
    assert register == {"Aktivering": col12["Aktivering"], "Automatisk avskrivning": col12["Automatisk avskrivning"]}
    per_account = dict(x2024.q("SELECT Konto, SUM(Belopp) FROM assets GROUP BY 1"))
    br = x2024.balance(4)
    assert per_account == {k: br[k]["change"] for k in per_account}
    assert set(per_account) == {"1210", "1220", "1260", "1219", "1229", "1249", "1269"}
    by_period = x2024.q(
        "SELECT a.Period, a.Konto, a.s, COALESCE(l.s, 0) FROM "
        "(SELECT Period, Konto, SUM(Belopp) s FROM assets GROUP BY 1, 2) a LEFT JOIN "
        "(SELECT Period, Konto, SUM(Belopp) s FROM p WHERE Vertyp IN ('AK', 'AV') GROUP BY 1, 2) l "
        "USING (Period, Konto)"
    )
    assert all(reg == led for _, _, reg, led in by_period)


def test_stadskassan(x2024):
    got = dict(x2024.q("SELECT Transaktionstyp, SUM(Belopp) FROM treasury GROUP BY 1"))
    assert got == {
        "Externa inbetalningar": ore(ARK["Externa inbetalningar"]["belopp"]),
        "Interna inbetalningar": 0,
        "Externa utbetalningar": ore(ARK["Externa utbetalningar"]["belopp"]),
    }
    assert x2024.scalar("SELECT COUNT(DISTINCT Period) FROM treasury") == 12
    # X36: Summa konto 3-9999 = -(Externa inbetalningar + Externa utbetalningar)
    assert x2024.account_sum("Konto >= '3000'") == -(got["Externa inbetalningar"] + got["Externa utbetalningar"])


def test_prior_year_closing_balance_is_this_years_opening(x2024):
    prior = x2024.q(
        "SELECT Konto, SUM(Belopp) FROM p WHERE yr = 2023 AND LEFT(Konto, 1) IN ('1', '2') GROUP BY 1"
    )
    ib = {k: v["ib"] for k, v in x2024.balance(4).items()}
    ub = dict(prior)
    assert ub.pop("2011") == 14169482073
    assert ub.pop("2021") == -5748409078
    assert ib.pop("2011") == 14169482073 - 5748409078
    assert ib.pop("2021", 0) == 0
    assert {k: v for k, v in ub.items() if v} == {k: v for k, v in ib.items() if v}
    # by posting class too, so KK11 holds whatever the grouping
    classes = x2024.q(
        "SELECT Konto, col, SUM(CASE WHEN yr = 2023 THEN Belopp ELSE -Belopp END) FROM p "
        "WHERE LEFT(Konto, 1) IN ('1', '2') AND Konto NOT LIKE '20%' AND (yr = 2023 OR pp = 0) "
        "GROUP BY 1, 2 HAVING SUM(CASE WHEN yr = 2023 THEN Belopp ELSE -Belopp END) <> 0"
    )
    assert classes == []


def test_prior_year_is_a_whole_year(x2024):
    periods = {p for (p,) in x2024.q("SELECT DISTINCT per FROM p WHERE yr = 2023")}
    assert periods == {202300 + p for p in range(14)}
    assert x2024.scalar("SELECT SUM(Belopp) FROM p WHERE yr = 2023 AND pp = 0") == 0  # IB balances
    assert x2024.account_sum("Anslag = 'I' AND NOT Konto LIKE '789%'", year=2023) == 238451240
    assert x2024.account_sum("Konto LIKE '789%'", year=2023) == -238451240
    assert x2024.account_sum("Konto = '8901'", year=2023) == 5748409078


def test_budget_totals(x2024):
    def total(version: str, where: str) -> int:
        return x2024.scalar(f"SELECT SUM(Belopp) FROM budget WHERE Version = ? AND ({where})", version)

    costs = "Anslag = 'D' AND ((LEFT(Konto, 2) BETWEEN '40' AND '78') OR (LEFT(Konto, 2) = '85' AND Konto NOT LIKE '852%'))"
    revenue = "Anslag = 'D' AND ((LEFT(Konto, 2) BETWEEN '30' AND '38') OR LEFT(Konto, 2) = '84')"
    drift = BUDGET["Drift och underhåll"]
    assert total("BJ", costs) == ore(drift["budget_inkl_budgetjust"]) == 161550000000
    assert total("BJ", revenue) == ore(BUDGET["Verksamhetens intäkter"]["budget_inkl_budgetjust"])
    assert total("BJ", "Konto LIKE '79%' OR Konto LIKE '852%'") == 0
    assert total("BJ", "Anslag = 'I'") == ore(BUDGET["Utgifter"]["budget_inkl_budgetjust"])
    assert total("VP", "Anslag = 'I'") == 400000000
    assert x2024.scalar("SELECT COUNT(*) FROM budget WHERE Version = 'BJ' AND Period IS NULL") == 0
    assert x2024.scalar("SELECT COUNT(*) FROM budget WHERE Version <> 'BJ' AND Period IS NOT NULL") == 0
    versions = {v for (v,) in x2024.q("SELECT DISTINCT Version FROM budget")}
    assert versions == {"VP", "BJ", "T1", "T2"}
    for version in ("T1", "T2"):
        assert 0 < total(version, costs) and total(version, revenue) < 0
