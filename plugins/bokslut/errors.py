"""Every failure of a command as one Swedish line and a documented exit code.

The CLI catches everything at its top and asks :func:`explain` what to say; ``--debug`` adds the
traceback. Finance and operators read these lines, so each names what failed and what to do.

Exit codes (for the README)::

    0    klart
    1    fel i indata: en fil avvisades, en mappning/fil saknas eller är trasig, en blockerande
         kontroll stämmer inte, inget att rapportera
    2    fel användning: okänt kommando, ogiltigt argument (argparse)
    3    miljöfel: databasen nås inte eller vägrar (värd, port, databas, användare),
         lagret är skrivskyddat, skadat eller har fel schemaversion ('bokslut db upgrade'),
         en mapp saknas/är skrivskyddad/disken är full, en ogiltig inställning (BOKSLUT_*),
         och oväntade fel ("Oväntat fel (...); kör med --debug för detaljer")
    130  avbruten (Ctrl-C eller SIGTERM); påbörjade inläsningar städas bort

Each error is ONE line on stderr starting with ``fel:``; no message contains a password or the
contents of a file (only file and folder names). An unexpected error also appends its traceback
*without messages or values* (exception types, files, lines, functions) to
``$BOKSLUT_DATA_DIR/logs/bokslut-errors.log`` when that folder is writable.
"""

from __future__ import annotations

import errno
import signal
from pathlib import Path

from bokslut.problems import EnvironmentProblem, Interrupted, os_reason

__all__ = ["EnvironmentProblem", "Interrupted", "explain", "install_signal_handlers", "os_reason"]

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_ENVIRONMENT, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
ERROR_LOG = Path("logs") / "bokslut-errors.log"  # under BOKSLUT_DATA_DIR


def _on_sigterm(signum, frame) -> None:  # noqa: ANN001 - signal handler signature
    raise Interrupted("avbruten av en signal (SIGTERM)")


def install_signal_handlers() -> None:
    """SIGTERM raises :class:`Interrupted` so the work in progress cleans up as after Ctrl-C."""
    signal.signal(signal.SIGTERM, _on_sigterm)


def explain(exc: BaseException) -> tuple[int, str]:
    """(exit code, one Swedish line without the leading 'fel: ') for ``exc``."""
    for candidate in _chain(exc):
        known = _known(candidate)
        if known is not None:
            code, message = known
            return code, " ".join(message.split())  # one line, whatever the parts held
    log = _log_unexpected(exc)
    where = f" (spår utan data: {log})" if log else ""
    return EXIT_ENVIRONMENT, f"Oväntat fel ({type(exc).__name__}); kör med --debug för detaljer{where}."


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and what it was raised from or during (a wrapped OSError is still a full disk)."""
    seen: list[BaseException] = []
    while exc is not None and exc not in seen and len(seen) < 5:
        seen.append(exc)
        exc = exc.__cause__ or exc.__context__
    return seen


def _known(exc: BaseException) -> tuple[int, str] | None:
    from bokslut.ingest.errors import InputFileError

    if isinstance(exc, (Interrupted, KeyboardInterrupt)):
        return EXIT_INTERRUPTED, "Körningen avbröts; påbörjade inläsningar städades bort och publicerade data är oförändrade."
    if isinstance(exc, EnvironmentProblem):
        return EXIT_ENVIRONMENT, str(exc)
    if isinstance(exc, InputFileError):
        return EXIT_INPUT, str(exc)
    module = type(exc).__module__
    if module.startswith(("sqlalchemy", "psycopg", "sqlite3")):
        return _database(exc)
    if module.startswith("yaml"):
        return EXIT_INPUT, _yaml(exc)
    if isinstance(exc, MemoryError):
        return EXIT_ENVIRONMENT, "Minnet tog slut; sänk BOKSLUT_CHUNK_ROWS (rader per omgång) eller kör på en större maskin."
    if isinstance(exc, BrokenPipeError):  # `bokslut report ... | head`: the reader stopped early
        _silence_stdout()
        return EXIT_ENVIRONMENT, "Mottagaren av utdata (stdout) slutade läsa i förtid, t.ex. 'head'; resten skrevs inte."
    if isinstance(exc, OSError):
        return _os(exc)
    if isinstance(exc, ValueError) and not isinstance(exc, UnicodeError):  # our own checks raise Swedish ValueErrors
        return EXIT_INPUT, str(exc)
    return None


# --- the operating system ---------------------------------------------------------------------



def _silence_stdout() -> None:
    """Point stdout at /dev/null so Python's final flush does not print a second (English) error."""
    import os
    import sys

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real stdout (tests): nothing to silence
        pass


def _os(exc: OSError) -> tuple[int, str]:
    target = exc.filename2 if exc.filename2 is not None else exc.filename  # copy: the destination failed
    if exc.errno == errno.ENOENT and target is not None:
        return EXIT_INPUT, f"Filen eller mappen {target} finns inte."
    reason = os_reason(exc)
    if target is None:
        return EXIT_ENVIRONMENT, (f"Kan inte läsa eller skriva: {reason}; kontrollera mapparna i BOKSLUT_DATA_DIR, "
                                  "BOKSLUT_ARCHIVE_DIR och BOKSLUT_WAREHOUSE_URL.")
    path = Path(str(target))
    is_file = path.is_file() or (not path.exists() and bool(path.suffix))  # else a folder being made or used
    if exc.errno in (errno.ENOTDIR, errno.EEXIST) or not is_file:
        return EXIT_ENVIRONMENT, f"Kan inte använda mappen {path}: {reason}."
    return EXIT_ENVIRONMENT, f"Kan inte använda filen {path.name} i mappen {path.parent}: {reason}."


# --- YAML (mapping files) ---------------------------------------------------------------------

def _yaml(exc: BaseException) -> str:
    mark = getattr(exc, "problem_mark", None)
    where = f" (rad {mark.line + 1}, kolumn {mark.column + 1})" if mark is not None else ""
    name = getattr(mark, "name", "") if mark is not None else ""
    named = f" {name}" if name and not name.startswith("<") else ""
    return f"Mappningsfilen{named} är inte giltig YAML{where}; rätta filen (se include/mappings för exempel)."


# --- the database -----------------------------------------------------------------------------

_DB_REASONS = (  # (text in the driver's message, Swedish reason); first match wins
    ("connection refused", "servern svarar inte (anslutningen nekades); kör PostgreSQL, och stämmer värd och port?"),
    ("could not translate host name", "värdnamnet finns inte"),
    ("name or service not known", "värdnamnet finns inte"),
    ("temporary failure in name resolution", "värdnamnet kan inte slås upp just nu"),
    ("timeout expired", "servern svarade inte inom tidsgränsen"),
    ("timed out", "servern svarade inte inom tidsgränsen"),
    ("no route to host", "värden går inte att nå"),
    ("network is unreachable", "nätet till värden går inte att nå"),
    ("password authentication failed", "inloggningen nekades (fel användare eller lösenord)"),
    ("no password supplied", "servern kräver ett lösenord men inget angavs"),
    ("no pg_hba.conf entry", "servern tar inte emot anslutningar från den här datorn/användaren (pg_hba.conf)"),
    ("does not exist", None),  # database or role: decided below
    ("too many connections", "servern har för många anslutningar; försök igen om en stund"),
    ("the database system is starting up", "servern håller på att starta; försök igen om en stund"),
    ("the database system is shutting down", "servern håller på att stängas av"),
    ("server closed the connection", "servern stängde anslutningen"),
    ("terminating connection", "servern stängde anslutningen"),
    ("read-only transaction", "lagret är skrivskyddat men kommandot behöver skriva"),
    ("attempt to write a readonly database", "lagret är skrivskyddat men kommandot behöver skriva; "
                                             "kör det som en användare som får skriva i lagrets fil och mapp"),
    ("readonly database", "lagret är skrivskyddat men kommandot behöver skriva"),
    ("permission denied", "behörighet saknas i databasen"),
    ("unable to open database file", "filen kan inte öppnas eller skapas (finns mappen, och får programmet läsa och "
                                     "skriva där?)"),
    ("database is locked", "lagret är låst av en annan körning; försök igen när den är klar"),
    ("file is not a database", "filen är skadad eller ingen SQLite-databas; återställ den från säkerhetskopian"),
    ("malformed", "filen är skadad; återställ den från säkerhetskopian"),
    ("file is encrypted", "filen är skadad eller ingen SQLite-databas; återställ den från säkerhetskopian"),
    ("database or disk is full", "disken är full"),
    ("no space left on device", "disken är full"),
    ("could not extend file", "disken är full"),
    ("disk i/o error", "läs- eller skrivfel: filen är avkortad/skadad eller disken felar; kontrollera disken och "
                       "återställ filen från säkerhetskopian"),
    ("no such table", "lagrets schema är inte uppgraderat; kör 'bokslut db upgrade'"),
    ("undefinedtable", "lagrets schema är inte uppgraderat; kör 'bokslut db upgrade'"),
)


def _database(exc: BaseException) -> tuple[int, str]:
    import sqlalchemy as sa

    if isinstance(exc, sa.exc.ArgumentError):  # a URL that cannot be parsed or names an unknown dialect
        return EXIT_ENVIRONMENT, ("BOKSLUT_WAREHOUSE_URL går inte att tolka som en databasadress; ange t.ex. "
                                  "postgresql+psycopg://användare@värd:5432/databas eller sqlite:////sökväg/lager.sqlite.")
    orig = getattr(exc, "orig", None) or exc
    first = (str(orig).strip().splitlines() or [""])[0]  # later lines (DETAIL) may quote row values
    text = f"{type(orig).__name__} {first}".lower()
    from bokslut.warehouse.db import describe_url

    where = describe_url()
    if "integer overflow" in text or "out of range" in text or "numericvalueoutofrange" in text:
        return EXIT_INPUT, ("Beloppen summerar till mer än lagret kan räkna exakt (heltalsöverflöd); inget "
                            "publicerades. Kontrollera beloppen i filerna (ett fel i exporten?).")
    for needle, reason in _DB_REASONS:
        if needle in text:
            if reason is None:
                if "database" in text:
                    reason = "databasen finns inte på servern; rätta databasnamnet i BOKSLUT_WAREHOUSE_URL eller skapa den"
                elif "role" in text:
                    reason = "användaren finns inte på servern"
                elif "relation" in text or "table" in text:
                    reason = "lagrets schema är inte uppgraderat; kör 'bokslut db upgrade'"
                else:
                    continue
            return EXIT_ENVIRONMENT, f"{where[0].upper()}{where[1:]}: {reason}" + ("" if reason.endswith("?") else ".")
    if isinstance(exc, (sa.exc.OperationalError, sa.exc.InterfaceError)) or _is_driver_error(orig):
        return EXIT_ENVIRONMENT, f"{where[0].upper()}{where[1:]} kan inte användas ({type(orig).__name__}); kör med --debug för detaljer."
    return EXIT_ENVIRONMENT, (f"Oväntat databasfel ({type(orig).__name__}) i {where}; kör med --debug för detaljer.")


def _is_driver_error(exc: BaseException) -> bool:
    return type(exc).__module__.startswith(("psycopg", "sqlite3")) and "Operational" in type(exc).__name__


# --- the unexpected ---------------------------------------------------------------------------

def _log_unexpected(exc: BaseException) -> Path | None:
    """Append the traceback's shape (types, files, lines, functions; no messages, no values)."""
    import sys
    import traceback
    from datetime import datetime

    try:
        from bokslut.settings import data_dir

        path = data_dir() / ERROR_LOG
        path.parent.mkdir(parents=True, exist_ok=True)
        command = next((a for a in sys.argv[1:] if not a.startswith("-")), "")
        lines = [f"{datetime.now().isoformat(timespec='seconds')} bokslut {command}: "
                 + " <- ".join(type(e).__name__ for e in _chain(exc))]
        for e in _chain(exc):
            lines.append(f"  {type(e).__name__}:")
            lines += [f"    {f.filename}:{f.lineno} i {f.name}" for f in traceback.extract_tb(e.__traceback__)]
        with path.open("a", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")
        return path
    except Exception:  # noqa: BLE001 - the log is a help, never a second failure
        return None

