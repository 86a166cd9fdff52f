"""The rules printed on the city's templates, checked on a filled workbook and reported in Swedish.

Each rule is a pure function ``(filled, wb, params) -> list[RuleResult]`` over what was filled
(``fill.FilledWorkbook``: raw values per named column and cell, the manual inputs, the ledger
reports) and, where a formula matters, the workbook itself (``xlsxops.evaluate``). Nothing is
sent or written here; the result list becomes the sheet "Kontroller blankett" and a TSV next to
the workbook. Thresholds come from the mapping's ``rules:`` section (defaults below).

| id   | rule (source) | status when broken |
|------|---------------|--------------------|
| BL01 | Verksamhetsprojekt: avvikelse mot budget kommenteras (orsak, vidtagen åtgärd) | varning |
| BL02 | Verksamhetsprojekt: avvikelse mot totalt beslutad kostnad/intäkt kommenteras | varning |
| BL03 | Verksamhetsprojekt: prognosdatum som avviker från beslutade datum förklaras | varning |
| BL04 | Summaraden omfattar alla rader i tabellen (även infogade) | fel |
| BL05 | Resultatenheter: årets resultatöverföring högst 5 % av bruttobudget | fel |
| BL06 | Resultatenheter: ackumulerad resultatfond högst +10 % och lägst −5 % av bruttobudget | fel |
| BL07 | Resultatenheter: JA eller NEJ om eget handlande | fel |
| BL08 | Invent o maskin: S:a avvik = VP − utfall (prognos vid T1/T2); avvikelse kommenteras | fel / varning |
| BL09 | Externa projekt: belopp att balansera mellan 0 och återstående belopp, med nämndbeslut | fel / varning |
| BL10 | Bladen stämmer mot varandra (Budgetavräkning, RR, Anl.- o rör.kap, Invent o maskin) | fel |
| BL11 | Uppgifter som inte levererats (HR-nyckeltal, budgetversioner, manuella uppgifter) | ej levererad |
| BL12 | Kontokontroller (blockerande fel och varningar) | fel / varning |
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bokslut.reports.model import Column, Report, ReportRow
from bokslut.templates.measures import NotDelivered, Ore
from bokslut.templates.xlsxops import FormulaError, cell_value, evaluate

STATUS_ORDER = ("fel", "varning", "ej levererad", "info", "ok")
DEFAULTS = {
    "avvikelse_grans_mnkr": 0.05,  # a deviation visible at one decimal (mnkr) must be commented
    "resultatoverforing_max": 0.05,
    "resultatfond_max": 0.10,
    "resultatfond_min": -0.05,
    "summa_tolerans": 0.0005,  # in the sheet's unit, for float rounding only
}


@dataclass(frozen=True)
class RuleResult:
    rule_id: str
    sheet: str
    where: str  # cell or row, e.g. "rad 12" or "D8"
    status: str  # ok | fel | varning | ej levererad | info
    message: str  # Swedish
    manual_key: str | None = None  # the manual input the rule asks for or acknowledges (input workbook marks it)

    @property
    def failed(self) -> bool:
        return self.status in ("fel", "varning", "ej levererad")


def _mnkr(ore: int | None) -> str:
    return "–" if ore is None else _sv(ore / 100_000_000, 1) + " mnkr"


def _tkr(ore: int | None) -> str:
    return "–" if ore is None else _sv(ore / 100_000, 1) + " tkr"


def _sv(number: float, decimals: int) -> str:
    return f"{number:,.{decimals}f}".replace(",", "\u00a0").replace(".", ",")


def _pct(share: float) -> str:
    return _sv(share * 100, 1) + " %"


def _amount(value: object) -> int | None:
    return int(value) if isinstance(value, Ore) else None


def _params(filled) -> dict:  # noqa: ANN001
    return {**DEFAULTS, **(filled.mapping.rules or {})}


# ------------------------------------------------------------------------------ projects


def _project_rows(filled):  # noqa: ANN001
    table = filled.table("verksamhetsprojekt")
    return (table.sheet, table.rows) if table else (None, [])


def rule_budget_deviation(filled, wb, p: dict) -> list[RuleResult]:  # noqa: ANN001
    """BL01: utfall (VB) or prognos (T1/T2) against this year's budget, kostnad and intäkt."""
    sheet, rows = _project_rows(filled)
    out = []
    limit = round(p["avvikelse_grans_mnkr"] * 100_000_000)
    compare = "prognos" if filled.point.is_tertial else "utfall"
    for row in rows:
        comment = filled.manual.get(f"verksamhetsprojekt.{row.code}.kommentar")
        for klass, label in (("kostnad", "kostnad"), ("intakt", "intäkt")):
            budget, actual = _amount(row.values.get(f"budget_{klass}")), _amount(row.values.get(f"{compare}_{klass}"))
            if budget is None or actual is None:
                missing = "budget" if budget is None else compare
                out.append(RuleResult("BL01", sheet, f"rad {row.row}", "ej levererad",
                                      f"Projekt {row.code} {row.label}: {missing} {label} saknas, avvikelsen kan inte bedömas."))
                continue
            deviation = budget - actual
            if abs(deviation) < limit:
                continue
            text = (f"Projekt {row.code} {row.label}: {compare} {label} {_mnkr(actual)} avviker från budget "
                    f"{_mnkr(budget)} med {_mnkr(deviation)}")
            if comment:
                out.append(RuleResult("BL01", sheet, f"rad {row.row}", "ok", f"{text}; kommenterat: {comment}",
                                      f"verksamhetsprojekt.{row.code}.kommentar"))
            else:
                out.append(RuleResult("BL01", sheet, f"rad {row.row}", "varning",
                                      f"{text}, men kommentar med orsak och vidtagen åtgärd saknas "
                                      f"({filled.manual.where(f'verksamhetsprojekt.{row.code}.kommentar')}).",
                                      f"verksamhetsprojekt.{row.code}.kommentar"))
    return out


def rule_decided_deviation(filled, wb, p: dict) -> list[RuleResult]:  # noqa: ANN001
    """BL02: forecast for the whole project against the decided total (kostnad and intäkt)."""
    sheet, rows = _project_rows(filled)
    out = []
    limit = round(p["avvikelse_grans_mnkr"] * 100_000_000)
    for row in rows:
        comment = filled.manual.get(f"verksamhetsprojekt.{row.code}.kommentar")
        for klass, label in (("kostnad", "kostnad"), ("intakt", "intäkt")):
            decided, forecast = _amount(row.values.get(f"beslutat_{klass}")), _amount(row.values.get(f"prognos_total_{klass}"))
            if decided is None or forecast is None or abs(decided - forecast) < limit:
                continue
            text = (f"Projekt {row.code} {row.label}: prognos total {label} {_mnkr(forecast)} avviker från beslutat "
                    f"{_mnkr(decided)}")
            if comment:
                out.append(RuleResult("BL02", sheet, f"rad {row.row}", "ok", f"{text}; kommenterat: {comment}",
                                      f"verksamhetsprojekt.{row.code}.kommentar"))
            else:
                out.append(RuleResult("BL02", sheet, f"rad {row.row}", "varning",
                                      f"{text}, men kommentar saknas ({filled.manual.where(f'verksamhetsprojekt.{row.code}.kommentar')}).",
                                      f"verksamhetsprojekt.{row.code}.kommentar"))
    return out


def rule_dates(filled, wb, p: dict) -> list[RuleResult]:  # noqa: ANN001
    """BL03: forecast start/end dates deviating from the decided ones need an explanation."""
    sheet, rows = _project_rows(filled)
    out = []
    for row in rows:
        explanation = (filled.manual.get(f"verksamhetsprojekt.{row.code}.datumkommentar")
                       or filled.manual.get(f"verksamhetsprojekt.{row.code}.kommentar"))
        for kind, label in (("start", "startdatum"), ("slut", "slutdatum")):
            decided, forecast = row.values.get(f"beslutat_{kind}"), row.values.get(f"prognos_{kind}")
            if decided is None or forecast is None or decided == forecast:
                continue
            text = f"Projekt {row.code} {row.label}: prognos {label} {forecast} avviker från beslutat {decided}"
            if explanation:
                out.append(RuleResult("BL03", sheet, f"rad {row.row}", "ok", f"{text}; förklarat: {explanation}",
                                      f"verksamhetsprojekt.{row.code}.datumkommentar"))
            else:
                out.append(RuleResult("BL03", sheet, f"rad {row.row}", "varning",
                                      f"{text}, men förklaring saknas ({filled.manual.where(f'verksamhetsprojekt.{row.code}.datumkommentar')}).",
                                      f"verksamhetsprojekt.{row.code}.datumkommentar"))
    return out


# ------------------------------------------------------------------------------ sum rows


def rule_sum_rows(filled, wb, p: dict) -> list[RuleResult]:  # noqa: ANN001
    """BL04: each SUM on a table's sum row equals the sum of the table's rows, recomputed."""
    out = []
    for table in filled.tables:
        if not table.sum_row:
            continue
        ws = wb[table.sheet]
        last = table.first_row + max(len(table.rows), table.template_rows) - 1
        for cell in ws[table.sum_row]:
            if not (isinstance(cell.value, str) and cell.value.upper().startswith("=SUM(")):
                continue
            letter = cell.column_letter
            expected = 0.0
            for r in range(table.first_row, last + 1):
                try:
                    value = cell_value(wb, ws, f"{letter}{r}")
                except FormulaError:
                    value = None
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    expected += value
            try:
                shown = evaluate(wb, ws, cell.value)
            except FormulaError as exc:
                out.append(RuleResult("BL04", table.sheet, cell.coordinate, "fel", f"Summaformeln {cell.value} kan inte beräknas: {exc}."))
                continue
            if abs(float(shown) - expected) > p["summa_tolerans"]:
                out.append(RuleResult("BL04", table.sheet, cell.coordinate, "fel",
                                      f"Summaraden räknar {_sv(float(shown), 1)} men raderna {table.first_row}–{last} summerar till "
                                      f"{_sv(expected, 1)}: formeln {cell.value} omfattar inte alla rader."))
        if not any(r.rule_id == "BL04" and r.sheet == table.sheet and r.status == "fel" for r in out):
            out.append(RuleResult("BL04", table.sheet, f"rad {table.sum_row}", "ok",
                                  f"Summaraden omfattar raderna {table.first_row}–{last}"
                                  + (f" ({table.inserted} rad(er) infogade)" if table.inserted else "") + "."))
    return out


# ------------------------------------------------------------------------ resultatenheter


def _unit_figures(row):  # noqa: ANN001
    gross = _amount(row.values.get("bruttobudget"))
    result = _amount(row.values.get("resultat_exkl"))
    if result is None:
        result = _amount(row.values.get("resultat"))
    return gross, result


def rule_transfer_limit(filled, wb, p: dict) -> list[RuleResult]:  # noqa: ANN001
    """BL05: this year's transfer (the result with reversed sign, when the unit caused it) at most
    5 % of the unit's gross budget."""
    table = filled.table("resultatenheter")
    out = []
    for row in table.rows if table else []:
        if str(row.values.get("eget_handlande") or "").upper() != "JA":
            continue
        gross, result = _unit_figures(row)
        if result is None:
            continue
        if not gross:
            out.append(RuleResult("BL05", table.sheet, f"rad {row.row}", "fel",
                                  f"{row.label}: resultatöverföring {_tkr(-result)} men bruttobudget saknas."))
            continue
        share = -result / gross
        if abs(share) > p["resultatoverforing_max"] + 1e-12:
            out.append(RuleResult("BL05", table.sheet, f"rad {row.row}", "fel",
                                  f"{row.label}: årets resultatöverföring {_tkr(-result)} är {_pct(share)} av bruttobudgeten "
                                  f"{_tkr(gross)}; högst {_pct(p['resultatoverforing_max'])} får föras över."))
        else:
            out.append(RuleResult("BL05", table.sheet, f"rad {row.row}", "ok",
                                  f"{row.label}: årets resultatöverföring {_pct(share)} av bruttobudgeten."))
    return out


def rule_fund_limits(filled, wb, p: dict) -> list[RuleResult]:  # noqa: ANN001
    """BL06: the accumulated resultatfond within +10 % / −5 % of the gross budget."""
    table = filled.table("resultatenheter")
    out = []
    for row in table.rows if table else []:
        accumulated = _amount(row.values.get("ack_overforing"))
        gross, _ = _unit_figures(row)
        if accumulated is None or accumulated == 0:
            continue
        if not gross:
            out.append(RuleResult("BL06", table.sheet, f"rad {row.row}", "fel",
                                  f"{row.label}: ackumulerad resultatöverföring {_tkr(accumulated)} men bruttobudget saknas."))
            continue
        share = accumulated / gross
        if share > p["resultatfond_max"] + 1e-12 or share < p["resultatfond_min"] - 1e-12:
            out.append(RuleResult("BL06", table.sheet, f"rad {row.row}", "fel",
                                  f"{row.label}: ackumulerad resultatfond {_tkr(accumulated)} är {_pct(share)} av bruttobudgeten; "
                                  f"tillåtet är högst {_pct(p['resultatfond_max'])} överskott och högst "
                                  f"{_pct(-p['resultatfond_min'])} underskott."))
        else:
            out.append(RuleResult("BL06", table.sheet, f"rad {row.row}", "ok", f"{row.label}: resultatfond {_pct(share)}."))
    return out


def rule_own_action(filled, wb, p: dict) -> list[RuleResult]:  # noqa: ANN001
    """BL07: JA or NEJ for every resultatenhet."""
    table = filled.table("resultatenheter")
    out = []
    for row in table.rows if table else []:
        answer = str(row.values.get("eget_handlande") or "").strip().upper()
        if answer not in ("JA", "NEJ"):
            given = f"'{row.values.get('eget_handlande')}'" if row.values.get("eget_handlande") else "inget svar"
            out.append(RuleResult("BL07", table.sheet, f"rad {row.row}", "fel",
                                  f"{row.label}: har resultatet uppkommit av enhetens eget handlande? {given}; ange JA eller NEJ "
                                  f"({filled.manual.where(f'resultatenheter.{row.code}.eget_handlande')}).",
                                  f"resultatenheter.{row.code}.eget_handlande"))
    return out


# ------------------------------------------------------------------------ Invent o maskin


def rule_investment_deviation(filled, wb, p: dict) -> list[RuleResult]:  # noqa: ANN001
    """BL08: the deviation cell equals VP − utfall (VB) or VP − prognos (T1/T2), and a deviation
    is commented (R12: "ska analyseras och kommenteras")."""
    vp, actual, deviation = filled.cell("vp"), filled.cell("prognos" if filled.point.is_tertial else "utfall"), filled.cell("avvikelse")
    if vp is None or actual is None or deviation is None:
        return []
    vp_ore, actual_ore = _amount(vp.value), _amount(actual.value)
    if vp_ore is None or actual_ore is None:
        return [RuleResult("BL08", vp.sheet, deviation.coordinate, "ej levererad",
                           "Invent o maskin: VP eller utfall saknas, avvikelsen kan inte kontrolleras.")]
    ws = wb[deviation.sheet]
    expected = (vp_ore - actual_ore) / 100_000_000
    try:
        shown = cell_value(wb, ws, deviation.coordinate)
        shown = float(shown) if shown is not None else None
    except (FormulaError, TypeError, ValueError) as exc:
        return [RuleResult("BL08", deviation.sheet, deviation.coordinate, "fel", f"Invent o maskin: S:a avvik kan inte beräknas: {exc}.")]
    out = []
    if shown is None or abs(shown - expected) > 0.05:
        out.append(RuleResult("BL08", deviation.sheet, deviation.coordinate, "fel",
                              f"Invent o maskin: S:a avvik visar {_sv(shown or 0, 1)} mnkr men VP − "
                              f"{'prognos' if filled.point.is_tertial else 'utfall'} är {_sv(expected, 1)} mnkr."))
    else:
        out.append(RuleResult("BL08", deviation.sheet, deviation.coordinate, "ok",
                              f"Invent o maskin: S:a avvik {_sv(expected, 1)} mnkr = VP − {'prognos' if filled.point.is_tertial else 'utfall'}."))
    if abs(vp_ore - actual_ore) >= round(p["avvikelse_grans_mnkr"] * 100_000_000) and not filled.manual.get("invent_o_maskin.kommentar"):
        out.append(RuleResult("BL08", deviation.sheet, deviation.coordinate, "varning",
                              f"Invent o maskin: avvikelsen {_sv(expected, 1)} mnkr ska analyseras och kommenteras "
                              f"({filled.manual.where('invent_o_maskin.kommentar')}).", "invent_o_maskin.kommentar"))
    return out


# ------------------------------------------------------------------------ Externa projekt


def rule_carry_forward(filled, wb, p: dict) -> list[RuleResult]:  # noqa: ANN001
    """BL09: 0 <= belopp att balansera <= belopp som återstår, with the nämnd's decision named."""
    out = []
    for table in filled.tables:
        if table.source != "externa_projekt":
            continue
        for row in table.rows:
            carry = _amount(row.values.get("belopp_att_balansera"))
            decision = filled.manual.get(f"externa_projekt.{row.code}.beslut")
            parts = [_amount(row.values.get(k)) for k in ("ib", "extern_finansiering", "bokford_kostnad")]
            remaining = None if None in parts else parts[0] + parts[1] - parts[2]
            if carry is None:
                if not filled.point.is_tertial:
                    out.append(RuleResult("BL09", table.sheet, f"rad {row.row}", "varning",
                                          f"{row.label}: belopp att balansera saknas; nämnden ska besluta om belopp som ska "
                                          f"ombudgeteras ({filled.manual.where(f'externa_projekt.{row.code}.belopp_att_balansera')}).",
                                          f"externa_projekt.{row.code}.belopp_att_balansera"))
                continue
            if carry < 0 or (remaining is not None and carry > max(remaining, 0)):
                out.append(RuleResult("BL09", table.sheet, f"rad {row.row}", "fel",
                                      f"{row.label}: belopp att balansera {_tkr(carry)} ska ligga mellan 0 och belopp som "
                                      f"återstår {_tkr(remaining)}."))
            elif not decision:
                out.append(RuleResult("BL09", table.sheet, f"rad {row.row}", "fel",
                                      f"{row.label}: belopp att balansera {_tkr(carry)} utan nämndbeslut "
                                      f"({filled.manual.where(f'externa_projekt.{row.code}.beslut')}).",
                                      f"externa_projekt.{row.code}.beslut"))
            else:
                out.append(RuleResult("BL09", table.sheet, f"rad {row.row}", "ok",
                                      f"{row.label}: {_tkr(carry)} balanseras enligt {decision}.",
                                      f"externa_projekt.{row.code}.beslut"))
    return out


# ----------------------------------------------------------------------- cross-sheet


def _report_value(filled, key: str, column: str, **criteria) -> int | None:  # noqa: ANN001
    report = filled.reports.get(key)
    if report is None:
        return None
    try:
        value = report.find(**criteria).values.get(column)
    except KeyError:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def rule_cross_sheet(filled, wb, p: dict) -> list[RuleResult]:  # noqa: ANN001
    """BL10: the sheets agree (domain.md §6, cross_report_identities)."""
    pairs = [
        ("Budgetavräkning Summa drift (utfall) = Resultaträkning Årets resultat",
         _report_value(filled, "budgetavrakning", "utfall", row="Summa drift"), _rr_result(filled)),
        ("Anläggnings- och rörelsekapital Drift Summa = Budgetavräkning Summa drift",
         _report_value(filled, "anl_rorelsekapital", "belopp", section="Drift", row="Summa"),
         _report_value(filled, "budgetavrakning", "utfall", row="Summa drift")),
        ("Anläggningsinformation Periodens förändring (anskaffning) = Budgetavräkning Investering Utgifter",
         _report_value(filled, "anlaggning", "c12_maskiner_och_inventarier", row="Periodens förändring (anskaffning)"),
         _report_value(filled, "budgetavrakning", "utfall", row="Utgifter")),
    ]
    invent = filled.cell("utfall")
    if invent is not None and isinstance(invent.value, Ore) and not filled.point.is_tertial:
        pairs.append(("Invent o maskin Utfall utgift = Budgetavräkning Investering Utgifter",
                      int(invent.value), _report_value(filled, "budgetavrakning", "utfall", row="Utgifter")))
    out = []
    for text, left, right in pairs:
        if left is None or right is None:
            continue
        if left != right:
            out.append(RuleResult("BL10", "", "", "fel", f"{text}: {_kr(left)} ≠ {_kr(right)} (differens {_kr(left - right)})."))
        else:
            out.append(RuleResult("BL10", "", "", "ok", f"{text}: {_kr(left)}."))
    return out


def _rr_result(filled) -> int | None:  # noqa: ANN001
    report = filled.reports.get("resultatrakning")
    if report is None:
        return None
    hits = [r for r in report.rows if r.kind == "total" and r.values.get("name") == "Årets resultat"]
    return hits[0].values.get("totalt") if len(hits) == 1 else None


def _kr(ore: int) -> str:
    from bokslut.money import format_swedish

    return f"{format_swedish(ore)} kr"


# ------------------------------------------------------------------- delivery status


def rule_not_delivered(filled, wb, p: dict) -> list[RuleResult]:  # noqa: ANN001
    """BL11: every cell left empty because its data was not delivered, grouped by reason."""
    out, seen = [], {}
    for missing in filled.missing:
        key = (missing.sheet, missing.reason)
        seen.setdefault(key, []).append(missing.where)
    for (sheet, reason), cells in seen.items():
        where = ", ".join(cells[:6]) + (f" (+{len(cells) - 6})" if len(cells) > 6 else "")
        out.append(RuleResult("BL11", sheet, where, "ej levererad", f"{reason}; cellerna lämnas tomma."))
    if filled.manual.path is None:
        out.append(RuleResult("BL11", "", "", "ej levererad",
                              "Ingen fil med manuella uppgifter: kommentarer, JA/NEJ, innovationer och nyckeltal 66/126 är tomma."))
    else:
        out.append(RuleResult("BL11", "", "", "info", f"Manuella uppgifter: {filled.manual.described}."))
    return out


def rule_account_controls(filled, wb, p: dict) -> list[RuleResult]:  # noqa: ANN001
    """BL12: the Kontokontroller run of the period behind the Kontokontroller sheet."""
    run = filled.control_run
    if run is None:
        return []
    out = [RuleResult("BL12", "Kontokontroller", r.control_id, r.status,
                      f"{r.control_id} {r.name}: differens {_kr(r.difference_ore) if r.difference_ore is not None else 'okänd'}. {r.where_to_look}")
           for r in run.results if r.failed]
    # a line whose input was not delivered is not a pass: said as such, naming the input
    out += [RuleResult("BL12", "Kontokontroller", r.control_id, "ej levererad", f"{r.control_id} {r.name}: {r.status_text}.")
            for r in run.results if r.not_checkable]
    if not out:
        out.append(RuleResult("BL12", "Kontokontroller", "", "ok", "Alla Kontokontroller stämmer."))
    return out


RULES: tuple[Callable[..., list[RuleResult]], ...] = (
    rule_budget_deviation, rule_decided_deviation, rule_dates, rule_sum_rows, rule_transfer_limit, rule_fund_limits,
    rule_own_action, rule_investment_deviation, rule_carry_forward, rule_cross_sheet, rule_not_delivered,
    rule_account_controls,
)


def check_rules(filled, wb) -> list[RuleResult]:  # noqa: ANN001
    params = _params(filled)
    results = [r for rule in RULES for r in rule(filled, wb, params)]
    return sorted(results, key=lambda r: (STATUS_ORDER.index(r.status), r.rule_id))


COLUMNS = [
    Column("kontroll", "Kontroll", "text"),
    Column("status", "Status", "text"),
    Column("blad", "Blad", "text"),
    Column("var", "Cell/rad", "text"),
    Column("meddelande", "Meddelande", "text"),
]


def rules_report(results: list[RuleResult], filled) -> Report:  # noqa: ANN001
    """The rule results as a Report (sheet "Kontroller blankett" and TSV)."""
    report = Report("kontroller_blankett", "Kontroller blankett", filled.forvaltning, filled.year * 100 + 1, filled.period, COLUMNS)
    for r in results:
        report.rows.append(ReportRow("line", {"kontroll": r.rule_id, "status": r.status.upper(), "blad": r.sheet,
                                              "var": r.where, "meddelande": r.message}))
    counts = {s: sum(1 for r in results if r.status == s) for s in STATUS_ORDER}
    report.notes.append("Sammanfattning: " + ", ".join(f"{n} {s}" for s, n in counts.items() if n) + ".")
    report.notes.append("Regler: BL01–BL03 Verksamhetsprojekt, BL04 summarader, BL05–BL07 Resultatenheter, BL08 Invent o maskin, "
                        "BL09 Externa projekt, BL10 bladen mot varandra, BL11 ej levererat, BL12 Kontokontroller.")
    return report


def summary(results: list[RuleResult]) -> dict[str, int]:
    return {s: sum(1 for r in results if r.status == s) for s in STATUS_ORDER}


__all__ = ["RuleResult", "RULES", "check_rules", "rules_report", "summary", "NotDelivered"]
