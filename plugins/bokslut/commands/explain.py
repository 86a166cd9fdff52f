"""``bokslut explain``: where one delivered figure comes from, recomputed from the warehouse.

    bokslut explain --forvaltning 191 --year 2024 --point VB --sheet "Invent o maskin" --cell E8
    bokslut explain --forvaltning 191 --year 2024 --point VB --report balansrakning --line 1210
    bokslut explain --forvaltning 191 --year 2024 --point VB --control KK05.6
                    [--period YYYYPP] [--postings N] [--format text|tsv] [--manual FIL] [--mapping FIL]

Prints the value as delivered, its source record, the value recomputed from the published rows
and the N postings (or budget rows) adding most, with period and file. Exit 0 when the figure and
its recomputation agree (or nothing can be recomputed, e.g. a text), 1 when they do not or the
figure cannot be found, 2 on wrong usage. Kept light at import time (argparse only).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bokslut import arguments
from bokslut.domain.periods import get_point

EXIT_OK, EXIT_MISMATCH = 0, 1


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"ogiltigt antal '{text}': ange ett positivt heltal, t.ex. 10")
    return int(text)


def add_subcommands(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:

    parser = subparsers.add_parser(
        "explain", help="visa varifrån en siffra kommer (cell, rapportrad eller kontroll) och räkna om den",
        description="Visa varifrån en siffra i en blankett, rapport eller Kontokontroll kommer, räkna om den "
                    "från lagret och lista de konteringar som bidrar mest.")
    parser.add_argument("--forvaltning", type=arguments.forvaltning, required=True)
    parser.add_argument("--year", type=arguments.year, required=True, help="år, t.ex. 2024")
    parser.add_argument("--point", type=arguments.point, required=True, metavar="T1|T2|VB", help="rapporttillfälle")
    parser.add_argument("--period", type=arguments.period, help="period ÅÅÅÅPP för --report/--control (standard: rapporttillfällets sista)")
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--sheet", help="bladets namn i blanketten (med --cell)")
    what.add_argument("--report", help="rapport, t.ex. balansrakning (med --line)")
    what.add_argument("--control", help="Kontokontroll, t.ex. KK05.6")
    parser.add_argument("--cell", help="cell, t.ex. E8")
    parser.add_argument("--line", help="rapportens rad: konto eller radens namn, t.ex. 1210")
    parser.add_argument("--column", help="rapportens kolumn (standard: alla beloppskolumner)")
    parser.add_argument("--postings", type=_positive, default=10, metavar="N", help="antal konteringar som visas (standard 10)")
    parser.add_argument("--format", choices=["text", "tsv"], default="text")
    parser.add_argument("--manual", type=Path, help="fil med manuella uppgifter (som för 'bokslut templates')")
    parser.add_argument("--mapping", type=Path, help="mappning (som för 'bokslut templates')")
    return parser


def run(args: argparse.Namespace) -> int:
    """Handler for ``bokslut explain``; returns the exit code."""
    from bokslut.lineage.render import render
    from bokslut.settings import get_settings
    from bokslut.warehouse.db import ready_engine

    if args.sheet is not None and not args.cell:
        raise ValueError("--sheet kräver --cell, t.ex. --cell E8")
    if args.sheet is not None:
        from bokslut.lineage.cells import CELL

        cell = args.cell.strip().upper().replace("$", "")  # "$E$8" as Excel shows it is E8
        if not CELL.fullmatch(cell):  # before the fill and its control run
            raise ValueError(f"Ogiltig cell '{args.cell}': ange en cell, t.ex. E8.")
    if args.report is not None and not args.line:
        raise ValueError("--report kräver --line, t.ex. --line 1210")
    settings = get_settings()
    engine = ready_engine(settings.warehouse_url)
    period = args.period or get_point(args.point).period(args.year)
    if args.report is None:  # as 'bokslut controls' and --report: no control run and no "0 kr – stämmer" on no data
        from bokslut.reports.published import require_published

        require_published(engine, args.forvaltning, period)
    if args.sheet is not None:
        from bokslut.lineage.cells import explain_cell

        from bokslut.flows.templates import resolve_manual

        # the inputs the build takes, as it takes them: a returned workbook before the YAML (or the cell explained
        # would not be the cell delivered), read from its archived copy (our name: finance's may name a person)
        manual = resolve_manual(settings, args.forvaltning, args.year, args.point, args.manual)
        explanations = [explain_cell(engine, args.forvaltning, args.year, args.point, args.sheet, cell,
                                     postings=args.postings, manual_path=manual, mapping_path=args.mapping)]
    elif args.report is not None:
        from bokslut.lineage.reports import explain_report_line

        explanations = explain_report_line(engine, args.forvaltning, period, args.report, args.line,
                                           column=args.column, postings=args.postings)
    else:
        from bokslut.lineage.controls import explain_control

        explanations = [explain_control(engine, args.forvaltning, period, args.control.upper(), postings=args.postings)]
    sys.stdout.write(render(explanations, args.format))
    disagreeing = [e for e in explanations if e.agrees is False]
    for explanation in disagreeing:
        wrong = [name for name, ok in explanation.checks.items() if ok is False] or ["värdet"]
        print(f"fel: {explanation.subject}: {', '.join(wrong)} stämmer inte med omräkningen från lagret "
              f"(se raderna ovan).", file=sys.stderr)
    return EXIT_MISMATCH if disagreeing else EXIT_OK
