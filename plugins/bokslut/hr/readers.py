"""The HR and BER extracts through the ingestion framework: which extract a file is, in which
order files load, and write-audit-publish with the personal-data safeguards.

``hr`` and ``ber`` are groups of sources. A file belongs to a source by its folder (named like
the source, e.g. ``hr/hr_franvaro/``) or by the start of its name, case-insensitive:

=================  =====================================================
source             file name starts with (after an optional ``hr_``/``ber_``)
=================  =====================================================
hr_anstallning     ``anstallning``, ``anställning``
hr_franvaro        ``franvaro``, ``frånvaro``
hr_avtalad_tid     ``avtalad``
ber_registrering   ``registrering``
ber_kontakt        ``kontakt``
=================  =====================================================

Employments load before absence (absence is checked against the employment snapshot of its
month) and registrations before contacts; within a source, files load in name order.

No message, log line, audit or quarantine row of these sources shows a personnummer, not even
one in a file name (``docs/personal-data.md``): names are shown through
:func:`~bokslut.hr.pseudonym.safe_file_name` here, and the generic loader masks every name,
message and quarantine value it records (``ingest.limits.shown_name``, ``ingest.validate``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bokslut.hr.pseudonym import current_key, mask_personnummer, safe_file_name
from bokslut.ingest.errors import InputFileError
from bokslut.ingest.formats import SOURCE_GROUPS, SOURCES
from bokslut.ingest.status import INPUT_SUFFIXES, LoadStatus
from bokslut.warehouse.schema import quarantine

if TYPE_CHECKING:
    from bokslut.ingest.write_audit_publish import LoadResult

log = logging.getLogger(__name__)

GROUPS = SOURCE_GROUPS
PERSONAL_SOURCES = frozenset(name for names in GROUPS.values() for name in names)
NAME_STARTS: dict[str, tuple[str, ...]] = {
    "hr_anstallning": ("anstallning", "anställning"),
    "hr_franvaro": ("franvaro", "frånvaro"),
    "hr_avtalad_tid": ("avtalad",),
    "ber_registrering": ("registrering",),
    "ber_kontakt": ("kontakt",),
}
HIDDEN_ROW = "(raden visas inte: den kan innehålla personuppgifter)"


def classify(path: Path, group: str) -> str:
    """The source of ``path`` within ``group`` (``hr`` or ``ber``); InputFileError (Swedish) if unknown."""
    sources = GROUPS[group]
    if path.parent.name in sources:
        return path.parent.name
    name = path.name.casefold()
    for prefix in (f"{group}_", f"{group}-"):
        if name.startswith(prefix):
            name = name[len(prefix):]
    for source in sources:
        if name.startswith(source.split("_", 1)[1]) or name.startswith(NAME_STARTS[source]):
            return source
    expected = ", ".join(f"{s} ({'/'.join(NAME_STARTS[s])}…)" for s in sources)
    raise InputFileError(f"{safe_file_name(path.name)}: okänd {group}-fil. Filnamnet ska börja med källans namn: {expected}, "
                         f"eller ligga i en mapp med källans namn.")


def plan(group: str, paths: Iterable[Path]) -> list[tuple[str, Path]]:
    """(source, file) for every input file under ``paths``, in load order."""
    if group not in GROUPS:
        raise InputFileError(f"Okänd grupp '{group}': välj hr eller ber.")
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES
                            and not ({"behandlade", "avvisade"} & set(p.relative_to(path).parts[:-1])))
        elif path.exists():
            files.append(path)
        else:
            raise InputFileError(f"Filen eller mappen {mask_personnummer(str(path))} finns inte.")
    order = {source: i for i, source in enumerate(GROUPS[group])}
    planned = [(classify(p, group), p) for p in files]
    return sorted(planned, key=lambda item: (order[item[0]], item[1].name, str(item[1])))


def hide_raw_rows(engine: Engine, load_id: int | None) -> None:
    """A row the CSV reader could not split is quarantined with its raw text, which may hold a
    personnummer or a name: for personal-data sources only line and reason are kept."""
    if load_id is None:
        return
    with engine.begin() as connection:
        connection.execute(
            quarantine.update()
            .where(quarantine.c.load_id == load_id, quarantine.c.column_name.is_(None), quarantine.c.value != "")
            .values(value=HIDDEN_ROW)
        )


def stage_extract(engine: Engine, path: Path, source: str, **options: object) -> LoadResult:
    """``stage_file`` for a personal-data source: refuses to start without the key, hides raw rows.
    The loader itself masks personnummer in the file name, messages and quarantine (for every source)."""
    if source not in PERSONAL_SOURCES:
        raise InputFileError(f"'{source}' är ingen HR- eller BER-källa.")
    current_key()  # no key, no reading: the Swedish error names the variable to set
    from bokslut.ingest.write_audit_publish import stage_file  # the loading stack only when something is staged

    result = stage_file(engine, Path(path), source, **options)
    hide_raw_rows(engine, result.load_id)
    if engine.dialect.name == "postgresql" and result.status == LoadStatus.STAGED:
        with engine.begin() as connection:  # fresh statistics: the suites' joins plan on real row counts
            connection.execute(sa.text(f"ANALYZE {SOURCES[source].table.name}"))
    return result


def published_partitions(engine: Engine, sources: Iterable[str]) -> dict[str, list[str]]:
    """Source → published partitions ``forvaltning:YYYYMM`` (what the outputs can be built from)."""
    from bokslut.warehouse.schema import publication

    query = sa.select(publication.c.source, publication.c.forvaltning, publication.c.partition).where(
        publication.c.source.in_(list(sources)))
    out: dict[str, list[str]] = {}
    with engine.connect() as connection:
        for source, forv, partition in connection.execute(query):
            out.setdefault(source, []).append(f"{forv}:{partition}")
    return out


def mask_landing_name(path: Path) -> Path:
    """Rename a landing file whose name holds a personnummer to its masked name (``safe_file_name``,
    with ``_2``, ``_3`` … on a clash) and return the new path; other paths are returned as they are.
    For the DAGs' discovery: a file's path travels in XCom and task logs, which Airflow users read."""
    path = Path(path)
    name = safe_file_name(path.name)
    if name == path.name:
        return path
    target, n = path.with_name(name), 1
    while target.exists():
        n += 1
        target = path.with_name(f"{Path(name).stem}_{n}{Path(name).suffix}")
    path.rename(target)
    log.info("Ett filnamn innehöll något som liknar ett personnummer; filen döptes om till %s.", target.name)
    return target


__all__ = ["GROUPS", "PERSONAL_SOURCES", "SOURCES", "classify", "plan", "stage_extract",
           "hide_raw_rows", "mask_landing_name"]
