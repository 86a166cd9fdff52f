#!/usr/bin/env python
"""Build the city's templates and their mappings: include/templates/{t1,t2,vb}.xlsx, vb-2020.xlsx and their YAML.

    .venv/bin/python scripts/build_templates.py [--out include/templates]

This script is the source of the templates it writes: t1, t2, vb and vb-2020 (.xlsx + .yaml) and
tertial.yaml, the cell mapping T1 and T2 share (t1.yaml/t2.yaml extend it with their workbook, point
and template year; a top-level key the two points map differently would go to their own files).
Change a layout or a mapping here, rerun the script and commit what it writes;
tests/templates/test_build_templates.py fails when the committed files are not what it writes
(every part of each xlsx but its creation time, each YAML byte for byte).

The layouts follow the city's 2024 report package (Verksamhetsprojekt,
Resultatenheter, Invent o maskin, Ej aktiverbara utgifter-inkomst, Innovationssatsningar,
Nyckeltal; Externa projekt from the 2020 package), with the typos listed in
tests/reference/*/inconsistencies.tsv corrected. T1 and T2 have no printed original; they
follow the same layouts with year-to-date and forecast columns and a Prognos sheet.

Filling never runs this script: the committed xlsx and YAML files are the inputs. When the city
sends a workbook of its own for next year (docs/templates.md), that workbook and its hand-edited
YAML are committed as they are, and the layout it replaces is written here under its year's name
(vb -> vb-2024) so the script no longer writes over the city's file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))

from bokslut.templates.placeholders import expand  # noqa: E402

TEMPLATE_YEAR = 2024
MNKR, TKR_INT, PCT, PCT2, RATIO, COUNT, DATE, YEAR_MONTH = "#,##0.0", "#,##0", "0.0%", "0.00%", "0.00", "#,##0", "yyyy-mm-dd", "yyyy-mm"
FONT = "Arial"
THIN = Side(style="thin", color="000000")
HAIR = Side(style="hair", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
GRID = Border(left=HAIR, right=HAIR, top=HAIR, bottom=HAIR)
YELLOW = PatternFill("solid", fgColor="FFFF99")
GREY = PatternFill("solid", fgColor="E7E6E6")
HEAD = PatternFill("solid", fgColor="DDEBF7")
FINANCE_CONTACT = ("Vid frågor kontakta budgetenheten, vid finansavdelningen, stadsledningskontoret.",
                   "E-post: slk-finansavdelningen.slk@stockholm.se")
MONTHS = {"T1": "april", "T2": "augusti", "VB": "december"}


def sample_values(point: str, year: int = TEMPLATE_YEAR) -> dict[str, object]:
    """The placeholder values of the ``year`` template for förvaltning 191 (what the xlsx shows)."""
    pp = {"T1": 4, "T2": 8, "VB": 13}[point]
    return {"ar": year, "period": year * 100 + pp, "period_fran": year * 100 + 1, "punkt": point,
            "rapport": {"T1": "tertialrapport 1", "T2": "tertialrapport 2", "VB": "verksamhetsberättelse och bokslut"}[point],
            "manader": f"januari–{MONTHS[point]}", "manad": MONTHS[point], "namnd": "Arbetsmarknadsnämnden",
            "forvaltning": "191", "forvaltningsnamn": "Arbetsmarknadsförvaltningen"}


class SheetBuilder:
    """Writes one sheet and records its part of the mapping."""

    def __init__(self, book: BookBuilder, title: str):
        self.book, self.title = book, title
        self.ws = book.wb.create_sheet(title)
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True
        self.ws.page_setup.paperSize = self.ws.PAPERSIZE_A4
        self.ws.page_setup.orientation = "landscape"
        self.ws.page_setup.fitToWidth = 1
        self.ws.page_setup.fitToHeight = 0
        self.ws.oddFooter.left.text = "&D  &T &A"
        self.ws.oddFooter.right.text = "Sida &P av &N"
        self.ws.sheet_view.showGridLines = False
        self.cells: dict[str, dict] = {}
        self.tables: list[dict] = []
        self.spec: dict = {"sheet": title}

    # ---- writing
    def text(self, coord: str, text: str, *, bold=False, italic=False, size=9, wrap=False, align=None, valign=None,
             fill=None, border=None, merge: str | None = None) -> None:
        """A text; ``{ar}``-style placeholders are recorded in the mapping's ``texts``."""
        shown = expand(text, self.book.values)
        cell = self.ws[coord]
        if shown:
            cell.value = shown
            cell.data_type = "s"
        cell.font = Font(name=FONT, bold=bold, italic=italic, size=size)
        cell.alignment = Alignment(wrap_text=wrap, horizontal=align, vertical=valign or ("top" if wrap else "bottom"))
        if fill:
            cell.fill = fill
        if border:
            cell.border = border
        if merge:
            self.ws.merge_cells(merge)
            for row in self.ws[merge]:
                for c in row:
                    if border:
                        c.border = border
                    if fill:
                        c.fill = fill
        if "{" in text and shown != text:
            self.book.texts.setdefault(self.title, {})[coord] = text

    def number(self, coord: str, fmt: str, value=None, *, fill=None, bold=False, border=GRID) -> None:
        cell = self.ws[coord]
        cell.value = value
        cell.number_format = fmt
        cell.font = Font(name=FONT, size=9, bold=bold)
        cell.alignment = Alignment(horizontal="right")
        if fill:
            cell.fill = fill
        if border:
            cell.border = border

    def formula(self, coord: str, formula: str, fmt: str, *, bold=False, border=GRID, fill=None) -> None:
        self.number(coord, fmt, formula, bold=bold, border=border, fill=fill)

    def input_text(self, coord: str, *, wrap=True, fill=None, border=GRID) -> None:
        cell = self.ws[coord]
        cell.font = Font(name=FONT, size=9)
        cell.alignment = Alignment(wrap_text=wrap, vertical="top")
        if fill:
            cell.fill = fill
        if border:
            cell.border = border

    def widths(self, **widths: float) -> None:
        for letter, width in widths.items():
            self.ws.column_dimensions[letter].width = width

    def width_range(self, first: str, last: str, width: float) -> None:
        for i in range(ord(first), ord(last) + 1):
            self.ws.column_dimensions[chr(i)].width = width

    # ---- mapping
    def cell(self, coord: str, **spec) -> None:
        self.cells[coord] = spec

    def table(self, **spec) -> None:
        self.tables.append(spec)

    def finish(self) -> dict:
        if self.cells:
            self.spec["cells"] = self.cells
        if self.tables:
            self.spec["tables"] = self.tables
        return self.spec


class BookBuilder:
    def __init__(self, point: str, year: int = TEMPLATE_YEAR, name: str | None = None):
        self.point = point
        self.year = year
        self.name = name or point.lower()  # file name: vb, or vb-2020 for an earlier year's layout
        self.values = sample_values(point, year)
        self.wb = Workbook()
        self.wb.remove(self.wb.active)
        self.wb.properties.creator = "bokslut (scripts/build_templates.py)"
        self.wb.properties.title = f"Stadens blanketter {point} {year}"
        self.texts: dict[str, dict[str, str]] = {}
        self.sheets: list[dict] = []

    @property
    def tertial(self) -> bool:
        return self.point in ("T1", "T2")

    def sheet(self, title: str) -> SheetBuilder:
        return SheetBuilder(self, title)

    def add(self, builder: SheetBuilder) -> None:
        self.sheets.append(builder.finish())

    def report_placeholder(self, title: str, kind: str, report: str | None = None) -> None:
        s = self.sheet(title)
        s.text("A1", title, bold=True, size=12)
        s.text("A3", "Förvaltning {forvaltning}, period {period_fran}–{period}")
        if kind == "kontokontroller":
            s.text("A4", "Fylls automatiskt med Kontokontroller KK01–KK11 för perioden när blanketterna fylls i.", italic=True)
        else:
            s.text("A4", "Fylls automatiskt från huvudboken (publicerade data) när blanketterna fylls i.", italic=True)
        s.widths(A=90)
        spec = {"sheet": title, "kind": kind}
        if report:
            spec["report"] = report
        self.sheets.append(spec)

    def save_workbook(self, out: Path) -> None:
        self.wb.active = 0
        self.wb.save(out / f"{self.name}.xlsx")

    def mapping(self, rules: dict) -> dict:
        """The whole mapping of this workbook, as one file would hold it."""
        return {"template": f"{self.name}.xlsx", "point": self.point, "template_year": self.year,
                "texts": self.texts, "sheets": self.sheets, "rules": rules}

    def save(self, out: Path, rules: dict) -> None:
        self.save_workbook(out)
        header = (f"# Mapping of the {self.point} template ({self.name}.xlsx, the city's {self.year} layout) to warehouse\n"
                  "# measures, master data and the manual-input file. Structure and measures: docs/templates.md and\n"
                  "# plugins/bokslut/templates/mapping.py, measures.py. Generated by scripts/build_templates.py, its\n"
                  "# source: change the script and rerun it (tests/templates/test_build_templates.py compares).\n")
        write_mapping(out / f"{self.name}.yaml", header, self.mapping(rules))


HEAD_KEYS = ("extends", "template", "point", "template_year")


def write_mapping(path: Path, header: str, mapping: dict) -> None:
    """A mapping file: header, the head keys, then texts, sheets and rules as readable blocks."""
    head = {k: mapping[k] for k in HEAD_KEYS if k in mapping}
    parts = [yaml.safe_dump(head, allow_unicode=True, sort_keys=False)] if head else []
    if "texts" in mapping:
        parts += ["# Texts that follow the year; placeholders: docs/templates.md.\n",
                  yaml.dump({"texts": mapping["texts"]}, Dumper=_BlockDumper, allow_unicode=True, sort_keys=False, width=1000,
                            default_flow_style=False)]
    if "sheets" in mapping:
        parts += ["# Sheets, cells and table columns -> measures (templates/measures.py), row fields, manual inputs.\n",
                  yaml.safe_dump({"sheets": mapping["sheets"]}, allow_unicode=True, sort_keys=False, width=140,
                                 default_flow_style=None)]
    if "rules" in mapping:
        parts += ["# Thresholds of the template rules (templates/rules.py).\n",
                  yaml.safe_dump({"rules": mapping["rules"]}, allow_unicode=True, sort_keys=False, default_flow_style=False)]
    unknown = set(mapping) - set(HEAD_KEYS) - {"texts", "sheets", "rules"}
    assert not unknown, f"write_mapping: {sorted(unknown)} have no place in the file"
    path.write_text(header + "".join(parts), encoding="utf-8")


class _BlockDumper(yaml.SafeDumper):
    """Multi-line texts as literal blocks (``|``), readable and diffable."""


def _str(dumper: yaml.SafeDumper, value: str):  # noqa: ANN202
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_BlockDumper.add_representer(str, _str)


def mnkr(**spec) -> dict:
    return {**spec, "unit": "mnkr"}


def tkr(**spec) -> dict:
    return {**spec, "unit": "tkr"}


# =============================================================================== sheets


def nameplate(s: SheetBuilder, title_row: int = 2, contact_col: str | None = None) -> None:
    s.text("A1", "{namnd}", bold=True, size=11)
    s.text(f"A{title_row}", "Uppföljning av budget {ar} - {rapport}", bold=True, size=10)
    if contact_col:
        s.text(f"{contact_col}{title_row}", FINANCE_CONTACT[0], italic=True, size=8)
        s.text(f"{contact_col}{title_row + 1}", FINANCE_CONTACT[1], italic=True, size=8)


def verksamhetsprojekt(book: BookBuilder) -> None:
    s = book.sheet("Verksamhetsprojekt")
    t = book.tertial
    nameplate(s, 2, "K")
    s.text("A4", "Kostnader och intäkter (-) för betydande projekt eller projekt över 50 mnkr som ej är investeringar", bold=True, size=10)
    groups = [("B6:C6", "Ack. t.o.m. {ar-1}"), ("D6:I6" if t else "D6:G6", "{ar}")]
    groups += [("J6:K6", "Avvikelse {ar}")] if t else [("H6:K6", "{ar+1}")]
    groups += [("L6:O6", "Total"), ("P6:Q6", "Beslutat"), ("R6:S6", "Prognos")]
    for rng, label in groups:
        s.text(rng.split(":")[0], label, bold=True, align="center", merge=rng, border=Border(bottom=THIN))
    subs = [("D7:E7", "Budget"), ("F7:G7", "Utfall t.o.m. {manad}" if t else "Utfall"),
            ("H7:I7", "Prognos helår" if t else "Budget"), ("J7:K7", "Budget − prognos" if t else "Prognos"),
            ("L7:M7", "Beslutat"), ("N7:O7", "Prognos")]
    for rng, label in subs:
        s.text(rng.split(":")[0], label, bold=True, align="center", merge=rng)
    s.text("A8", "Mnkr", bold=True)
    heads = ["Kostnad", "Intäkt (-)"] * 5 + ["Total kostnad", "Total intäkt", "Total kostnad", "Total intäkt",
                                             "Start-datum", "Avslutn. datum", "Start-datum", "Avslutn. datum"]
    for i, head in enumerate(heads):
        col = get_column_letter(i + 2)
        s.text(f"{col}8", f"({i + 1})", bold=True, align="center")
        s.text(f"{col}9", head, bold=True, align="center", wrap=True, border=Border(bottom=THIN), fill=HEAD)
    s.ws.row_dimensions[9].height = 26
    s.text("A9", "", border=Border(bottom=THIN), fill=HEAD)
    s.text("A10", "Projekt", bold=True)
    first, count = 11, 5
    for r in range(first, first + count):
        s.input_text(f"A{r}", wrap=False)
        for i in range(14):
            col = get_column_letter(i + 2)
            if t and col in "JK":
                budget, forecast = ("D", "H") if col == "J" else ("E", "I")
                s.formula(f"{col}{r}", f"={budget}{r}-{forecast}{r}", MNKR)
            else:
                s.number(f"{col}{r}", MNKR, 0)
        for col in "PQRS":
            s.number(f"{col}{r}", DATE)
    sum_row = first + count + 1
    s.text(f"A{sum_row}", "Summa", bold=True, border=Border(top=THIN))
    for i in range(14):
        col = get_column_letter(i + 2)
        s.formula(f"{col}{sum_row}", f"=SUM({col}{first}:{col}{first + count - 1})", MNKR, bold=True, border=Border(top=THIN))
    notes = ["Vid behov kan egna delsummeringar för grupper av projekt infogas. OBS att summaformeln kan behöva ändras.",
             "1 och 2 Ackumulerad kostnad resp. intäkt t.o.m. {ar-1} för projektet."]
    if t:
        notes += ["7 och 8 Föreslagen prognos = utfall t.o.m. {manad} uppräknat med förvaltningens säsongsprofil från tidigare år; "
                  "förvaltningens egen prognos anges i filen med manuella uppgifter.",
                  "9 och 10 Avvikelse = budget − prognos för helåret."]
    notes += ["11 och 12 Totalt beslutad/beviljad kostnad resp. intäkt för projektet.",
              "15 och 16 Datum projektet ska starta resp. avslutas enligt beslutet.",
              "17 och 18 Prognos för projektets start- respektive slutdatum. Avvikelser från beslutade (15 resp. 16) datum ska förklaras.",
              "Innehållet i blanketten ska analyseras och kommenteras i tjänsteutlåtandet. Avvikelser gentemot budget eller totalt "
              "beslutad kostnad resp. intäkt ska speciellt kommenteras med angivelse av dess orsak samt vidtagen åtgärd."]
    for i, note in enumerate(notes):
        s.text(f"A{sum_row + 2 + i}", note, size=8)
    s.widths(A=38)
    s.width_range("B", "O", 9.5)
    s.width_range("P", "S", 10.5)
    s.ws.print_title_rows = "6:9"
    s.ws.freeze_panes = "B10"

    pj = "verksamhetsprojekt.{kod}"
    columns = {
        "A": {"field": "etikett"},
        "B": mnkr(name="ack_kostnad", measure="gl.projekt", klass="kostnad", till="{ar-1}14"),
        "C": mnkr(name="ack_intakt", measure="gl.projekt", klass="intakt", till="{ar-1}14"),
        "D": mnkr(name="budget_kostnad", manual=f"{pj}.budget.kostnad", measure="budget.projekt", version="BJ", klass="kostnad"),
        "E": mnkr(name="budget_intakt", manual=f"{pj}.budget.intakt", measure="budget.projekt", version="BJ", klass="intakt"),
        "F": mnkr(name="utfall_kostnad", measure="gl.projekt", klass="kostnad", fran="{ar}01", till="{period}"),
        "G": mnkr(name="utfall_intakt", measure="gl.projekt", klass="intakt", fran="{ar}01", till="{period}"),
    }
    if t:
        columns["H"] = mnkr(name="prognos_kostnad", manual=f"{pj}.prognos_helar.kostnad", measure="prognos.projekt", klass="kostnad")
        columns["I"] = mnkr(name="prognos_intakt", manual=f"{pj}.prognos_helar.intakt", measure="prognos.projekt", klass="intakt")
    else:
        columns["H"] = mnkr(name="budget_nasta_ar_kostnad", manual=f"{pj}.budget_nasta_ar.kostnad", measure="budget.projekt",
                            version="VP", ar="{ar+1}", klass="kostnad")
        columns["I"] = mnkr(name="budget_nasta_ar_intakt", manual=f"{pj}.budget_nasta_ar.intakt", measure="budget.projekt",
                            version="VP", ar="{ar+1}", klass="intakt")
        columns["J"] = mnkr(name="prognos_nasta_ar_kostnad", manual=f"{pj}.prognos_nasta_ar.kostnad")
        columns["K"] = mnkr(name="prognos_nasta_ar_intakt", manual=f"{pj}.prognos_nasta_ar.intakt")
    columns.update({
        "L": mnkr(name="beslutat_kostnad", field="beslutad_kostnad"),
        "M": mnkr(name="beslutat_intakt", field="beslutad_intakt"),
        "N": mnkr(name="prognos_total_kostnad", manual=f"{pj}.prognos_total.kostnad", measure="projekt.prognos_total", klass="kostnad"),
        "O": mnkr(name="prognos_total_intakt", manual=f"{pj}.prognos_total.intakt", measure="projekt.prognos_total", klass="intakt"),
        "P": {"name": "beslutat_start", "field": "beslutad_start"},
        "Q": {"name": "beslutat_slut", "field": "beslutat_slut"},
        "R": {"name": "prognos_start", "manual": f"{pj}.prognos_start"},
        "S": {"name": "prognos_slut", "manual": f"{pj}.prognos_slut"},
    })
    s.table(rows="verksamhetsprojekt", grans_mnkr=50, first_row=first, template_rows=count, sum_row=sum_row, columns=columns)
    book.add(s)


def resultatenheter(book: BookBuilder) -> None:
    s = book.sheet("Resultatenheter")
    s.text("A1", "{namnd}", bold=True, size=11)
    s.text("A2", "Vid frågor kontakta slk-controller för nämnden, vid stadsledningskontoret", italic=True, size=8)
    s.text("A3", "Uppföljning av budget {ar} - {rapport}", bold=True, size=10)
    heads = [
        "Resultatenhetens namn\n\n(Intraprenader anges särskilt)",
        "Resultat-enheternas bruttobudget {ar}\n\ntkr",
        "Varav 5 % av resultat-enheternas bruttobudget {ar}",
        "Resultat-enheternas resultat {ar}\nÖverskott (-)\nUnderskott (+)",
        "Resultat {ar} (exkl. resultatfond)\nÖverskott (-)\nUnderskott (+)",
        "Har resultatet uppkommit av resultatenhetens eget handlande?\nJA / NEJ",
        "Ackumulerad resultatöverföring till {ar+1}\nÖverskott (+)\nUnderskott (-)",
        "Ackumulerad resultatöverföring till {ar+1} % bruttobudget\nMAX 10 %",
        "10 % av resultat-enheternas bruttobudget {ar}",
        "Årets resultat-överföring %\nMAX 5 %",
    ]
    for i, head in enumerate(heads):
        col = get_column_letter(i + 1)
        s.text(f"{col}5", head, bold=True, wrap=True, align="center" if i else "left", fill=HEAD, border=BOX)
        s.text(f"{col}6", str(i + 1), bold=True, align="center", border=BOX)
    s.ws.row_dimensions[5].height = 96
    first, count = 7, 32
    for r in range(first, first + count):
        s.input_text(f"A{r}", wrap=False)
        s.number(f"B{r}", MNKR)
        s.formula(f"C{r}", f"=B{r}*0.05", MNKR)
        s.number(f"D{r}", MNKR)
        s.number(f"E{r}", MNKR)
        s.input_text(f"F{r}", wrap=False)
        s.ws[f"F{r}"].alignment = Alignment(horizontal="center")
        s.number(f"G{r}", MNKR)
        s.formula(f"H{r}", f"=IF(B{r}=0,0,G{r}/B{r})", PCT)
        s.formula(f"I{r}", f"=B{r}*0.1", TKR_INT)
        s.formula(f"J{r}", f'=IF(OR(B{r}=0,F{r}<>"JA"),0,-E{r}/B{r})', PCT)
    validation = DataValidation(type="list", formula1='"JA,NEJ"', allow_blank=True,
                                error="Ange JA eller NEJ", errorTitle="Eget handlande", showErrorMessage=True)
    validation.add(f"F{first}:F{first + count - 1}")
    s.ws.add_data_validation(validation)
    sum_row = first + count + 1
    s.text(f"A{sum_row}", "Summa resultatenheter", bold=True, border=Border(top=THIN))
    for col in "BCDEGI":
        s.formula(f"{col}{sum_row}", f"=SUM({col}{first}:{col}{first + count - 1})", TKR_INT if col == "I" else MNKR,
                  bold=True, border=Border(top=THIN))
    s.formula(f"H{sum_row}", f"=IF(B{sum_row}=0,0,G{sum_row}/B{sum_row})", PCT, bold=True, border=Border(top=THIN))
    s.text(f"A{sum_row + 2}", "*) Resultatöverföringen får maximalt uppgå till 5 procent av enhetens bruttobudget för året. "
           "Resultatfonden får ha ett överskott med maximalt 10 procent och ett underskott om maximalt 5 procent", size=8)
    s.text(f"A{sum_row + 3}", "av enhetens bruttobudget. Se vidare \u201dRegler för ekonomisk förvaltning\u201d.", size=8)
    instructions = [
        ("Uppföljning av resultatenheter", True), ("", False), ("Anvisningar för ifyllande av blankett Resultatenheter", True), ("", False),
        ("1) Resultatenhetens namn (intraprenader skall särskilt anges).", False),
        ("2) Resultatenhetens bruttobudget t.ex. beräknad ersättning (anges i tkr)", False),
        ("3) Belopp som motsvarar 5 % av enhetens bruttobudget (anges i tkr)", False),
        ("4) Summan ska överensstämma med resultatenheternas resultat i bokslutet", False),
        ("5) Avser hela resultatet (100 % exkl. resultatfond)", False),
        ("6) Resultatenheterna ska föra över sitt resultat till följande år, både över- och underskott, som uppkommit", False),
        ("till följd av enhetens eget handlande med maximalt 5% av enhetens bruttobudget för året", False),
        ("7) Resultatfonden får ha ett överskott med motsvarande maximalt 10 % av enhetens bruttobudget", False),
        ("8) Kontroll av ackumulerad resultatöverföring (max 10 %)", False),
        ("9) Belopp som motsvarar 10 % av enhetens bruttobudget (anges i tkr)", False),
        ("10) Kontroll av årets överföring (max 5 %)", False), ("", False),
        ("Om blanketten inte räcker till kan fler rader infogas i tabellen.", False),
    ]
    for i, (line, bold) in enumerate(instructions):
        if line:
            s.text(f"L{first + i}", line, bold=bold, size=8)
    s.widths(A=34, K=2, L=80)
    s.width_range("B", "J", 12)
    s.ws.print_title_rows = "5:6"
    s.ws.freeze_panes = "B7"
    re_ = "resultatenheter.{kod}"
    s.table(rows="resultatenheter", first_row=first, template_rows=count, sum_row=sum_row,
            empty_text="Nämnden har inga resultatenheter",
            columns={
                "A": {"field": "etikett"},
                "B": tkr(name="bruttobudget", measure="ansvar.bruttobudget", version="BJ"),
                "D": tkr(name="resultat", measure="ansvar.resultat", version="BJ"),
                "E": tkr(name="resultat_exkl", manual=f"{re_}.resultat_exkl_resultatfond", measure="ansvar.resultat", version="BJ"),
                "F": {"name": "eget_handlande", "manual": f"{re_}.eget_handlande", "values": ["JA", "NEJ"], "required": True},
                "G": tkr(name="ack_overforing", manual=f"{re_}.ackumulerad_overforing", measure="ansvar.ack_overforing", version="BJ"),
            })
    book.add(s)


def invent_o_maskin(book: BookBuilder, title: str = "Invent o maskin") -> None:
    s = book.sheet(title)
    t = book.tertial
    s.text("A1", "{namnd}", bold=True, size=11)
    s.text("A3", "Uppföljning av budget {ar} - {rapport}", bold=True, size=10)
    last = "F" if t else "E"
    s.text("B5", "{ar-1}", bold=True, align="center")
    s.text("C5", "{ar}", bold=True, align="center", merge=f"C5:{last}5")
    s.text("A6", "Utgifter", bold=True)
    heads = (["Utfall utgift {ar-1}", "VP {ar} Utgift", "Prognos {ar}", "S:a avvik VP − prognos {ar}", "Utfall t.o.m. {manad} {ar}"]
             if t else ["Utfall utgift {ar-1}", "VP {ar} Utgift", "S:a avvik {ar}", "Utfall utgift {ar}"])
    for i, head in enumerate(heads):
        col = get_column_letter(i + 2)
        s.text(f"{col}6", f"({i + 1})", bold=True, align="center")
        s.text(f"{col}7", head, bold=True, wrap=True, align="center", fill=HEAD, border=Border(bottom=THIN))
    s.text("A7", "mnkr", bold=True, fill=HEAD, border=Border(bottom=THIN))
    s.ws.row_dimensions[7].height = 38
    s.text("A8", "Inventarier och maskiner", border=GRID)
    s.number("B8", MNKR, 0)
    s.number("C8", MNKR, 0)
    inv = {"linje": "investering_utgifter"}
    s.cell("B8", **mnkr(name="utfall_fg_ar", measure="gl.linje", ar="{ar-1}", **inv))
    s.cell("C8", **mnkr(name="vp", measure="budget.linje", version="VP", **inv))
    if t:
        s.number("D8", MNKR, 0)
        s.formula("E8", "=C8-D8", MNKR)
        s.number("F8", MNKR, 0)
        s.cell("D8", **mnkr(name="prognos", manual="invent_o_maskin.prognos", measure="prognos.forslag", **inv))
        s.cell("E8", name="avvikelse", keep=True, unit="mnkr")
        s.cell("F8", **mnkr(name="utfall_hittills", measure="gl.linje", **inv))
    else:
        s.formula("D8", "=C8-E8", MNKR)
        s.number("E8", MNKR, 0)
        s.cell("D8", name="avvikelse", keep=True, unit="mnkr")
        s.cell("E8", **mnkr(name="utfall", measure="gl.linje", **inv))
    s.text("A10", "Innehållet i blanketten ska analyseras och kommenteras i tjänsteutlåtandet.", size=8)
    if t:
        s.text("A11", "Prognos (3): förvaltningens egen prognos i filen med manuella uppgifter, annars ett förslag från "
               "utfallet t.o.m. {manad} och tidigare års säsongsprofil.", size=8)
    s.widths(A=30)
    s.width_range("B", last, 14)
    s.ws.page_setup.orientation = "portrait"
    book.add(s)


def ej_aktiverbara(book: BookBuilder) -> None:
    s = book.sheet("Ej aktiverbara utgifter-inkomst")
    t = book.tertial
    s.text("A1", "{namnd}", bold=True, size=11)
    s.text("A2", "Omklassificering av ej aktiverbara utgifter hänförliga till investeringar", bold=True, size=10)
    s.text("E2", FINANCE_CONTACT[0], italic=True, size=8)
    s.text("E3", FINANCE_CONTACT[1], italic=True, size=8)
    heads = ["Prognos (mnkr)", "Utfall {ar-1}", "Prognos {punkt}, {ar}" if t else "Prognos T2, {ar}",
             "Utfall t.o.m. {manad} {ar}" if t else "Utfall {ar}"]
    for i, head in enumerate(heads):
        col = get_column_letter(i + 1)
        s.text(f"{col}5", head, bold=True, wrap=True, align="center" if i else "left", fill=HEAD, border=BOX)
    s.ws.row_dimensions[5].height = 26
    lines = [("Ej aktiverbara utgifter", "utgifter", ["4022", "4023"]), ("Ej aktiverbara inkomster", "inkomster", [])]
    for r, (label, key, konton) in enumerate(lines, start=6):
        s.text(f"A{r}", label, border=BOX)
        for col in "BCD":
            s.number(f"{col}{r}", MNKR, border=BOX)
        accounts = {"konton": konton, "anslag": "D"}
        s.cell(f"B{r}", **mnkr(name=f"{key}_fg_ar", measure="gl.linje", ar="{ar-1}", **accounts))
        if t:
            s.cell(f"C{r}", **mnkr(name=f"{key}_prognos", manual=f"ej_aktiverbara.prognos_{key}", measure="prognos.forslag", **accounts))
        else:
            s.cell(f"C{r}", **mnkr(name=f"{key}_prognos_t2", manual=f"ej_aktiverbara.prognos_{key}", measure="budget.linje",
                                   version="T2", **accounts))
        s.cell(f"D{r}", **mnkr(name=f"{key}_utfall", measure="gl.linje", **accounts))
    s.text("A9", "Ej aktiverbara utgifter: driftbokföring på investeringskontona (Anslag D); konton anges i mappningen.", size=8, italic=True)
    s.widths(A=30, B=14, C=14, D=14, E=60)
    book.add(s)


def innovationssatsningar(book: BookBuilder) -> None:
    s = book.sheet("Innovationssatsningar")
    s.text("A1", "{namnd}", bold=True, size=11)
    s.text("A2", "Verksamhetsberättelse {ar}", bold=True, size=10)
    s.text("E2", "Vid frågor kontakta kvalitetschef, stadsledningskontoret", italic=True, size=8)
    intro = ["Nämnderna ska redovisa samtliga innovationssatsningar som avslutats under året.",
             "Redovisningen ska innehålla",
             "* en kortfattad beskrivning av satsningen",
             "* resultatet och effekten av satsningen (inkl. om satsningen har implementerats i ordinarie verksamhet alt skäl till att det inte gjorts)",
             "* på vilket sätt kan satsningen spridas och implementeras i andra verksamheter i staden?"]
    for i, line in enumerate(intro, start=4):
        s.text(f"A{i}", line, size=9)
    s.text("A10", "Innovationssatsningar", bold=True, size=10)
    heads = ["Namn på satsningen", "Typ av innovation\n(verksamhets-utveckling alternativt testbäddverksamhet)",
             "Kortfattad beskrivning i punktform där syfte och mål framgår.", "Resultat och effekt av satsningen",
             "Vilka lärdomar har gjorts?", "Status: Realiserad (dvs. implementerad i verksamheten) alternativt Avbruten",
             "På vilket sätt kan satsningen spridas eller implementeras i andra verksamheter i staden?", "Ansvarig chef", "Kontaktperson"]
    fields = ["namn", "typ", "beskrivning", "resultat", "lardomar", "status", "spridning", "ansvarig_chef", "kontaktperson"]
    for i, head in enumerate(heads):
        s.text(f"{get_column_letter(i + 1)}11", head, bold=True, wrap=True, fill=HEAD, border=BOX)
    s.ws.row_dimensions[11].height = 64
    first, count = 12, 5
    for r in range(first, first + count):
        for i in range(len(heads)):
            s.input_text(f"{get_column_letter(i + 1)}{r}", border=BOX)
        s.ws.row_dimensions[r].height = 150
    s.widths(A=18, B=16, C=34, D=34, E=18, F=26, G=26, H=16, I=16)
    s.ws.print_title_rows = "11:11"
    s.table(rows="innovationssatsningar", first_row=first, template_rows=count,
            columns={get_column_letter(i + 1): {"name": f, "field": f} for i, f in enumerate(fields)})
    book.add(s)


def externa_projekt(book: BookBuilder) -> None:
    s = book.sheet("Externa projekt")
    t = book.tertial
    s.text("A1", "{namnd}", bold=True, size=11)
    s.text("A3", "Uppföljning av budget {ar} - {rapport}", bold=True, size=10)
    s.text("A5", "Projekt med extern finansiering", bold=True, size=10)
    s.text("A6", "Nämnden ska besluta om belopp som ska ombudgeteras till {ar+1}")
    booked = "t.o.m. {manad} {ar}" if t else "{ar}"
    heads = ["Projektnamn", "Startdatum\nÅr, månad", "Slutdatum\nÅr, månad", "Total finansiering", f"Extern finansiering {booked}",
             "Ingående balans (IB) {ar}", f"Bokförd kostnad {booked}", f"Belopp som återstår {booked}", "Belopp att balansera till {ar+1}"]
    for i, head in enumerate(heads):
        col = get_column_letter(i + 1)
        s.text(f"{col}8", head, bold=True, wrap=True, align="center" if i else "left", fill=HEAD, border=BOX)
        if i:
            s.text(f"{col}9", str(i), bold=True, align="center", border=BOX)
    s.text("A9", "Belopp i tkr", bold=True, border=BOX)
    s.ws.row_dimensions[8].height = 40
    blocks = [("*) EU-projekt (Ange EU-program och projektnamn)", True, 10), ("Övriga projekt", False, 16)]
    pj = "externa_projekt.{kod}"
    for label, eu, head_row in blocks:
        s.text(f"A{head_row}", label, bold=True, italic=eu)
        first, count = head_row + 1, 4
        for r in range(first, first + count):
            s.input_text(f"A{r}", wrap=False, border=GRID)
            s.number(f"B{r}", YEAR_MONTH)
            s.number(f"C{r}", YEAR_MONTH)
            for col in "DEFGI":
                s.number(f"{col}{r}", MNKR)
            s.formula(f"H{r}", f"=F{r}+E{r}-G{r}", MNKR)
        s.table(rows="externa_projekt", name="externa_projekt_eu" if eu else "externa_projekt_ovriga", eu=eu,
                first_row=first, template_rows=count, columns={
                    "A": {"field": "etikett"},
                    "B": {"name": "start", "field": "beslutad_start"},
                    "C": {"name": "slut", "field": "beslutat_slut"},
                    "D": tkr(name="total_finansiering", field="total_finansiering"),
                    "E": tkr(name="extern_finansiering", measure="gl.projekt", klass="intakt", tecken=-1, fran="{ar}01", till="{period}"),
                    "F": tkr(name="ib", manual=f"{pj}.ib", measure="gl.projekt_ib", till="{ar-1}14"),
                    "G": tkr(name="bokford_kostnad", measure="gl.projekt", klass="kostnad", fran="{ar}01", till="{period}"),
                    "I": tkr(name="belopp_att_balansera", manual=f"{pj}.belopp_att_balansera"),
                })
    s.text("A22", "*) Även medel som betalas från en annan stad i Sverige eller Europa ska bokföras som EU-bidrag om det är del av ett EU-projekt.", size=8)
    s.text("A23", "(7) Belopp som återstår = (5) Ingående balans + (4) Extern finansiering − (6) Bokförd kostnad.", size=8)
    s.widths(A=44)
    s.width_range("B", "I", 13)
    s.ws.print_title_rows = "8:9"
    book.add(s)


def nyckeltal_66(book: BookBuilder) -> None:
    s = book.sheet("Nyckeltal 66")
    for r, (label, key) in enumerate([("Handläggare:", "handlaggare"), ("Telefon nr:", "telefon"), ("Mejladress:", "epost")], start=1):
        s.text(f"A{r}", label, bold=True)
        s.input_text(f"B{r}", wrap=False, border=None)
        s.cell(f"B{r}", manual=f"kontakt.nyckeltal_66.{key}")
    s.text("A5", "För in underlag i gulmarkerad ruta", italic=True, fill=YELLOW)
    s.text("A7", "Nyckeltal för Ekonomiskt bistånd", bold=True, size=10)
    s.text("A8", "Nyckeltal 66: Andel aspiranter som är självförsörjande tre månader efter avslut på Jobbtorg Stockholm", bold=True)
    s.text("A9", "KF-indikator: Andel aspiranter som är självförsörjande sex månader efter avslut på Jobbtorg Stockholm")
    s.text("B11", "Underlag {ar}", bold=True, align="center", merge="B11:C11", border=Border(bottom=THIN))
    s.text("D11", "Nyckeltal {ar}", bold=True, align="center", border=Border(bottom=THIN))
    s.text("E11", "Nyckeltal {ar-1}", bold=True, align="center", border=Border(bottom=THIN))
    heads = ["Antal aspiranter som är självförsörjande tre månader efter avslut, genomsnitt per månad",
             "Antal avslutade aspiranter, genomsnitt per månad", "Andel självförsörjande aspiranter, genomsnitt per månad",
             "Andel självförsörjande aspiranter, genomsnitt per månad"]
    for i, head in enumerate(heads):
        s.text(f"{get_column_letter(i + 2)}12", head, bold=True, wrap=True, align="center", fill=HEAD, border=BOX)
    s.ws.row_dimensions[12].height = 64
    s.text("A13", "Aspiranter avslutade på Jobbtorg Stockholm", wrap=True, border=BOX)
    s.ws.row_dimensions[13].height = 26
    s.number("B13", COUNT, fill=YELLOW, border=BOX)
    s.number("C13", COUNT, fill=YELLOW, border=BOX)
    s.formula("D13", '=IF(C13=0,"",B13/C13)', PCT, border=BOX)
    s.number("E13", PCT, fill=YELLOW, border=BOX)
    s.cell("B13", name="nt66_taljare", manual="nyckeltal.66.taljare", required=True)
    s.cell("C13", name="nt66_namnare", manual="nyckeltal.66.namnare", required=True)
    s.cell("E13", name="nt66_foregaende_ar", manual="nyckeltal.66.foregaende_ar")
    s.text("A15", "Kommentarer: Kommentera gärna utvecklingen jämfört med föregående år i denna ruta!", bold=True)
    s.text("A16", "", wrap=True, merge="A16:E19", border=BOX)
    s.cell("A16", name="nt66_kommentar", manual="nyckeltal.66.kommentar")
    s.widths(A=34, B=18, C=18, D=18, E=18)
    s.ws.page_setup.orientation = "portrait"
    book.add(s)


HR_BLOCKS = [
    ("122", "Nyckeltal 122: Andel tillsvidareanställda", "Tillsvidareanställda",
     [("Antal tillsvidare-anställningar", "taljare"), ("Totala antalet anställningar", "namnare")], "Andel tillsvidare-anställningar", PCT),
    ("123", "Nyckeltal 123: Andel heltidstjänster", "Heltidstjänster",
     [("Antal heltids-anställningar", "taljare"), ("Totala antalet tillsvidare-anställningar", "namnare")], "Andel heltids-anställningar", PCT),
    ("124", "Nyckeltal 124: Personalomsättning", "Personalomsättning",
     [("Det lägsta talet av antalet avgångar eller rekryteringar av tillsvidare-anställningar", "taljare"),
      ("Genomsnittligt antal tillsvidare-anställningar under året", "namnare")], "Personalomsättning (%)", PCT2),
    ("125", "Nyckeltal 125: Andelen kvinnliga chefer i förhållande till andelen kvinnor bland de anställda", "Kvinnliga chefer",
     [("Antalet anställda kvinnor", "kvinnor"), ("Totala antalet anställda", "anstallda"), ("Andel kvinnor (%)", None),
      ("Antalet kvinnor i chefsposition", "kvinnliga_chefer"), ("Totala antalet chefer", "chefer"), ("Andel kvinnliga chefer (%)", None)],
     "Kvinnliga chefer (kvot)", RATIO),
    ("126", "Nyckeltal 126: Andelen utrikes födda chefer i förhållande till andelen utrikes födda medarbetare", "Utrikes födda chefer",
     [("Antalet anställda som är utrikes födda", ""), ("Totala antalet anställda", ""), ("Andel utrikes födda (%)", ""),
      ("Antalet utrikes födda chefer", ""), ("Totala antalet chefer", ""), ("Andel utrikes födda chefer (%)", "")],
     "Utrikes födda chefer (kvot)", RATIO),
    ("127", "Nyckeltal 127: Korttidsfrånvaro. (Sjukfrånvarodagar dag 1-14 i förhållande till den totalt avtalade arbetstiden.)",
     "Korttidssjukfrånvaro", [("Antal sjukfrånvaro-dagar dag 1-14", "taljare"), ("Totala antalet dagar av avtalad arbetstid", "namnare")],
     "Andel korttids-sjukfrånvaro", PCT2),
    ("128", "Nyckeltal 128: Långtidsfrånvaro. (Sjukfrånvarodagar dag 15 och framåt i förhållande till den totalt avtalade arbetstiden.)",
     "Långtidssjukfrånvaro", [("Antal sjukfrånvaro-dagar dag 15-", "taljare"), ("Totala antalet dagar av avtalad arbetstid", "namnare")],
     "Andel långtids-sjukfrånvaro", PCT2),
    ("129", "Nyckeltal 129: Kostnad korttidsfrånvaro per årsarbetare (kostnad utan personalförsäkring (PF))", "Kostnad korttidsfrånvaro",
     [("Kostnad för sjukfrånvaro-dagar dag 2-14 i tkr", "kostnad_tkr"), ("Antalet årsarbetare", "arsarbetare")],
     "Kostnad sjukfrånvaro per årsarbetare, kronor", COUNT),
]


def nyckeltal_personal(book: BookBuilder) -> None:
    s = book.sheet("Nyckeltal personal")
    for r, (label, key) in enumerate([("Handläggare:", "handlaggare"), ("Telefon nr:", "telefon"), ("Mejladress:", "epost")], start=1):
        s.text(f"A{r}", label, bold=True)
        s.input_text(f"B{r}", wrap=False, border=None)
        s.cell(f"B{r}", manual=f"kontakt.nyckeltal_personal.{key}")
    s.text("A5", "Nyckeltal för personalstatistik för {namnd}", bold=True, size=10)
    s.text("A6", "För in underlag i gulmarkerad ruta", italic=True, fill=YELLOW)
    s.text("A7", "Underlag finns i Beslutsstöd/Gemensamma mappar /Basnyckeltal/VB{ar}", italic=True)
    row = 9
    for nr, title, label, parts, value_head, fmt in HR_BLOCKS:
        s.text(f"A{row}", title, bold=True)
        value_col = get_column_letter(len(parts) + 2)
        prior_col = get_column_letter(len(parts) + 3)
        last_under = get_column_letter(len(parts) + 1)
        s.text(f"B{row + 1}", "Underlag {ar}", bold=True, align="center", merge=f"B{row + 1}:{last_under}{row + 1}" if len(parts) > 1 else None,
               border=Border(bottom=THIN))
        s.text(f"{value_col}{row + 1}", "Nyckeltal {ar}", bold=True, align="center", border=Border(bottom=THIN))
        s.text(f"{prior_col}{row + 1}", "Nyckeltal {ar-1}", bold=True, align="center", border=Border(bottom=THIN))
        for i, (head, _) in enumerate(parts):
            s.text(f"{get_column_letter(i + 2)}{row + 2}", head, bold=True, wrap=True, align="center", fill=HEAD, border=BOX)
        s.text(f"{value_col}{row + 2}", value_head, bold=True, wrap=True, align="center", fill=HEAD, border=BOX)
        s.text(f"{prior_col}{row + 2}", value_head, bold=True, wrap=True, align="center", fill=HEAD, border=BOX)
        longest = max(len(head) for head, _ in parts + [(value_head, None)])
        s.ws.row_dimensions[row + 2].height = 52 if longest < 60 else 78
        values = row + 3
        s.text(f"A{values}", label, border=BOX)
        for i, (_, part) in enumerate(parts):
            col = get_column_letter(i + 2)
            coord = f"{col}{values}"
            if part is None:  # a share computed from the two cells to its left (blank until they are filled)
                count, total = get_column_letter(i), get_column_letter(i + 1)
                s.formula(coord, f'=IF({total}{values}=0,"",{count}{values}/{total}{values})', "0%", border=BOX)
            elif part == "":  # 126: the underlag comes from Sweco, only the ratio is filled in
                s.number(coord, COUNT, fill=GREY, border=BOX)
            else:
                s.number(coord, COUNT, fill=YELLOW, border=BOX)
                s.cell(coord, name=f"nt{nr}_{part}", measure="hr.nyckeltal", nr=nr, **{"del": part})
        value = f"{value_col}{values}"
        if nr == "125":
            # the 2020 template prints the ratio with three decimals (1,049), the 2024 one with two
            fmt = "0.000" if book.year <= 2020 else fmt
            s.formula(value, f'=IF(OR(D{values}="",G{values}=""),"",G{values}/D{values})', fmt, border=BOX)
        elif nr == "126":
            s.number(value, fmt, fill=YELLOW, border=BOX)
            s.cell(value, name="nt126_kvot", manual="nyckeltal.126.kvot", measure="hr.nyckeltal", nr=nr, **{"del": "kvot"})
        elif nr == "129":
            s.formula(value, f'=IF(C{values}=0,"",B{values}*1000/C{values})', fmt, border=BOX)
        else:
            s.formula(value, f'=IF(C{values}=0,"",B{values}/C{values})', fmt, border=BOX)
        s.number(f"{prior_col}{values}", fmt, fill=YELLOW, border=BOX)
        s.cell(f"{prior_col}{values}", name=f"nt{nr}_foregaende_ar", manual=f"nyckeltal.{nr}.foregaende_ar",
               measure="hr.nyckeltal", nr=nr, ar="{ar-1}", **{"del": "varde"})
        s.text(f"A{values + 1}", "Endast kvoten ska fyllas i, underlag ges från Sweco" if nr == "126" else "", italic=True, size=8)
        s.text(f"A{values + 2}", "Kommentarer:", bold=True)
        s.text(f"B{values + 2}", "", wrap=True, merge=f"B{values + 2}:I{values + 3}", border=BOX)
        s.cell(f"B{values + 2}", name=f"nt{nr}_kommentar", manual=f"nyckeltal.{nr}.kommentar")
        row = values + 5
    s.widths(A=26)
    s.width_range("B", "I", 13)
    book.add(s)


PROGNOS_LINES = [
    (7, "Drift och underhåll", "drift_och_underhall"), (8, "Avskrivningar", "avskrivningar"), (9, "Internränta", "internranta"),
    (11, "Verksamhetens intäkter", "verksamhetens_intakter"),
    (15, "Utgifter", "investering_utgifter"), (16, "Inkomster (-)", "investering_inkomster"),
]


def prognos(book: BookBuilder) -> None:
    s = book.sheet("Prognos")
    s.text("A1", "{namnd}", bold=True, size=11)
    s.text("A2", "Uppföljning av budget {ar} - {rapport}", bold=True, size=10)
    s.text("A3", "Prognos för helåret {ar}. Utfall t.o.m. {manad} (period {period_fran}–{period}). Belopp i mnkr.")
    heads = ["mnkr", "Budget {ar} inkl. budget-justeringar", "Utfall t.o.m. {manad} {ar}",
             "Andel av helåret vid periodens slut, tidigare år", "Föreslagen prognos helår {ar}", "Prognos {punkt} i Agresso",
             "Förvaltningens prognos (manuell)", "Prognos helår {ar}", "Avvikelse budget − prognos"]
    for i, head in enumerate(heads):
        col = get_column_letter(i + 1)
        s.text(f"{col}5", head, bold=True, wrap=True, align="center" if i else "left", fill=HEAD, border=BOX)
        if i:
            s.text(f"{col}6", f"({i})", bold=True, align="center")
    s.ws.row_dimensions[5].height = 52
    s.text("A6", "Drift", bold=True)
    s.text("A14", "Investeringsplan", bold=True)
    for row, label, line in PROGNOS_LINES:
        s.text(f"A{row}", label, border=GRID)
        for col in "BCEFG":
            s.number(f"{col}{row}", MNKR, fill=YELLOW if col == "G" else None)
        s.number(f"D{row}", PCT)
        s.formula(f"H{row}", f'=IF(G{row}="",E{row},G{row})', MNKR, bold=True)
        s.formula(f"I{row}", f"=B{row}-H{row}", MNKR)
        s.cell(f"B{row}", **mnkr(name=f"budget_{line}", measure="budget.linje", version="BJ", linje=line))
        s.cell(f"C{row}", **mnkr(name=f"utfall_{line}", measure="gl.linje", linje=line))
        s.cell(f"D{row}", name=f"andel_{line}", measure="prognos.andel", linje=line)
        s.cell(f"E{row}", **mnkr(name=f"forslag_{line}", measure="prognos.forslag", linje=line))
        s.cell(f"F{row}", **mnkr(name=f"agresso_{line}", measure="budget.linje", version="{punkt}", linje=line))
        s.cell(f"G{row}", **mnkr(name=f"manuell_{line}", manual=f"prognos.{line}"))
    sums = [(10, "Kostnader", "SUM(#7:#9)"), (12, "Intäkter (-)", "#11"), (13, "Summa drift", "#10+#12"), (17, "Summa investering", "#15+#16")]
    for row, label, pattern in sums:
        s.text(f"A{row}", label, bold=True, border=Border(top=THIN))
        for col in "BCEFHI":
            s.formula(f"{col}{row}", "=" + pattern.replace("#", col), MNKR, bold=True, border=Border(top=THIN))
        s.number(f"G{row}", MNKR, border=Border(top=THIN), fill=GREY)  # manual forecasts are per line only
        s.formula(f"D{row}", f"=IF(E{row}=0,0,C{row}/E{row})", PCT, bold=True, border=Border(top=THIN))
    notes = ["(4) Föreslagen prognos = (2) utfall t.o.m. perioden / (3) den andel av helåret som samma perioder utgjorde tidigare år "
             "i lagret (linjär uppräkning ×12/månader när historik saknas).",
             "(6) Förvaltningens egen prognos skrivs i filen med manuella uppgifter (avsnitt prognos) och ersätter då förslaget i (7).",
             "(8) Avvikelse = budget − prognos; positiv avvikelse är gynnsam. Budget och prognos i Agresso: budgetversionerna BJ och {punkt}."]
    for i, note in enumerate(notes):
        s.text(f"A{19 + i}", note, size=8)
    s.widths(A=28)
    s.width_range("B", "I", 14)
    book.add(s)


LEDGER_SHEETS = [("Budgetavräkning", "budgetavrakning"), ("Balansräkning", "balansrakning"), ("Resultaträkning", "resultatrakning"),
                 ("Anläggningsinformation", "anlaggning"), ("Anläggnings- och rörelsekapital", "anl_rorelsekapital")]
RULES = {"avvikelse_grans_mnkr": 0.05, "resultatoverforing_max": 0.05, "resultatfond_max": 0.10, "resultatfond_min": -0.05}


def build(point: str) -> BookBuilder:
    book = BookBuilder(point)
    if book.tertial:
        prognos(book)
        verksamhetsprojekt(book)
        invent_o_maskin(book)
        ej_aktiverbara(book)
        externa_projekt(book)
    else:
        verksamhetsprojekt(book)
        resultatenheter(book)
        invent_o_maskin(book)
        ej_aktiverbara(book)
        innovationssatsningar(book)
        externa_projekt(book)
        nyckeltal_66(book)
        nyckeltal_personal(book)
    for title, report in LEDGER_SHEETS:
        book.report_placeholder(title, "ledger_report", report)
    book.report_placeholder("Kontokontroller", "kontokontroller")
    return book


TERTIAL = "tertial"  # tertial.yaml: the mapping T1 and T2 share


def save_tertial(books: list[BookBuilder], out: Path) -> None:
    """T1's and T2's workbooks, the mapping they share (tertial.yaml) and each point's own file:
    its workbook, point and template year (what fill.template_versions reads), and any top-level
    key the points map differently."""
    mappings = [book.mapping(RULES) for book in books]
    own_keys = {"template", "point", "template_year"}
    own_keys |= {k for k in mappings[0] if any(m[k] != mappings[0][k] for m in mappings[1:])}
    shared = {k: v for k, v in mappings[0].items() if k not in own_keys}
    names = " and ".join(book.point for book in books)
    workbooks = ", ".join(f"{book.name}.xlsx" for book in books)
    header = (f"# Mapping of the tertial templates {names} ({workbooks}, the city's {TEMPLATE_YEAR} layout) to\n"
              "# warehouse measures, master data and the manual-input file: one mapping for both points; each\n"
              "# point's file (t1.yaml, t2.yaml) extends it with its workbook, point and template year. Structure and\n"
              "# measures: docs/templates.md and plugins/bokslut/templates/mapping.py, measures.py. Generated by\n"
              "# scripts/build_templates.py, its source: change the script and rerun it (tests/templates/test_build_templates.py).\n")
    write_mapping(out / f"{TERTIAL}.yaml", header, shared)
    for book, mapping in zip(books, mappings, strict=True):
        book.save_workbook(out)
        own = {"extends": f"{TERTIAL}.yaml"} | {k: v for k, v in mapping.items() if k in own_keys}
        header = (f"# The {book.point} template ({book.name}.xlsx, the city's {book.year} layout). Its cells are mapped in {TERTIAL}.yaml,\n"
                  f"# which {names} share; this file holds what is {book.point}'s own (docs/templates.md, \"The mapping\").\n"
                  "# Generated by scripts/build_templates.py, its source: change the script and rerun it.\n")
        write_mapping(out / f"{book.name}.yaml", header, own)


# The VB workbook of the 2020 package (tests/reference/2020/blankett_kolumner.tsv): Verksamhetsprojekt,
# Resultatenheter, the investment sheet (its name is missing in the seed: "Investeringar"), Externa
# projekt, the Nyckeltal sheets, and the 2020 ledger reports Balansräkning and Resultaträkning. No
# Ej aktiverbara, no Innovationssatsningar, no Budgetavräkning/Anläggning/Kontokontroller in 2020.
LEDGER_SHEETS_2020 = [("Balansräkning", "balansrakning"), ("Resultaträkning", "resultatrakning")]


def build_vb_2020(out: Path) -> None:
    book = BookBuilder("VB", 2020, "vb-2020")
    verksamhetsprojekt(book)
    resultatenheter(book)
    invent_o_maskin(book, "Investeringar")
    externa_projekt(book)
    nyckeltal_66(book)
    nyckeltal_personal(book)
    for title, report in LEDGER_SHEETS_2020:
        book.report_placeholder(title, "ledger_report", report)
    book.save(out, RULES)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--out", type=Path, default=ROOT / "include" / "templates")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    save_tertial([build("T1"), build("T2")], args.out)
    print(f"skrev {args.out / 't1'}.xlsx, {args.out / 't2'}.xlsx, t1.yaml, t2.yaml och {TERTIAL}.yaml")
    build("VB").save(args.out, RULES)
    print(f"skrev {args.out / 'vb'}.xlsx och .yaml")
    build_vb_2020(args.out)
    print(f"skrev {args.out / 'vb-2020'}.xlsx och .yaml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
