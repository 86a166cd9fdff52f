"""``bokslut``'s parser shape with the HR subcommands added the way the lead wires them in."""

from __future__ import annotations

import argparse
from pathlib import Path


def parser() -> argparse.ArgumentParser:
    from bokslut.commands import hr as hr_cli
    from bokslut.ingest.formats import SOURCES

    top = argparse.ArgumentParser(prog="bokslut")
    sub = top.add_subparsers(dest="command", required=True)
    load = sub.add_parser("load")
    load.add_argument("source", choices=sorted(SOURCES))
    load.add_argument("paths", nargs="+", type=Path)
    load.add_argument("--mapping", type=Path)
    load.add_argument("--force", action="store_true")
    hr_cli.add_subcommands(sub)
    return top


def run(argv: list[str]) -> int:
    """Like ``bokslut.cli.main``: bad input (InputFileError, ValueError) is exit 1 with a Swedish line."""
    import sys

    from bokslut.commands import hr as hr_cli
    from bokslut.ingest.errors import InputFileError

    args = parser().parse_args(argv)
    try:
        if args.command == "load":
            return hr_cli.load_command(args)
        return hr_cli.COMMANDS[args.command](args)
    except (InputFileError, ValueError) as exc:
        print(f"fel: {exc}", file=sys.stderr)
        return 1
