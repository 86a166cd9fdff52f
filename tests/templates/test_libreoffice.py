"""The filled workbooks open in LibreOffice without repair: PDF pages, computed formulas, no errors.

LibreOffice converts the VB and T2 workbooks once per session (``libreoffice`` fixture): to PDF
(pages checked with pdfinfo, text with pdftotext) and to xlsx, whose cached values are
LibreOffice's own calculation of every formula, compared with the fill's evaluator.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from bokslut.templates.xlsxops import evaluate, formula_cells

pytestmark = pytest.mark.integration
ERRORS = ("#DIV/0!", "#VALUE!", "#NAME?", "#REF!", "#N/A", "Err:", "#DIVISION/0!", "#VÄRDEFEL!", "#NAMN?", "#REFERENS!")


def pdf_pages(pdf) -> int:
    if shutil.which("pdfinfo") is None:
        pytest.skip("pdfinfo saknas: kör scripts/install_system_deps.sh")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def pdf_text(pdf) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("point", ["VB", "T2"])
def test_converts_to_pdf_with_a_page_per_sheet_at_least(libreoffice, filled, point):
    sheets = load_workbook(filled[point].path, read_only=True).sheetnames
    assert pdf_pages(libreoffice[point]["pdf"]) >= len(sheets)
    text = pdf_text(libreoffice[point]["pdf"])
    assert not [e for e in ERRORS if e in text]
    for sheet in sheets:
        assert sheet in text, sheet  # every sheet printed (footer or title)


def test_invent_o_maskin_prints_2_4_4_0_1_0_3_0(libreoffice):
    text = pdf_text(libreoffice["VB"]["pdf"])
    assert re.search(r"Inventarier och maskiner\s+2,4\s+4,0\s+1,0\s+3,0", text)


def test_first_page_renders_to_an_image(libreoffice, tmp_path):
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm saknas: kör scripts/install_system_deps.sh")
    subprocess.run(["pdftoppm", "-png", "-r", "30", "-f", "1", "-l", "1", str(libreoffice["VB"]["pdf"]), str(tmp_path / "p")],
                   check=True)
    png = next(tmp_path.glob("p*.png"))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 1000


@pytest.mark.parametrize("point", ["VB", "T2"])
def test_libreoffice_computes_every_formula_as_the_fill_checks_it(libreoffice, filled, point):
    ours = load_workbook(filled[point].path)
    theirs = load_workbook(libreoffice[point]["xlsx"], data_only=True)
    compared = 0
    for ws in ours.worksheets:
        for cell in formula_cells(ws):
            computed = theirs[ws.title][cell.coordinate].value
            expected = evaluate(ours, ws, cell.value)
            where = f"{ws.title}!{cell.coordinate} {cell.value}"
            if expected == "":
                assert computed in (None, ""), where  # a key figure left blank until its underlag is delivered
            else:
                assert computed is not None and expected == pytest.approx(computed, abs=1e-9), where
            compared += 1
    assert compared > (150 if point == "VB" else 70)  # sums, 5 %/10 % checks, avvikelser, prognos
    if point == "VB":
        assert theirs["Invent o maskin"]["D8"].value == pytest.approx(4.0 - 3.0368653)
        assert theirs["Verksamhetsprojekt"]["F18"].value == pytest.approx(sum(ours["Verksamhetsprojekt"][f"F{r}"].value
                                                                               for r in range(11, 17)))
