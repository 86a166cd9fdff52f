"""Kontokontroller and data-quality rules that every generated year satisfies (2024 and 2020)."""

from __future__ import annotations
import pytest

pytestmark = pytest.mark.unit


def _nonzero(extract, sql: str) -> list:
    return extract.q(sql + " HAVING SUM(Belopp) <> 0")


def test_kk01_accounts_49xx_net_zero_per_anslag(extract):
    assert _nonzero(extract, "SELECT yr, Konto, Anslag FROM p WHERE Konto LIKE '49%' GROUP BY ALL") == []
    assert extract.scalar("SELECT COUNT(*) FROM p WHERE Konto LIKE '49%'") > 0  # activity exists
    # preliminary postings are cleared within their month: KK01 holds at every month-end run
    assert _nonzero(extract, "SELECT yr, pp, Konto, Anslag FROM p WHERE Konto LIKE '49%' GROUP BY ALL") == []


def test_zero_net_pairs_hold_at_every_month_end(extract):
    """Motpart 9*, motpart 1990 and HC/UU vouchers net to zero period by period, not only per year."""
    where = "Motpart LIKE '9%' OR Motpart = '1990' OR Vertyp IN ('HC', 'UU')"
    assert _nonzero(extract, f"SELECT yr, pp, Vernr FROM p WHERE {where} GROUP BY ALL") == []


def test_kk02_motpart_9_nets_to_zero(extract):
    scopes = {
        "1790": "Konto = '1790'",
        "2991": "Konto = '2991'",
        "BR": "LEFT(Konto, 1) IN ('1', '2')",
        "RR drift": "LEFT(Konto, 1) BETWEEN '3' AND '8' AND Anslag = 'D'",
        "RR inv": "LEFT(Konto, 1) BETWEEN '3' AND '8' AND Anslag = 'I'",
        "all": "TRUE",
    }
    for name, where in scopes.items():
        sql = f"SELECT yr FROM p WHERE Motpart LIKE '9%' AND ({where}) GROUP BY yr"
        assert _nonzero(extract, sql) == [], name
    assert extract.scalar("SELECT COUNT(*) FROM p WHERE Motpart LIKE '9%'") > 0


def test_kk03_motpart_1990_nets_to_zero(extract):
    assert _nonzero(extract, "SELECT yr FROM p WHERE Motpart = '1990' GROUP BY yr") == []
    assert extract.scalar("SELECT COUNT(*) FROM p WHERE Motpart = '1990'") > 0


def test_kk04_hc_uu_vouchers_net_zero_on_br_and_rr(extract):
    sql = (
        "SELECT yr, LEFT(Konto, 1) IN ('1', '2') AS br FROM p "
        "WHERE Vertyp IN ('HC', 'UU') AND Konto < '9000' GROUP BY ALL"
    )
    assert _nonzero(extract, sql) == []
    types = {t for (t,) in extract.q("SELECT DISTINCT Vertyp FROM p WHERE Vertyp IN ('HC', 'UU')")}
    assert types == {"HC", "UU"}


def test_kk05_other_clearing_accounts_are_zero(extract):
    sql = (
        "SELECT yr, Konto FROM p WHERE Konto >= '9000' AND NOT (Konto BETWEEN '9040' AND '9059') "
        "GROUP BY ALL"
    )
    assert _nonzero(extract, sql) == []


def test_kk08_no_investment_postings_on_8xxx(extract):
    assert extract.scalar("SELECT COUNT(*) FROM p WHERE Konto LIKE '8%' AND Anslag = 'I'") == 0
    spend = extract.account_sum("Anslag = 'I' AND NOT Konto LIKE '789%'")
    assert spend > 0
    assert spend + extract.account_sum("Konto LIKE '789%'") == 0


def test_kk09_balance_sheet_balances(extract):
    for yr in (extract.year - 1, extract.year):
        assert extract.scalar("SELECT SUM(Belopp) FROM p WHERE yr = ? AND LEFT(Konto, 1) IN ('1', '2')", yr) == 0
        assert extract.scalar(
            "SELECT SUM(Belopp) FROM p WHERE yr = ? AND pp = 0 AND LEFT(Konto, 1) IN ('1', '2')", yr
        ) == 0


def test_kk09_result_transfer(extract):
    change_2021 = extract.account_sum("Konto = '2021'")
    assert extract.account_sum("Konto = '8901'") == -change_2021
    assert extract.account_sum("Konto = '2021' AND Motpart BETWEEN '2000' AND '8999'") == change_2021
    assert extract.scalar("SELECT COUNT(*) FROM p WHERE Konto IN ('2021', '8901') AND pp <> 13") == 0


def test_kk10_no_blank_code_parts(extract):
    for column in ("Motpart", "Projekt", "Verksamhet", "Ansvar", "Anslag", "Vertyp", "Vernr", "Datum"):
        blanks = extract.scalar(f"SELECT COUNT(*) FROM ledger WHERE COALESCE(TRIM({column}), '') = ''")
        assert blanks == 0, column
    assert extract.scalar("SELECT COUNT(*) FROM ledger WHERE LENGTH(Motpart) <> 4") == 0
    assert extract.scalar("SELECT COUNT(*) FROM ledger WHERE Anslag NOT IN ('D', 'I')") == 0


def test_month_end_accruals_are_zero_at_t2_and_bokslut(extract):
    for konto in ("1710", "2950"):
        cumulative = extract.q(
            "SELECT pp, SUM(SUM(Belopp)) OVER (ORDER BY pp) FROM p WHERE yr = ? AND Konto = ? "
            "GROUP BY pp ORDER BY pp",
            extract.year,
            konto,
        )
        by_period = dict(cumulative)
        assert by_period.get(8, 0) == 0 and by_period.get(12, 0) == 0
        assert extract.scalar("SELECT SUM(Belopp) FROM p WHERE yr = ? AND Konto = ?", extract.year, konto) == 0
        assert any(v != 0 for v in by_period.values()), f"{konto} should carry accruals in some month"
        assert 8 not in by_period or by_period[8] == 0


def test_ib_only_in_period_00_on_balance_accounts(extract):
    assert extract.scalar("SELECT COUNT(*) FROM p WHERE pp = 0 AND LEFT(Konto, 1) NOT IN ('1', '2')") == 0
    assert extract.scalar("SELECT COUNT(*) FROM p WHERE pp = 0 AND Vertyp <> 'IB'") == 0
    assert extract.scalar("SELECT COUNT(*) FROM p WHERE pp = 13 AND Vertyp <> 'BO'") == 0


def test_clearing_identity_stadskassan(extract):
    """Stadskassans konto Summa = change of 2021 - Årets resultat (X22-X25, KK09)."""
    treasury = extract.scalar("SELECT SUM(Belopp) FROM treasury")
    clearing = extract.account_sum("Konto BETWEEN '9040' AND '9059'")
    change_2021 = extract.account_sum("Konto = '2021'")
    assert treasury + clearing == change_2021 - extract.arets_resultat()
    assert extract.account_sum("Konto >= '3000'") == -treasury
    assert extract.account_sum("Konto = '9052'") == -extract.account_sum("Konto = '5611'")
    assert extract.account_sum("Konto = '9041'") == -extract.account_sum("Konto = '8526'")
    lisa = extract.account_sum("Vertyp = 'LI' AND Konto <> '9055'")
    assert extract.account_sum("Konto = '9055'") == -lisa


def test_voucher_types_by_nature(extract):
    payroll = extract.q(
        "SELECT DISTINCT Vertyp FROM p WHERE (Konto LIKE '502%' OR Konto LIKE '51%') AND pp BETWEEN 1 AND 12"
    )
    assert {"LI"} <= {t for (t,) in payroll}
    found = {t for (t,) in extract.q("SELECT DISTINCT Vertyp FROM ledger")}
    assert {"IB", "LF", "KF", "LI", "BO", "HC", "UU", "MA"} <= found


def test_postings_cover_all_twelve_months(extract):
    months = extract.scalar(
        "SELECT COUNT(DISTINCT pp) FROM p WHERE yr = ? AND pp BETWEEN 1 AND 12", extract.year
    )
    assert months == 12
    # the big accounts are posted every month, many times
    busy = extract.q(
        "SELECT Konto, COUNT(DISTINCT pp), COUNT(*) FROM p WHERE yr = ? AND Konto IN ('5021', '4631', '2512') "
        "AND pp BETWEEN 1 AND 12 GROUP BY 1",
        extract.year,
    )
    assert all(m == 12 and n > 500 for _, m, n in busy) and len(busy) >= 2
    negative = extract.scalar("SELECT COUNT(*) FROM p WHERE yr = ? AND Konto LIKE '6%' AND Belopp < 0", extract.year)
    assert negative > 0  # credit notes and corrections exist
