"""Write-audit-publish for one input file.

``stage_file`` archives the original (unchanged, with its SHA-256), reads it in chunks, loads the
good rows under a new ``load_id`` (invisible to reports) and quarantines the rest.
``audit_load`` checks the staged rows. ``publish_load`` swaps the publication pointer of every
(förvaltning, partition) the file covers in one transaction: a corrected file replaces its
periods atomically, and a rejected file leaves the published data as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
from collections.abc import Callable, Iterable
from typing import Protocol
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bokslut.ingest.errors import InputFileError
from bokslut.ingest.formats import SOURCES, SourceFormat
from bokslut.ingest.limits import shown_name
from bokslut.ingest.mapping import load_mapping
from bokslut.ingest.read import RowIssue, inspect_file, iter_chunks
from bokslut.ingest.status import INPUT_SUFFIXES, LoadStatus  # noqa: F401 - re-exported
from bokslut.ingest.validate import check_chunk
from bokslut.problems import EnvironmentProblem, Interrupted
from bokslut.settings import Settings, get_settings
from bokslut.textsafety import mask_personnummer
from bokslut.warehouse.aggregate import LoadAggregate, delete_aggregate
from bokslut.warehouse.bulk import bulk_insert
from bokslut.warehouse.reference_data import ensure_periods
from bokslut.warehouse.schema import account, load_audit, publication, quarantine

Progress = Callable[[str], None]
# A corrected file may be smaller than the one it replaces, but not drastically: a handful of stray
# rows of another period must never replace that period's thousands of published rows.
SHRINK_MIN_SHARE = 0.5  # reject when the new rows are fewer than half the published ones ...
SHRINK_MIN_ROWS = 20  # ... and the published partition has at least this many rows
# A load still "laddar" after this long, or staged and never published, is abandoned.
ABANDONED_LOADING = timedelta(hours=6)
ABANDONED_STAGED = timedelta(hours=24)
PUBLISH_LOCK_KEY = 0x626F6B73  # PostgreSQL advisory lock taken by every publish ("boks")


@dataclass
class LoadResult:
    load_id: int | None
    source: str
    file_name: str
    status: str
    message: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    partitions: list[str] = field(default_factory=list)  # "191:202401"

    @property
    def ok(self) -> bool:
        return self.status in (LoadStatus.STAGED, LoadStatus.PUBLISHED, LoadStatus.DUPLICATE)


def _now() -> datetime:
    return datetime.now(UTC)


def _sha256_only(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _archive(path: Path, sha256: str, fmt: SourceFormat, settings: Settings) -> Path:
    # Personal-data originals are archived under their hash alone: the name may hold a personnummer.
    if fmt.personal_data:
        from bokslut.hr.pseudonym import archive_file_name

        name = archive_file_name(sha256, path.name)
    else:
        name = f"{sha256[:16]}_{shown_name(path)}"
    target = settings.archive_dir / fmt.name / name
    try:
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(target.suffix + ".part")
            try:
                shutil.copyfile(path, tmp)
                tmp.replace(target)
            finally:
                tmp.unlink(missing_ok=True)  # never leave half a copy behind (e.g. disk full)
    except OSError as exc:
        from bokslut.problems import os_reason

        raise EnvironmentProblem(
            f"Originalfilen kunde inte arkiveras i arkivmappen {settings.archive_dir} ({os_reason(exc)}); "
            "inget lästes in. Kontrollera BOKSLUT_ARCHIVE_DIR.") from exc
    return target


def _record(connection: sa.Connection, load_id: int, **values: object) -> None:
    connection.execute(load_audit.update().where(load_audit.c.load_id == load_id).values(**values))


def _quarantine(connection: sa.Connection, load_id: int, file_name: str, issues: Iterable[RowIssue]) -> None:
    rows = [
        {"load_id": load_id, "file_name": file_name, "line_no": i.line_no, "column_name": i.column,
         "value": i.value, "reason": i.reason, "severity": i.severity}
        for i in issues
    ]
    if rows:
        connection.execute(quarantine.insert(), rows)


def _result(connection: sa.Connection, load_id: int) -> LoadResult:
    row = connection.execute(sa.select(load_audit).where(load_audit.c.load_id == load_id)).one()
    return LoadResult(
        load_id=row.load_id, source=row.source, file_name=row.file_name, status=row.status,
        message=row.message or "", rows_read=row.rows_read, rows_loaded=row.rows_loaded,
        rows_quarantined=row.rows_quarantined,
        partitions=[p for p in (row.partitions or "").split(",") if p],
    )


def stage_file(
    engine: Engine,
    path: Path,
    source: str,
    *,
    mapping_path: Path | None = None,
    settings: Settings | None = None,
    progress: Progress | None = None,
    force: bool = False,
) -> LoadResult:
    settings = settings or get_settings()
    fmt = SOURCES[source]
    path = Path(path)
    file_name = shown_name(path)  # masked and escaped, for every source
    started = _now()
    try:
        facts = inspect_file(path)
        mapping = load_mapping(fmt, mapping_path)
    except InputFileError as exc:
        sha = _sha256_only(path) if path.is_file() else ""  # never open a FIFO or a device
        message = mask_personnummer(str(exc))  # a message may quote line 1 of the file
        with engine.begin() as connection:
            load_id = connection.execute(
                load_audit.insert().values(source=fmt.name, file_name=file_name, sha256=sha, status=LoadStatus.REJECTED,
                                           message=message, started_at=started, finished_at=_now(),
                                           rows_read=0, rows_loaded=0, rows_quarantined=0)
            ).inserted_primary_key[0]
            return _result(connection, load_id)

    with engine.begin() as connection:
        earlier = connection.execute(
            sa.select(load_audit.c.load_id).where(
                load_audit.c.source == fmt.name, load_audit.c.sha256 == facts.sha256,
                load_audit.c.status == LoadStatus.PUBLISHED,
            )
        ).scalar()
        if earlier is not None and not force:
            load_id = connection.execute(
                load_audit.insert().values(
                    source=fmt.name, file_name=file_name, sha256=facts.sha256, status=LoadStatus.DUPLICATE,
                    message=f"Filen är redan inläst (laddning {earlier}, samma SHA-256); ingenting ändrades.",
                    started_at=started, finished_at=_now(), rows_read=0, rows_loaded=0, rows_quarantined=0)
            ).inserted_primary_key[0]
            return _result(connection, load_id)
        archived = _archive(path, facts.sha256, fmt, settings)
        load_id = connection.execute(
            load_audit.insert().values(
                source=fmt.name, file_name=file_name, sha256=facts.sha256, archived_path=str(archived),
                encoding=facts.encoding, mapping=mapping.name, status=LoadStatus.LOADING,
                started_at=started, rows_read=0, rows_loaded=0, rows_quarantined=0, details=json.dumps(_owner()))
        ).inserted_primary_key[0]

    read = loaded = errors = warnings = 0
    partitions: set[str] = set()
    names: dict[str, tuple[int, str]] = {}
    aggregate = LoadAggregate(fmt.name)
    try:
        for chunk in iter_chunks(path, facts, fmt, mapping, settings.chunk_rows):
            checked = check_chunk(chunk.table, fmt)
            rows = checked.rows
            issues = chunk.issues + checked.issues
            read += chunk.table.num_rows + sum(1 for i in chunk.issues if i.severity == "fel")
            errors += sum(1 for i in issues if i.severity == "fel")
            warnings += sum(1 for i in issues if i.severity == "varning")
            rows = rows.append_column("load_id", pa.array(np.full(rows.num_rows, load_id, dtype=np.int64)))
            partitions.update(_partitions(rows, fmt))
            aggregate.add(rows)
            if "kontonamn" in rows.column_names:
                _collect_names(rows, names)
            with engine.begin() as connection:
                ensure_periods(connection, _years(rows))
                loaded += bulk_insert(connection, fmt.table, rows)
                _quarantine(connection, load_id, file_name, issues)
            if progress:
                progress(f"{file_name}: {_n(read)} rader lästa, {_n(loaded)} laddade, {_n(errors)} fel")
    except InputFileError as exc:
        return _reject(engine, load_id, fmt, mask_personnummer(str(exc)), read, errors)
    except BaseException as exc:  # interrupted (SIGTERM, Ctrl-C) or a bug: nothing staged is left behind
        _abandon(engine, load_id, fmt, exc, read, errors)
        raise

    if errors:
        return _reject(
            engine, load_id, fmt,
            f"{errors} rad(er) med fel – filen publicerades inte. Rätta filen och läs in den igen; "
            f"felen finns i karantänen (laddning {load_id}).", read, errors,
        )
    message = f"{loaded} rader laddade" + (f", {warnings} varning(ar) i karantänen" if warnings else "")
    try:
        with engine.begin() as connection:
            staged = connection.execute(load_audit.update().where(
                (load_audit.c.load_id == load_id) & (load_audit.c.status == LoadStatus.LOADING)
            ).values(status=LoadStatus.STAGED, rows_read=read, rows_loaded=loaded,
                     rows_quarantined=warnings, partitions=",".join(sorted(partitions)), message=message,
                     details=json.dumps({**_owner(), "kontonamn": {k: [p, n] for k, (p, n) in names.items()}},
                                        ensure_ascii=False))).rowcount  # the owner stays: a failed parallel run finds its loads
            if not staged:  # rejected meanwhile (another run took it for abandoned): none of its rows stay
                _delete_rows(connection, fmt, load_id)
                return _result(connection, load_id)
            # staged together with its rows, or not at all (the database's sums may overflow: an error)
            aggregate.write(connection, load_id)
            return _result(connection, load_id)
    except BaseException as exc:
        _abandon(engine, load_id, fmt, exc, read, errors)
        raise


def _abandon(engine: Engine, load_id: int, fmt: SourceFormat, exc: BaseException, read: int, errors: int) -> None:
    """Reject a load whose staging stopped half-way (interrupted or failing): none of its rows stay."""
    interrupted = not isinstance(exc, Exception) or isinstance(exc, Interrupted) \
        or type(exc).__name__ == "AirflowTaskTerminated"  # Airflow's, not imported here
    reason = "Inläsningen avbröts innan den var klar" if interrupted else "Inläsningen avbröts av ett internt fel; se loggen"
    text = str(getattr(exc, "orig", None) or exc).lower()
    if "integer overflow" in text or "out of range" in text:  # the database's sums of the file's amounts
        reason = "Beloppen i filen summerar till mer än lagret kan räkna exakt (heltalsöverflöd)"
    _reject(engine, load_id, fmt, f"{reason}; inget publicerades.", read, errors)


# The staging call (``flows.ledger.stage``) a load belongs to, in its process or its worker processes:
# interrupted or failing, that call finds and rejects every load it created, even one whose
# creation was committed just before the signal. A context variable: threads staging side by side
# in one process (parallel förvaltningar) never see each other's.
OWNER_RUN: ContextVar[str | None] = ContextVar("bokslut_owner_run", default=None)


def _owner() -> dict[str, object]:
    """Who is staging a load: lets a later run tell an abandoned load from one still running."""
    owner: dict[str, object] = {"host": socket.gethostname(), "pid": os.getpid()}
    if OWNER_RUN.get() is not None:
        owner["run"] = OWNER_RUN.get()
    return owner


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_abandoned_loads(engine: Engine, now: datetime | None = None) -> list[int]:
    """Reject loads left behind by a killed process: still loading though their process on this host
    is gone (or for longer than ``ABANDONED_LOADING``), or staged and never published for longer
    than ``ABANDONED_STAGED``. Their staged rows are deleted; published data is untouched."""
    now = now or _now()
    with engine.connect() as connection:
        rows = connection.execute(sa.select(
            load_audit.c.load_id, load_audit.c.source, load_audit.c.status, load_audit.c.started_at,
            load_audit.c.details, load_audit.c.rows_read,
        ).where(load_audit.c.status.in_([LoadStatus.LOADING, LoadStatus.STAGED]))).all()
    host = socket.gethostname()
    cleaned = []
    for row in rows:
        started = row.started_at if row.started_at.tzinfo else row.started_at.replace(tzinfo=UTC)
        age = now - started
        if row.status == LoadStatus.LOADING:
            try:
                owner = json.loads(row.details or "{}")
            except ValueError:
                owner = {}
            dead = owner.get("host") == host and isinstance(owner.get("pid"), int) and not _process_alive(owner["pid"])
            if not (dead or age > ABANDONED_LOADING):
                continue
            reason = "Inläsningen avbröts (processen finns inte längre); inget publicerades."
        elif age > ABANDONED_STAGED:
            reason = f"Laddningen blev aldrig publicerad (lämnad sedan {started:%Y-%m-%d %H:%M} UTC); inget publicerades."
        else:
            continue
        _reject(engine, row.load_id, SOURCES[row.source], reason, row.rows_read, 0)
        cleaned.append(row.load_id)
    return cleaned


def _n(count: int) -> str:
    return f"{count:,}".replace(",", "\u00a0")


def _partitions(rows: pa.Table, fmt: SourceFormat) -> set[str]:
    """"191:202401" for each distinct (förvaltning, partition columns) of the rows."""
    columns = ["forvaltning", *fmt.partition_columns]
    keys = rows.select(columns).group_by(columns, use_threads=False).aggregate([])
    # a missing value reads "<NA>", as the pandas nullable integers it replaces printed it
    values = [["<NA>" if v is None else v for v in keys.column(c).to_pylist()] for c in columns]
    return {f"{forv}:{fmt.partition_key(tuple(rest))}" for forv, *rest in zip(*values, strict=True)}


def _years(rows: pa.Table) -> set[int]:
    if "period" in rows.column_names:
        return {int(p) // 100 for p in pc.unique(rows.column("period")).to_pylist() if p is not None}
    return set()


def _collect_names(rows: pa.Table, names: dict[str, tuple[int, str]]) -> None:
    named = rows.select(["konto", "period", "kontonamn"]).filter(pc.not_equal(rows.column("kontonamn"), ""))
    # the same pandas sort as before on the named rows only: which name wins a tie stays the same
    frame = named.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
    newest = frame.sort_values("period").drop_duplicates("konto", keep="last")
    for konto, per, name in newest.itertuples(index=False, name=None):
        if konto not in names or names[konto][0] <= per:
            names[konto] = (int(per), name)


def _delete_rows(connection: sa.Connection, fmt: SourceFormat, load_id: int, partition: str | None = None) -> None:
    condition = fmt.table.c.load_id == load_id
    if partition is not None:
        condition &= _partition_condition(fmt, partition)
    connection.execute(fmt.table.delete().where(condition))
    delete_aggregate(connection, fmt.name, load_id, partition)


def _reject(engine: Engine, load_id: int, fmt: SourceFormat, message: str, read: int, errors: int) -> LoadResult:
    """Reject a load still loading or staged and delete its rows. Conditional on its status, checked
    in the same statement that changes it: a load another process published in the meantime keeps
    its rows, and one already rejected loses any rows still written after that."""
    with engine.begin() as connection:
        connection.execute(load_audit.update().where(
            (load_audit.c.load_id == load_id) & load_audit.c.status.in_([LoadStatus.LOADING, LoadStatus.STAGED])
        ).values(status=LoadStatus.REJECTED, message=message, rows_read=read, rows_loaded=0,
                 rows_quarantined=errors, finished_at=_now()))
        result = _result(connection, load_id)
        if result.status == LoadStatus.REJECTED:
            _delete_rows(connection, fmt, load_id)
        return result


def reject_load(engine: Engine, load_id: int, message: str) -> LoadResult:
    """Discard a staged load (e.g. its period failed a blocking Kontokontroll): nothing is published."""
    with engine.connect() as connection:
        result = _result(connection, load_id)
    if result.status != LoadStatus.STAGED:
        return result
    return _reject(engine, load_id, SOURCES[result.source], message, result.rows_read, result.rows_quarantined)


def _partition_condition(fmt: SourceFormat, partition: str):  # noqa: ANN202 - SQLAlchemy expression
    forv, *values = partition.split(":")
    condition = fmt.table.c.forvaltning == forv
    for column, value in zip(fmt.partition_columns, values, strict=True):
        col = fmt.table.c[column]
        condition &= col == (int(value) if isinstance(col.type, sa.Integer) else value)
    return condition


def shrinking_partitions(engine: Engine, load_id: int) -> list[tuple[str, int, int]]:
    """(partition, staged rows, published rows) for each partition this load would shrink drastically."""
    with engine.connect() as connection:
        result = _result(connection, load_id)
        fmt = SOURCES[result.source]
        problems = []
        for partition in result.partitions:
            forv, key = partition.split(":", 1)
            previous = connection.execute(sa.select(publication.c.load_id).where(
                publication.c.source == fmt.name, publication.c.forvaltning == forv,
                publication.c.partition == key)).scalar()
            if previous is None:
                continue
            condition = _partition_condition(fmt, partition)
            count = sa.select(sa.func.count()).select_from(fmt.table)
            published = connection.execute(count.where(condition & (fmt.table.c.load_id == previous))).scalar()
            staged = connection.execute(count.where(condition & (fmt.table.c.load_id == load_id))).scalar()
            if published >= SHRINK_MIN_ROWS and staged < published * SHRINK_MIN_SHARE:
                problems.append((partition, staged, published))
    return problems


class InputChecks(Protocol):
    """The input suite's verdict on a staged load: failures reject it, warnings are recorded."""

    failures: list[str]
    warnings: list[str]


def audit_load(engine: Engine, load_id: int, *, input_checks: Callable[[Engine, SourceFormat, int], InputChecks],
               replace: Iterable[str] = ()) -> LoadResult:
    """Checks on the staged rows before they become visible; a failure rejects the load.

    ``input_checks``: the source's input suite (``controls.input_checks.run_input_checks``, passed in
    by the flows: the suites are controls, a layer above ingest). ``replace``: partitions
    (``202401``, ``191:202401``, ``2024:BJ``) the user explicitly allows to shrink drastically; any
    other drastic shrink rejects the file with the counts."""
    with engine.connect() as connection:
        result = _result(connection, load_id)
    if result.status != LoadStatus.STAGED:
        return result
    fmt = SOURCES[result.source]
    if result.rows_loaded == 0:
        return _reject(engine, load_id, fmt, "Filen innehåller inga rader att läsa in.", result.rows_read, 0)
    allowed = {str(p) for p in replace}
    shrinking = [(p, staged, published) for p, staged, published in shrinking_partitions(engine, load_id)
                 if p not in allowed and p.split(":", 1)[1] not in allowed]
    if shrinking:
        return _reject(
            engine, load_id, fmt,
            "Filen skulle krympa publicerade perioder kraftigt: "
            + "; ".join(f"förvaltning {p.split(':', 1)[0]} {p.split(':', 1)[1]}: {staged} rader i filen mot "
                        f"{published} publicerade" for p, staged, published in shrinking)
            + ". Är det en felaktig eller ofullständig fil? Om perioden verkligen ska ersättas, läs in igen med "
            "--replace PERIOD (DAG-parametern replace).", result.rows_read, 0)
    checks = input_checks(engine, fmt, load_id)
    if checks.failures:
        return _reject(engine, load_id, fmt, "Indatakontrollen underkände filen: " + "; ".join(checks.failures),
                       result.rows_read, 0)
    if checks.warnings:
        with engine.begin() as connection:
            message = result.message + "; indatakontroll, varning: " + "; ".join(checks.warnings)
            _record(connection, load_id, message=message)
            return _result(connection, load_id)
    return result


def publish_load(engine: Engine, load_id: int) -> LoadResult:
    """Make a staged load the published data of every partition it covers, atomically."""
    with engine.begin() as connection:
        # Two publishes of one partition (or of one new account name) at once would both find no
        # row and both insert; publishing is short, so they take turns: PostgreSQL through an
        # advisory lock, SQLite by writing first (the write lock is taken before anything is read).
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": PUBLISH_LOCK_KEY})
        # Write first, and only to a load still staged: the row stays locked until this commits, so a
        # concurrent rejection (an abandoned-load clean-up) waits and then finds it published.
        still_staged = connection.execute(load_audit.update().where(
            (load_audit.c.load_id == load_id) & (load_audit.c.status == LoadStatus.STAGED)
        ).values(status=load_audit.c.status)).rowcount
        result = _result(connection, load_id)
        if not still_staged:
            return result
        fmt = SOURCES[result.source]
        replaced = []
        for partition in result.partitions:
            forv, key = partition.split(":", 1)
            where = (publication.c.source == fmt.name) & (publication.c.forvaltning == forv) & (publication.c.partition == key)
            previous = connection.execute(sa.select(publication.c.load_id).where(where)).scalar()
            if previous is None:
                connection.execute(publication.insert().values(
                    source=fmt.name, forvaltning=forv, partition=key, load_id=load_id, published_at=_now()))
            else:
                connection.execute(publication.update().where(where).values(load_id=load_id, published_at=_now()))
                _delete_rows(connection, fmt, previous, partition)
                replaced.append(f"{key} (ersatte laddning {previous})")
        details = json.loads(connection.execute(
            sa.select(load_audit.c.details).where(load_audit.c.load_id == load_id)).scalar() or "{}")
        _apply_account_names(connection, details.get("kontonamn", {}))
        message = result.message + (f"; ersatte {', '.join(replaced)}" if replaced else "")
        _record(connection, load_id, status=LoadStatus.PUBLISHED, finished_at=_now(), message=message)
        return _result(connection, load_id)


def _apply_account_names(connection: sa.Connection, names: dict[str, list]) -> None:
    """The newest name wins: a name from a later period replaces an older or shipped one."""
    existing = {r.code: r for r in connection.execute(sa.select(account))}
    for konto, (per, name) in names.items():
        row = existing.get(konto)
        if row is None:
            connection.execute(account.insert().values(
                code=konto, name=name, fixed_line=False, name_source="export", name_period=per))
        elif row.name != name and (row.name_period is None or row.name_period <= per):
            connection.execute(account.update().where(account.c.code == konto).values(
                name=name, name_source="export", name_period=per))
        elif row.name_period is None or row.name_period < per:
            connection.execute(account.update().where(account.c.code == konto).values(name_period=per))


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given, folders expanded to their input files in name order."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix.lower() in INPUT_SUFFIXES and p.is_file())
        elif path.exists():
            files.append(path)
        else:
            raise InputFileError(f"Filen eller mappen {path} finns inte.")
    return files
