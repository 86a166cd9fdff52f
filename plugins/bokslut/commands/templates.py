"""``bokslut templates``: fill the city's templates for one förvaltning, year and reporting point.

    bokslut templates --forvaltning 191 --year 2024 --point VB -o DIR [--manual FIL] [--mapping FIL]
                      [--check-ready] [--send]

    bokslut manual-input --forvaltning 191 --year 2024 --point T2 -o FIL.xlsx [--manual FIL] [--mapping FIL]

``templates`` writes into DIR the filled workbook, the validation report (HTML), the template rules (TSV) and a
copy of the manual-input file used (YAML or a returned input workbook). ``manual-input`` writes the
input workbook finance fills in (``templates.input_workbook``), prefilled from ``--manual`` or the
point's own manual file, else from what carries over from the previous point of the year. ``--check-ready`` first requires the month-end runs of the
covered periods to have published without blocking failures (as the DAGs do); ``--send`` mails
the files to finance (``BOKSLUT_FINANCE_EMAIL_TO``). Exit codes as the ``bokslut`` CLI: 0 done,
1 bad input or not ready or blocking Kontokontroller, 2 wrong usage.

Kept light at import time (argparse only): ``bokslut.cli`` builds its parser from this.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bokslut import arguments

EXIT_OK, EXIT_INPUT = 0, 1


def add_subcommands(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``templates`` to the ``bokslut`` command's subparsers; returns the new parser."""
    parser = subparsers.add_parser("templates", help="fyll i stadens blanketter vid T1, T2 eller VB",
                                   description="Fyll i stadens blanketter för en förvaltning, ett år och ett rapporttillfälle.")
    parser.add_argument("--forvaltning", type=arguments.forvaltning, required=True)
    parser.add_argument("--year", type=arguments.year, required=True, help="år, t.ex. 2024")
    parser.add_argument("--point", type=arguments.point, required=True, metavar="T1|T2|VB", help="rapporttillfälle")
    parser.add_argument("-o", "--output", type=Path, required=True, help="mapp som filerna skrivs till")
    parser.add_argument("--manual", type=Path, help="fil med manuella uppgifter (standard include/manual/<förv>/<PUNKT>-<år>.yaml)")
    parser.add_argument("--mapping", type=Path, help="mappning (standard: include/templates/<punkt>.yaml eller <punkt>-<år>.yaml, närmaste mallår som inte är senare än året)")
    parser.add_argument("--check-ready", action="store_true", help="kräv publicerade perioder utan blockerande fel")
    parser.add_argument("--send", action="store_true", help="skicka filerna till ekonomi (BOKSLUT_FINANCE_EMAIL_TO)")

    inputs = subparsers.add_parser("manual-input", help="skapa arbetsboken där ekonomi fyller i de manuella uppgifterna",
                                   description="Skapa en arbetsbok (xlsx) för de manuella uppgifterna till blanketterna: "
                                               "gula celler fylls i, grå visar systemets siffror.")
    inputs.add_argument("--forvaltning", type=arguments.forvaltning, required=True)
    inputs.add_argument("--year", type=arguments.year, required=True, help="år, t.ex. 2024")
    inputs.add_argument("--point", type=arguments.point, required=True, metavar="T1|T2|VB", help="rapporttillfälle")
    inputs.add_argument("-o", "--output", type=_xlsx, required=True, help="arbetsboken som skrivs (.xlsx)")
    inputs.add_argument("--manual", type=Path, help="förifyll från denna fil (YAML eller xlsx); standard: en återlämnad "
                                                    "arbetsbok i landningsmappen manual/, punktens egen fil, annars det som "
                                                    "gäller från föregående rapporttillfälle")
    inputs.add_argument("--mapping", type=Path, help="mappning (som för templates)")
    return parser


def _xlsx(text: str) -> Path:
    if not text.lower().endswith(".xlsx"):
        raise argparse.ArgumentTypeError(f"'{text}': arbetsboken ska sluta på .xlsx")
    return Path(text)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    """Handler for ``bokslut templates`` and ``bokslut manual-input``; returns the exit code."""
    if args.command == "manual-input":
        return run_manual_input(args)
    from bokslut.settings import get_settings
    from bokslut.flows import templates as pipeline

    settings = get_settings()
    target = {"forvaltning": args.forvaltning, "year": args.year, "point": args.point}
    if args.check_ready:
        try:
            pipeline.check_ready([target], settings)
        except pipeline.NotReady as exc:
            _say(f"fel: {exc}")
            return EXIT_INPUT
    try:
        delivery = pipeline.build(target, settings, folder=args.output, manual_path=args.manual, mapping_path=args.mapping)
    except pipeline.BlockingControls as exc:
        _say(f"fel: {exc}")
        return EXIT_INPUT
    for path in delivery["files"]:
        _say(f"Skrev {path}")
    _say(f"Manuella uppgifter: {delivery['manual'] or 'ingen fil'}")
    counts = ", ".join(f"{n} {s}" for s, n in delivery["summary"].items() if n)
    _say(f"Kontroller blankett: {counts}")
    for finding in delivery["findings"]:
        if finding["status"] in ("fel", "varning", "ej levererad"):
            _say(f"  {finding['status'].upper()} {finding['rule_id']} {finding['sheet']} {finding['where']}: {finding['message']}")
    if args.send:
        outcome = pipeline.deliver([delivery])[0]["mail"]
        _say(f"Skickat till {', '.join(outcome['recipients'])}" if outcome["sent"] else f"Inte skickat: {outcome['reason']}")
    return EXIT_OK


def run_manual_input(args: argparse.Namespace) -> int:
    """Handler for ``bokslut manual-input``: write the input workbook; returns the exit code."""
    from bokslut.templates.input_reader import returned_workbook
    from bokslut.settings import get_settings
    from bokslut.templates.input_workbook import write_input_workbook
    from bokslut.warehouse.db import ready_engine

    settings = get_settings()
    engine = ready_engine(settings.warehouse_url)
    # a workbook finance already returned is the best start for a new one (their answers kept)
    prefill = args.manual or returned_workbook(settings, args.forvaltning, args.year, args.point)
    _say(f"Skapar arbetsboken för manuella uppgifter {args.point}-{args.year}, förvaltning {args.forvaltning} …")
    result = write_input_workbook(engine, args.forvaltning, args.year, args.point, args.output, manual_path=prefill,
                                  mapping_path=args.mapping, settings=settings)
    _say(f"Skrev {result.path} ({', '.join(result.sheets)}); {result.prefill}.")
    if result.dropped:
        _say(f"Inte med i arbetsboken (rader som blanketten inte visar): {', '.join(result.dropped)}")
    if result.marked:
        _say(f"{len(result.marked)} uppgift(er) begärs av regler i blanketten (orange celler):")
        for line in result.marked:
            _say(f"  {line}")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """``python -m bokslut.commands.templates templates ...`` (the same as ``bokslut templates ...``)."""
    parser = argparse.ArgumentParser(prog="bokslut")
    add_subcommands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        return run(args)
    except ValueError as exc:  # MappingError, ManualInputError, ReferenceError, NotReady, bad period
        _say(f"fel: {exc}")
        return EXIT_INPUT


if __name__ == "__main__":
    sys.exit(main())
