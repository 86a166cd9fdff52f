#!/usr/bin/env bash
# Regenerate docs/img/*.png: the first printed page of every sheet of the filled VB 2024 and T2 2024
# workbooks of förvaltning 191, as LibreOffice prints them (Swedish locale: 1 234,5).
#
#   bash scripts/render_template_pngs.sh [DPI]        (default 70)
#
# Needs LibreOffice and poppler-utils (scripts/install_system_deps.sh) and the venv (make venv).
# Generates the synthetic 2024 year into a temporary warehouse, so it never touches data/.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY="$ROOT/.venv/bin/python"
BOKSLUT="$ROOT/.venv/bin/bokslut"
DPI="${1:-70}"
OUT="$ROOT/docs/img"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

command -v soffice >/dev/null && command -v pdftoppm >/dev/null && command -v pdftotext >/dev/null || {
    echo "LibreOffice/poppler saknas: kör scripts/install_system_deps.sh" >&2; exit 1; }

export BOKSLUT_WAREHOUSE_URL="sqlite:///$WORK/warehouse.sqlite"
export BOKSLUT_DATA_DIR="$WORK/data" BOKSLUT_OUTBOX_DIR="$WORK/out" BOKSLUT_ARCHIVE_DIR="$WORK/archive"

"$BOKSLUT" demo-data --year 2024 -o "$WORK/landing" 2>/dev/null
for source in ledger budget anlaggningsreskontra stadskassan; do
    "$BOKSLUT" load "$source" "$WORK/landing/$source" 2>/dev/null
done
for point in VB T2; do
    "$PY" -m bokslut.commands.templates templates --forvaltning 191 --year 2024 --point "$point" -o "$WORK/$point" 2>/dev/null
done

mkdir -p "$WORK/pdf" "$OUT"
LANG=sv_SE.UTF-8 LC_ALL=sv_SE.UTF-8 HOME="$WORK" soffice "-env:UserInstallation=file://$WORK/lo_profile" --headless \
    --convert-to pdf --outdir "$WORK/pdf" "$WORK/VB/blanketter_191_VB-2024.xlsx" "$WORK/T2/blanketter_191_T2-2024.xlsx" >/dev/null

"$PY" - "$WORK" "$OUT" "$DPI" <<'PYTHON'
"""First page of each sheet: pages are in sheet order; a page's footer names its sheet."""
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

from openpyxl import load_workbook

work, out, dpi = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]


def slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")


for point in ("VB", "T2"):
    xlsx = work / point / f"blanketter_191_{point}-2024.xlsx"
    pdf = work / "pdf" / f"{xlsx.stem}.pdf"
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout).group(1))
    footers = []
    for page in range(1, pages + 1):
        text = subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), pdf, "-"],
                              capture_output=True, text=True).stdout
        footer = next((line for line in reversed(text.splitlines()) if re.search(r"Sida \d+ av \d+", line)), "")
        footers.append(footer)
    page = 0
    for sheet in load_workbook(xlsx, read_only=True).sheetnames:
        while page < pages and sheet not in footers[page]:
            page += 1
        if page == pages:
            sys.exit(f"{point}: ingen sida för bladet {sheet}")
        target = out / f"{point.lower()}_{slug(sheet)}"
        subprocess.run(["pdftoppm", "-png", "-r", dpi, "-f", str(page + 1), "-l", str(page + 1), "-singlefile", pdf, target],
                       check=True)
        print(f"{target}.png  ({sheet}, sida {page + 1})")
PYTHON
