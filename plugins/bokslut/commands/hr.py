"""``bokslut load hr|ber``, ``bokslut nyckeltal`` and ``bokslut kaa`` (wired into ``bokslut.cli``).

Wiring, in ``bokslut/cli.py``::

    from bokslut.commands import hr as hr_cli
    ...                                  # in _parser(), after the "load" subparser exists:
    hr_cli.add_subcommands(sub)          # adds nyckeltal and kaa, and hr/ber to load's choices
    ...                                  # first line of _load():
    if args.source in hr_cli.LOAD_SOURCES:
        return hr_cli.load_command(args)
    ...
    COMMANDS.update(hr_cli.COMMANDS)

Exit codes as for every command: 0 success, 1 bad input (InputFileError/ValueError, caught by
``bokslut.cli.main``), 2 wrong usage. Progress and errors go to stderr in Swedish; no message
ever contains a personnummer (``docs/personal-data.md``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bokslut import arguments
from bokslut.domain.periods import TERTIAL_CODES, get_point
from bokslut.names import SOURCE_GROUPS as GROUPS  # light: nothing heavy at ``bokslut --help``

EXIT_OK, EXIT_INPUT, EXIT_USAGE = 0, 1, 2
LOAD_SOURCES = frozenset(GROUPS) | {s for sources in GROUPS.values() for s in sources}  # hr, ber, each extract


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def add_subcommands(sub: argparse._SubParsersAction) -> None:
    """Add ``nyckeltal`` and ``kaa``; let an existing ``load`` parser accept ``hr`` and ``ber``."""
    load = sub.choices.get("load")
    if load is not None:
        for action in load._actions:  # noqa: SLF001 - argparse keeps the choices on the action
            if action.dest == "source" and action.choices is not None:
                action.choices = sorted(set(action.choices) | LOAD_SOURCES)

    nyckeltal = sub.add_parser("nyckeltal", help="HR-nyckeltal 122–129 från LISA (TSV till stdout som standard)")
    nyckeltal.add_argument("--forvaltning", type=arguments.forvaltning, required=True)
    nyckeltal.add_argument("--year", type=arguments.year, required=True, help="kalenderår, t.ex. 2024")
    nyckeltal.add_argument("--tertial", choices=TERTIAL_CODES, help="året t.o.m. april (T1) eller augusti (T2)")
    nyckeltal.add_argument("--format", choices=["tsv", "xlsx"], default="tsv")
    nyckeltal.add_argument("-o", "--output", type=Path, help="fil (TSV till stdout om den utelämnas)")

    kaa = sub.add_parser("kaa", help="KAA-statistik från BER, 1 december–30 november (TSV till stdout som standard)")
    kaa.add_argument("--year", type=arguments.year, required=True, help="statistikåret: 1 december året före – 30 november")
    kaa.add_argument("--forvaltning", type=arguments.forvaltning, default="191")
    kaa.add_argument("--format", choices=["tsv", "xlsx"], default="tsv")
    kaa.add_argument("-o", "--output", type=Path, help="fil (TSV till stdout om den utelämnas)")


def load_command(args: argparse.Namespace) -> int:
    """``bokslut load hr|ber|<extract> FILE|DIR...``: stage, audit, publish each file in order."""
    from bokslut.hr.readers import plan

    source = args.source
    mapping = getattr(args, "mapping", None)
    if source in GROUPS:
        if mapping is not None:
            _say(f"fel: --mapping gäller en källa; ange den, t.ex. 'bokslut load {GROUPS[source][0]} FIL --mapping ...'.")
            return EXIT_USAGE
        planned = plan(source, args.paths)
    else:  # one extract named: every file given is that extract
        planned = [(source, p) for p in _files(args.paths)]
    only = getattr(args, "forvaltning", None) or []
    if only:  # ``--forvaltning``: only those förvaltningar's extracts; the others are left where they are
        planned = [(extract, path) for extract, path in planned if _forvaltning_of(extract, path) in only]
    if not planned:
        from bokslut.hr.pseudonym import mask_personnummer

        which = f" för förvaltning {', '.join(only)}" if only else ""
        _say(f"fel: inga filer att läsa in{which} under {mask_personnummer(', '.join(map(str, args.paths)))}.")
        return EXIT_INPUT
    from bokslut.flows import personal
    from bokslut.flows.ledger import say_outcome

    group = source if source in GROUPS else next(g for g, extracts in GROUPS.items() if source in extracts)
    results = personal.load_paths(group, planned, mapping_path=mapping, force=getattr(args, "force", False),
                                  replace=getattr(args, "replace", ()), progress=_say)
    rejected = say_outcome(results, _say, "Publicerade månader är oförändrade.")
    return EXIT_INPUT if rejected else EXIT_OK


def _forvaltning_of(extract: str, path: Path) -> str:
    """An extract's förvaltning: its file name's, else its first row's, else the format's default
    (an extract without a Förvaltning column belongs to the förvaltning that delivers it)."""
    from bokslut.flows.ledger import forvaltning_of
    from bokslut.ingest.formats import DEFAULT_FORVALTNING

    return forvaltning_of({"source": extract, "path": str(path)}) or DEFAULT_FORVALTNING


def _files(paths: list[Path]) -> list[Path]:
    from bokslut.hr.pseudonym import mask_personnummer
    from bokslut.ingest.errors import InputFileError
    from bokslut.ingest.write_audit_publish import expand_paths

    try:
        return expand_paths(paths)
    except InputFileError as exc:  # the path named may hold a personnummer
        raise InputFileError(mask_personnummer(str(exc))) from None


def _write_text(output: Path | None, write) -> None:  # noqa: ANN001 - a writer taking a text stream
    if output is None:
        write(sys.stdout)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8", newline="") as fh:
        write(fh)
    _say(f"Skrev {output}")


def _require_snapshots(engine, source: str, label: str, forvaltning: str, first: int, last: int,  # noqa: ANN001
                       span: str = "") -> None:
    """An unknown förvaltning, or no published extract in months ``first``–``last`` (YYYYMM), is an
    error, never a set of empty figures."""
    from bokslut.hr.readers import published_partitions

    months = (int(p.split(":")[1]) for p in published_partitions(engine, [source]).get(source, [])
              if p.split(":")[0] == forvaltning)
    if not any(first <= month <= last for month in months):
        raise ValueError(f"Förvaltning {forvaltning} har inga publicerade {label} för {span}{first}–{last}"
                         f"{')' if span else ''}: kontrollera förvaltningskoden eller läs in uttagen först.")


def nyckeltal_command(args: argparse.Namespace) -> int:
    from bokslut.hr.keyfigures import key_figures
    from bokslut.hr.output import write_key_figures_tsv, write_key_figures_xlsx
    from bokslut.warehouse.db import reader_engine

    months = get_point(args.tertial).last_month if args.tertial else 12
    engine = reader_engine()
    # the figures use the latest snapshot up to the period: last December's counts for an early tertial
    _require_snapshots(engine, "hr_anstallning", "LISA-uttag (anställningar)", args.forvaltning,
                       (args.year - 1) * 100 + 12, args.year * 100 + months)
    figures = key_figures(engine, args.forvaltning, args.year, months)
    for note in figures.notes:
        _say(f"obs: {note}")
    if args.format == "xlsx":
        suffix = f"_{args.tertial}" if args.tertial else ""
        path = args.output or Path(f"nyckeltal_{args.forvaltning}_{args.year}{suffix}.xlsx")
        _say(f"Skrev {write_key_figures_xlsx(figures, path)}")
    else:
        _write_text(args.output, lambda fh: write_key_figures_tsv(figures, fh))
    return EXIT_OK


def kaa_command(args: argparse.Namespace) -> int:
    from bokslut.hr.kaa import kaa_statistics
    from bokslut.hr.output import write_kaa_tsv, write_kaa_xlsx
    from bokslut.warehouse.db import reader_engine

    engine = reader_engine()
    _require_snapshots(engine, "ber_registrering", "BER-uttag (KAA-registreringar)", args.forvaltning,
                       (args.year - 1) * 100 + 12, args.year * 100 + 11, span=f"statistikåret {args.year} (")  # Dec–Nov
    stats = kaa_statistics(engine, args.year, args.forvaltning)
    for note in stats.notes:
        _say(f"obs: {note}")
    if args.format == "xlsx":
        path = args.output or Path(f"kaa_{args.forvaltning}_{args.year}.xlsx")
        _say(f"Skrev {write_kaa_xlsx(stats, path)}")
    else:
        _write_text(args.output, lambda fh: write_kaa_tsv(stats, fh))
    return EXIT_OK


COMMANDS = {"nyckeltal": nyckeltal_command, "kaa": kaa_command}
