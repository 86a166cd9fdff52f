"""Command line ``bokslut``: the pipeline's functions outside Airflow.

Exit codes (``bokslut.errors``): 0 success; 1 bad input (a file rejected, a failing blocking
control, a report asked for data that is not published); 2 wrong usage; 3 an environment problem
(database unreachable, warehouse file unreadable, archive folder missing, unwritable or full);
130 interrupted (SIGTERM, Ctrl-C). Errors are one Swedish line on stderr (``--debug`` adds the
traceback); progress goes to stderr too.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bokslut import arguments
from bokslut.names import REPORT_NAMES, SOURCE_NAMES

EXIT_OK, EXIT_INPUT, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bokslut", description="Månadsavslut, tertial och bokslut för en förvaltning.")
    parser.add_argument("--debug", action="store_true", help="visa hela felspårningen (traceback) vid fel")
    sub = parser.add_subparsers(dest="command", required=True)

    load = sub.add_parser("load", help="läs in exportfiler (fil eller mapp, flera går bra)")
    load.add_argument("source", choices=sorted(SOURCE_NAMES), help="vilken sorts fil")
    load.add_argument("paths", nargs="+", type=Path, metavar="FIL|MAPP")
    load.add_argument("--mapping", type=Path, help="YAML-fil som mappar filens rubriker (se include/mappings)")
    load.add_argument("--force", action="store_true", help="läs in även en fil som redan är inläst")
    load.add_argument("--replace", action="append", default=[], metavar="PERIOD",
                      help="ersätt perioden (t.ex. 202401) även om filen har betydligt färre rader än det publicerade")
    load.add_argument("--forvaltning", type=arguments.forvaltningar, default=[], metavar="FÖRV[,FÖRV...]",
                      help="läs bara in filerna för dessa förvaltningar (standard: alla); övriga filer lämnas orörda")

    report = sub.add_parser("report", help="skriv en rapport (TSV till stdout som standard)")
    report.add_argument("name", choices=[*REPORT_NAMES, "alla"])
    report.add_argument("--forvaltning", type=arguments.forvaltning, required=True)
    report.add_argument("--period", type=arguments.period, required=True)
    report.add_argument("--format", choices=["tsv", "xlsx"], default="tsv")
    report.add_argument("-o", "--output", type=Path, help="fil (eller mapp för 'alla' i TSV)")

    controls = sub.add_parser("controls", help="kör Kontokontroller (exit 1 om en blockerande kontroll fallerar)")
    controls.add_argument("--forvaltning", type=arguments.forvaltning, required=True)
    controls.add_argument("--period", type=arguments.period, required=True)
    controls.add_argument("--format", choices=["tsv", "xlsx", "html"], default="tsv")
    controls.add_argument("-o", "--output", type=Path, help="fil (TSV till stdout om den utelämnas)")

    demo = sub.add_parser("demo-data", help="skapa syntetiska exportfiler (ledger, budget, ...)")
    demo.add_argument("--year", type=int, default=2024)
    demo.add_argument("-o", "--output", type=Path, required=True)
    demo.add_argument("--rows", type=int, help="ungefärligt antal konteringar (samma totaler)")
    demo.add_argument("--seed", type=int)
    demo.add_argument("--forvaltning", type=arguments.forvaltningar, default=["191"], metavar="FÖRV[,FÖRV...]",
                      help="förvaltningar att skapa, t.ex. 191,150,310 (191 = referensåret, övriga härleds ur det)")

    db = sub.add_parser("db", help="lagrets schema")
    db.add_argument("action", choices=["upgrade", "current"])

    from bokslut.commands import hr as hr_cli  # argparse only; the work is imported when run
    from bokslut.commands import explain as explain_cli
    from bokslut.commands import templates as templates_cli

    hr_cli.add_subcommands(sub)  # load hr|ber, nyckeltal, kaa
    templates_cli.add_subcommands(sub)
    explain_cli.add_subcommands(sub)  # explain
    return parser


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _load(args: argparse.Namespace) -> int:
    """The month-end flow on the given files: stage → input suite → Kontokontroller → publish."""
    from bokslut.commands import hr as hr_cli

    if args.source in hr_cli.LOAD_SOURCES:  # personal data: key checked before anything is archived
        return hr_cli.load_command(args)
    from bokslut.flows import ledger

    batch = ledger.load_paths(args.paths, args.source, mapping_path=args.mapping, force=args.force,
                              replace=args.replace, progress=_say, forvaltningar=args.forvaltning)
    if not batch["files"]:
        _say(f"fel: inga filer för förvaltning {', '.join(args.forvaltning)} bland de angivna.")
        return EXIT_INPUT
    groups = _per_forvaltning(batch)
    if len(groups) > 1:  # one förvaltning's rejection never stops the others: say which is which
        _say("; ".join(f"Förvaltning {g['forvaltning']}: " + ("avvisad" if ledger.forvaltning_failure(g) else "klar")
                       for g in groups) + ".")
    ledger.say_not_checkable(batch, _say)
    rejected = ledger.say_outcome(batch["files"], _say, "Publicerade data i filernas perioder är oförändrade.")
    return EXIT_INPUT if rejected else EXIT_OK


def _per_forvaltning(batch: dict) -> list[dict]:
    """The merged batch of ``load_paths`` split again by förvaltning."""
    groups: dict[str, list[dict]] = {}
    for item in batch["files"]:
        groups.setdefault(item.get("forvaltning") or "okänd", []).append(item)
    return [{"forvaltning": f, "files": files} for f, files in sorted(groups.items())]


def _report(args: argparse.Namespace) -> int:
    from bokslut.reports.ledger import build_reports
    from bokslut.reports.published import require_published
    from bokslut.reports.tsv import write_tsv
    from bokslut.warehouse.db import reader_engine

    names = REPORT_NAMES if args.name == "alla" else (args.name,)
    engine = reader_engine()  # reads only: works on a write-protected warehouse
    require_published(engine, args.forvaltning, args.period)
    reports = build_reports(engine, args.forvaltning, args.period, names)
    if args.format == "xlsx":
        from bokslut.lineage.report_workbook import write_workbook

        default = Path(f"{args.name}_{args.forvaltning}_{args.period}.xlsx")
        path = write_workbook(list(reports.values()), args.output or default)
        _say(f"Skrev {path}")
    elif len(reports) == 1 and args.output is None:
        write_tsv(next(iter(reports.values())), sys.stdout)
    elif len(reports) == 1:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        with args.output.open("w", encoding="utf-8", newline="") as fh:
            write_tsv(next(iter(reports.values())), fh)
        _say(f"Skrev {args.output}")
    else:
        folder = args.output or Path(".")
        folder.mkdir(parents=True, exist_ok=True)
        for name, report in reports.items():
            path = folder / f"{name}_{args.forvaltning}_{args.period}.tsv"
            with path.open("w", encoding="utf-8", newline="") as fh:
                write_tsv(report, fh)
            _say(f"Skrev {path}")
    return EXIT_OK


def _controls(args: argparse.Namespace) -> int:
    from contextlib import nullcontext

    from bokslut.alerts.validation_report import write_html
    from bokslut.controls.runner import run_controls
    from bokslut.controls.sheet import kontokontroller_report
    from bokslut.reports.published import require_published
    from bokslut.money import format_swedish
    from bokslut.reports.tsv import write_tsv
    from bokslut.warehouse.db import reader_engine, ready_engine, scratch_copy, writable

    if writable():
        engine, scratch = ready_engine(), nullcontext(None)
    else:  # the controls record their run: on a write-protected warehouse, in a throw-away copy
        engine = reader_engine()
        scratch = scratch_copy(engine)
        _say("Lagret är skrivskyddat: kontrollerna körs på en tillfällig kopia och körningen sparas inte.")
    require_published(engine, args.forvaltning, args.period)
    html = args.output or Path(f"kontokontroller_{args.forvaltning}_{args.period}.html")
    with scratch as copy:
        run = run_controls(copy or engine, args.forvaltning, args.period)
        if args.format == "html":  # explained on the engine the run saw (the copy is gone after this block)
            _say(f"Skrev {write_html(run, html, engine=copy or engine)}")
    report = kontokontroller_report(run)
    if args.format == "xlsx":
        from bokslut.lineage.report_workbook import write_workbook

        _say(f"Skrev {write_workbook([report], args.output or Path(f'kontokontroller_{args.forvaltning}_{args.period}.xlsx'))}")
    elif args.format == "html":
        pass  # written above, while the run's engine is open
    elif args.output is None:
        write_tsv(report, sys.stdout)
    else:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        with args.output.open("w", encoding="utf-8", newline="") as fh:
            write_tsv(report, fh)
        _say(f"Skrev {args.output}")
    for result in run.results:
        if result.not_checkable:
            _say(f"{result.control_id} {result.status_text}: {result.name}")
        elif result.failed or (result.status == "info" and result.difference_ore):
            difference = "okänd" if result.difference_ore is None else f"{format_swedish(result.difference_ore)} kr"
            shown = " (information, stoppar inte publiceringen)" if result.status == "info" else ""
            _say(f"{result.control_id} {result.status}: {result.name} – differens {difference}{shown}")
    if run.blocking_failures:
        _say(f"fel: {len(run.blocking_failures)} blockerande kontroll(er) stämmer inte för {args.forvaltning} {args.period}.")
        return EXIT_INPUT
    return EXIT_OK


def _demo_data(args: argparse.Namespace) -> int:
    from bokslut.generator.city import generate_city

    sets = generate_city(args.year, args.output, args.forvaltning, rows=args.rows, seed=args.seed, progress=_say)
    counts = ", ".join(f"{s.forvaltning}: {s.postings}" for s in sets)
    _say(f"Skrev syntetiska exportfiler för {args.year} till {args.output} (konteringar per förvaltning {counts})")
    return EXIT_OK


def _db(args: argparse.Namespace) -> int:
    from bokslut.warehouse.db import current_revision, get_engine, upgrade

    engine = get_engine()
    if args.action == "upgrade":
        upgrade(engine)
    print(current_revision(engine))
    return EXIT_OK


def _templates(args: argparse.Namespace) -> int:
    from bokslut.commands import templates as templates_cli

    return templates_cli.run(args)


def _explain(args: argparse.Namespace) -> int:
    from bokslut.commands import explain as explain_cli

    return explain_cli.run(args)


def _hr_command(args: argparse.Namespace) -> int:
    from bokslut.commands import hr as hr_cli

    return hr_cli.COMMANDS[args.command](args)


COMMANDS = {"load": _load, "report": _report, "controls": _controls, "demo-data": _demo_data, "db": _db,
            "templates": _templates, "manual-input": _templates, "explain": _explain, "nyckeltal": _hr_command, "kaa": _hr_command}


# Commands that reach Airflow's hooks (alert channels, delivery mail, the pseudonym Variable).
AIRFLOW_COMMANDS = frozenset({"load", "templates", "manual-input"})


def _airflow_logs_to_stderr() -> None:
    """Importing Airflow points the root logger at stdout, and the alert and delivery channels
    import it half-way through a command; stdout is for a command's data and stderr for what it
    says, so Airflow is imported first and its console handler moved to stderr, at WARNING: the
    command's own progress is its Swedish lines, the INFO records are for task logs."""
    import logging

    import airflow  # noqa: F401 - configures logging once, on import

    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler) and getattr(handler, "stream", None) is sys.stdout:
            handler.setStream(sys.stderr)
            handler.setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from bokslut.errors import explain, install_signal_handlers

    install_signal_handlers()  # SIGTERM ends a load like Ctrl-C: staged rows are cleaned up
    try:
        if args.command in AIRFLOW_COMMANDS:
            _airflow_logs_to_stderr()
        return COMMANDS[args.command](args)
    except BaseException as exc:  # noqa: BLE001 - every failure ends as one Swedish line
        if isinstance(exc, SystemExit):
            raise
        code, message = explain(exc)
        if args.debug:
            import traceback

            traceback.print_exc()
        _say(f"fel: {message}")
        return code


if __name__ == "__main__":
    sys.exit(main())
