"""Personnummer in, pseudonym out: validation, the keyed hash, and key rotation.

A personnummer is read only to compute ``HMAC-SHA256(key, "<domain>:<YYYYMMDDNNNN>")`` (hex) at
ingest; the number itself is never stored, logged or written anywhere, and neither is a file
name holding one (:func:`mask_personnummer`, :func:`safe_file_name`, :func:`archive_file_name`).
The key comes from the environment variable ``BOKSLUT_PSEUDONYM_KEY`` (in Airflow: the Variable
``bokslut_pseudonym_secret``, a name Airflow masks, see :func:`configure_from_airflow`). There is
no default key: without one nothing is read. See ``docs/personal-data.md``.

Accepted spellings: ``YYYYMMDD-NNNN``, ``YYYYMMDDNNNN``, ``YYMMDD-NNNN`` and ``YYMMDD+NNNN``
(``+``: 100 years or older). The date must exist, the last digit is the Luhn check digit over
``YYMMDDNNN``; a samordningsnummer (day + 60) is accepted. All spellings of one number give the
same pseudonym.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bokslut.ingest.errors import InputFileError
from bokslut.settings import PSEUDONYM_KEY_ENV as KEY_ENV
from bokslut.settings import pseudonym_key as _key_in_environment
from bokslut.textsafety import MASK, PERSONNUMMER_LIKE, mask_personnummer  # noqa: F401 - re-exported

# The name holds "secret", one of Airflow's sensitive words (DEFAULT_SENSITIVE_FIELDS): the UI, the
# REST API and the task logs show the value as "***".
AIRFLOW_VARIABLE = "bokslut_pseudonym_secret"
# The old name: Airflow shows its value in clear, so it is refused, never read.
LEGACY_AIRFLOW_VARIABLE = "bokslut_pseudonym_key"
MIN_KEY_LENGTH = 32

_SPELLING = re.compile(r"(?:(?P<century>\d{2})(?P<long>\d{6})-?|(?P<short>\d{6})(?P<sep>[-+]))(?P<serial>\d{4})")

_configured_key: str | None = None  # set by configure_from_airflow(); the environment wins


class PseudonymKeyError(InputFileError):
    """The pseudonymisation key is missing or too short (message in Swedish)."""


class PersonnummerError(ValueError):
    """Not a valid personnummer; the message never contains the value."""


# --- personnummer --------------------------------------------------------------------------------

def luhn_digit(nine_digits: str) -> int:
    """The check digit of ``YYMMDDNNN`` (modulus 10, weights 2 and 1)."""
    total = 0
    for i, ch in enumerate(nine_digits):
        product = int(ch) * (2 if i % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10


def _century(yy: int, mmdd: tuple[int, int], plus: bool, today: date) -> int:
    """The birth year for a 10-digit number: the latest year ending in ``yy`` not after today,
    a hundred years earlier for ``+``."""
    year = today.year - (today.year - yy) % 100
    if (year, *mmdd) > (today.year, today.month, today.day):
        year -= 100
    return year - 100 if plus else year


def normalise_personnummer(text: str, *, today: date | None = None) -> str:
    """``YYYYMMDDNNNN`` for any accepted spelling; raises PersonnummerError (value not in the message)."""
    match = _SPELLING.fullmatch(text.strip())
    if not match:
        raise PersonnummerError(
            "Personnumret har fel format (väntat ÅÅÅÅMMDD-NNNN, ÅÅÅÅMMDDNNNN, ÅÅMMDD-NNNN eller ÅÅMMDD+NNNN)."
        )
    serial = match["serial"]
    if match["long"]:
        digits = match["long"]
        year = int(match["century"] + digits[:2])
    else:
        digits = match["short"]
    month, day = int(digits[2:4]), int(digits[4:6])
    real_day = day - 60 if day > 60 else day  # samordningsnummer
    if not match["long"]:
        year = _century(int(digits[:2]), (month, max(real_day, 1)), match["sep"] == "+", today or date.today())
    try:
        date(year, month, real_day)
    except ValueError:
        raise PersonnummerError("Personnumret innehåller inget giltigt födelsedatum.") from None
    if luhn_digit(digits + serial[:3]) != int(serial[3]):
        raise PersonnummerError("Personnumrets kontrollsiffra stämmer inte.")
    return f"{year:04d}{month:02d}{day:02d}{serial}"


def spellings(normalised: str) -> tuple[str, ...]:
    """Every way ``YYYYMMDDNNNN`` can be written (the personal-data test greps for all of them)."""
    long, short, serial = normalised[:8], normalised[2:8], normalised[8:]
    return (f"{long}-{serial}", f"{long}{serial}", f"{short}-{serial}", f"{short}+{serial}", f"{short}{serial}")


def safe_file_name(name: str) -> str:
    """The name of an input file as it may be recorded or shown (``load_audit.file_name``,
    quarantine, messages, logs): any personnummer in it masked. ``lisa_19980101-9806_dec.csv`` →
    ``lisa_(personnummer dolt)_dec.csv``."""
    return mask_personnummer(name)


def archive_file_name(sha256: str, name: str) -> str:
    """The archive's name for a personal-data original: ``<sha256>.<suffix>``, nothing of the
    original name (the SHA-256 is in ``load_audit``). The suffix is kept (lower case) because the
    readers tell xlsx from CSV by it; a suffix that looks like part of a number is dropped."""
    suffix = Path(name).suffix.lower()
    if not re.fullmatch(r"\.[a-z][a-z0-9]{0,7}", suffix):
        suffix = ""
    return f"{sha256}{suffix}"


# --- the key ---------------------------------------------------------------------------------------

def configure_from_airflow() -> None:
    """Inside an Airflow task: take the key from the Variable ``bokslut_pseudonym_secret`` when
    the environment has none (keep it in a secrets backend, or as
    ``AIRFLOW_VAR_BOKSLUT_PSEUDONYM_SECRET``).

    A Variable under the old name ``bokslut_pseudonym_key`` is refused with a Swedish
    PseudonymKeyError, even when the environment holds the key (inside Airflow, i.e. once
    ``airflow.sdk`` is imported; the command line does not import Airflow for this): Airflow does
    not mask that name, so anyone with access to Variables in the UI or the REST API reads the key
    in clear. Its value is never read into the pipeline.
    """
    global _configured_key
    if _key_in_environment() and "airflow.sdk" not in sys.modules:
        return  # the command line: the key is set and there is no Airflow to check (nor to import)
    try:
        from airflow.sdk import Variable
    except ImportError:  # pragma: no cover - outside Airflow
        return
    if Variable.get(LEGACY_AIRFLOW_VARIABLE, default=None) is not None:
        raise PseudonymKeyError(
            f"Airflow-variabeln {LEGACY_AIRFLOW_VARIABLE} används inte längre: Airflow visar dess värde i klartext "
            f"i webbgränssnittet och API:t. Lägg nyckeln i variabeln {AIRFLOW_VARIABLE} i stället (Airflow "
            f"maskerar namn med 'secret'), eller i miljövariabeln {KEY_ENV}, och ta bort {LEGACY_AIRFLOW_VARIABLE}. "
            "Nyckeln kan ha setts av andra: överväg att byta den (se nyckelbyte i docs/personal-data.md). "
            "Inga personuppgifter lästes in."
        )
    if _key_in_environment():
        return
    _configured_key = Variable.get(AIRFLOW_VARIABLE, default=None)


def _validated(key: str | None) -> bytes:
    if not key:
        raise PseudonymKeyError(
            f"Nyckel för pseudonymisering saknas: sätt miljövariabeln {KEY_ENV} (minst {MIN_KEY_LENGTH} tecken; "
            f"i Airflow variabeln {AIRFLOW_VARIABLE}). Inga personuppgifter lästes in."
        )
    if len(key) < MIN_KEY_LENGTH:
        raise PseudonymKeyError(
            f"Nyckeln för pseudonymisering är för kort ({len(key)} tecken): den ska ha minst {MIN_KEY_LENGTH} "
            "slumpmässiga tecken. Inga personuppgifter lästes in."
        )
    return key.encode("utf-8")


def current_key() -> bytes:
    """The key in use; raises PseudonymKeyError (Swedish) when none is configured. Never logged."""
    return _validated(_key_in_environment() or _configured_key)


def pseudonymise(domain: str, value: str, key: bytes) -> str:
    """``HMAC-SHA256(key, "<domain>:<value>")`` as 64 hex characters."""
    return hmac.new(key, f"{domain}:{value}".encode(), hashlib.sha256).hexdigest()


# --- key rotation ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class RotationResult:
    mapped: int  # distinct pseudonyms in the mapping (old → new)
    updated_rows: int  # rows changed in the warehouse


def _archived_identifiers(paths: Iterable[Path], source: str) -> Iterable[tuple[str, str]]:
    """(domain, normalised value) of every identifier in the archived originals of ``source``."""
    from bokslut.ingest.formats import SOURCES
    from bokslut.ingest.mapping import load_mapping
    from bokslut.ingest.read import inspect_file, iter_chunks

    fmt = SOURCES[source]
    fields = [f for f in fmt.fields if f.kind in ("personnummer", "pseudonym")]
    for path in paths:
        facts = inspect_file(path)
        for chunk in iter_chunks(path, facts, fmt, load_mapping(fmt), 200_000):
            for fld in fields:
                if fld.header not in chunk.frame:
                    continue
                for text in chunk.frame[fld.header].dropna().astype(str).str.strip().unique():
                    if not text:
                        continue
                    if fld.kind == "personnummer":
                        try:
                            yield fld.domain, normalise_personnummer(text)
                        except PersonnummerError:
                            continue  # a row that was quarantined never reached the warehouse
                    else:
                        yield fld.domain, text


def rotate_key(engine, archive_dir: Path, old_key: str, new_key: str) -> RotationResult:  # noqa: ANN001 - Engine
    """Re-key every pseudonym in the warehouse from ``old_key`` to ``new_key`` in one transaction.

    The mapping old → new is computed from the archived originals (the only place personnummer
    exist) with both keys, held in a temporary table for the update and dropped with the
    transaction. Every pseudonym in the warehouse must be in the mapping; otherwise nothing is
    changed (wrong old key, or archived originals deleted) and ValueError says so.
    """
    import sqlalchemy as sa

    from bokslut.ingest.formats import BER_SOURCES, HR_SOURCES

    old, new = _validated(old_key), _validated(new_key)
    if old == new:
        raise ValueError("Den nya nyckeln är samma som den gamla; ingenting ändrades.")
    mapping: dict[str, str] = {}
    for fmt in (*HR_SOURCES, *BER_SOURCES):
        folder = Path(archive_dir) / fmt.name
        files = sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
        for domain, value in _archived_identifiers(files, fmt.name):
            mapping[pseudonymise(domain, value, old)] = pseudonymise(domain, value, new)
    columns = [(fmt.table.name, f.column) for fmt in (*HR_SOURCES, *BER_SOURCES)
               for f in fmt.fields if f.kind in ("personnummer", "pseudonym")]
    tmp = sa.Table("tmp_pseudonym_rotation", sa.MetaData(), sa.Column("old_id", sa.String(64), primary_key=True),
                   sa.Column("new_id", sa.String(64), nullable=False), prefixes=["TEMPORARY"])
    updated = 0
    with engine.begin() as connection:
        tmp.drop(connection, checkfirst=True)  # SQLite keeps a temporary table of a failed run on its connection
        tmp.create(connection)
        rows = [{"old_id": o, "new_id": n} for o, n in mapping.items()]
        for start in range(0, len(rows), 10_000):
            connection.execute(tmp.insert(), rows[start:start + 10_000])
        for table, column in columns:
            missing = connection.execute(sa.text(
                f"SELECT COUNT(DISTINCT {column}) FROM {table} WHERE {column} NOT IN (SELECT old_id FROM tmp_pseudonym_rotation)"
            )).scalar()
            if missing:
                raise ValueError(
                    f"{missing} pseudonym(er) i {table}.{column} finns inte i arkivets originalfiler med den gamla "
                    "nyckeln (fel gammal nyckel, eller saknade arkivfiler); ingenting ändrades."
                )
        for table, column in columns:
            updated += connection.execute(sa.text(
                f"UPDATE {table} SET {column} = (SELECT m.new_id FROM tmp_pseudonym_rotation m WHERE m.old_id = {table}.{column})"
            )).rowcount or 0
        tmp.drop(connection)
    return RotationResult(mapped=len(mapping), updated_rows=updated)
