"""A hand-built control run: what the controls would hand to the alerts."""

from __future__ import annotations

from bokslut.controls.model import ControlResult, ControlRun, OffendingPosting, OffendingVoucher

RECIPIENTS = ("ekonomi@example.se", "controller@example.se")
SENDER = "bokslut@example.se"
REPORT = "/opt/airflow/out/191/202413/valideringsrapport_191_202413.html"


def posting(konto: str, motpart: str, vernr: str, amount_ore: int, **codes) -> OffendingPosting:
    values = {"period": 202413, "konto": konto, "ansvar": "1100", "verksamhet": "310", "projekt": "",
              "motpart": motpart, "anslag": "D", "vertyp": "HC", "vernr": vernr, "amount_ore": amount_ore}
    return OffendingPosting(**{**values, **codes})


def voucher(*postings: OffendingPosting, contribution_ore: int | None = None,
            posting_count: int | None = None) -> OffendingVoucher:
    """A voucher of ``postings`` (all of the same period, vertyp and vernr)."""
    first = postings[0]
    net = sum(p.amount_ore for p in postings)
    return OffendingVoucher(first.period, first.vertyp, first.vernr, net, abs(net) if contribution_ore is None
                            else contribution_ore, posting_count or len(postings), tuple(postings))


def result(control_id: str, name: str, status: str, difference_ore: int | None, **fields) -> ControlResult:
    values = {"control_id": control_id, "group": control_id.split(".")[0], "name": name, "rule": "",
              "accounts": "", "forvaltning": "191", "period": 202413, "value_ore": difference_ore,
              "expected_ore": 0, "difference_ore": difference_ore,
              "severity": "warning" if status in ("varning", "info") else "blocking", "status": status,
              "where_to_look": ""}
    return ControlResult(**{**values, **fields})


def make_run(kk02_difference_ore: int = -123456789) -> ControlRun:
    """Two blocking failures with offending postings, one warning, one ok and one info line."""
    kk02 = result(
        "KK02.3", "Kontroll Motpart 9* / Summa 2991", "fel", kk02_difference_ore,
        rule="Summa motpart 9* på konto 2991 = 0", accounts="2991",
        where_to_look="Konteringar på 2991 med motpart 9*; rätta motparten i Agresso.",
        # the largest contribution first, as the runner ranks them; 13 vouchers, 10 listed
        offending_vouchers=(voucher(posting("2991", "9120", "3999", kk02_difference_ore, projekt="P77"),
                                    posting("2991", "9120", "3999", 1000, projekt="P77")),)
        + tuple(voucher(posting("2991", "9110", f"4000{i:02d}", -1000 * i)) for i in range(12, 3, -1)),
        offending_voucher_count=13,
    )
    kk10 = result(
        "KK10.1", "Kontroll blanka koddelar / Bokfört utan motpart", "fel", 5_000_000,
        where_to_look="Konteringar med tom motpart.",
        offending_vouchers=(voucher(posting("4010", "", "500123", 5_000_000, ansvar="2200", verksamhet="420")),),
        offending_voucher_count=1, offending_ranking="abs",
    )
    warning = result("KK12.1", "Interna konton / 1542 med extern motpart", "varning", -12_341_700,
                     where_to_look="Konto 1542 med motpart utanför staden.")
    ok = result("KK01.1", "Kontroll konto 49xx / 4901", "ok", 0)
    info = result("KK05.2", "Kontroll konto 90xx–98xx / Interna utbetalningar", "info", None,
                  expected_ore=None, value_ore=777_777, where_to_look="Visas utan krav.")
    return ControlRun(run_id=17, forvaltning="191", period=202413, results=[ok, kk02, kk10, warning, info])
