"""The month-end run: each DAG task and ``bokslut load`` call these functions, in this order.

``discover_files`` → ``stage`` → ``audit`` (input suite, drastic-shrink guard) → ``control``
(Kontokontroller on the data as it would be published) → ``publish`` → ``build_outputs``.
``load_paths`` runs stage → publish in one go for the CLI and for tests: there is no other path to
publish. Records passed between steps are small JSON-safe dicts (Airflow XCom): a *batch* is
``{"files": [one record per file], "control_runs": [one record per (förvaltning, period) checked]}``.

**Per förvaltning.** The files of a run are grouped by förvaltning (``group_by_forvaltning``) and
each group goes through stage → audit → control → publish on its own (``close_forvaltning``): the
DAG maps one task instance over each group (in parallel on the Celery workers), ``bokslut load``
runs the same function for each group in turn. A group only ever publishes its own förvaltning's
partitions (a file holding another förvaltning's rows is rejected), so parallel groups never touch
the same partition and a blocking failure in one förvaltning never holds back another's publish.
Parallel publishes still take turns on one lock (``ingest.write_audit_publish.publish_load``: PostgreSQL advisory
lock, SQLite's write lock): the account names they apply are shared by the whole city, and a
publish is a few pointer swaps, so only that short step is serialised; staging, the input suite
and the Kontokontroller of different förvaltningar run side by side.

Landing folder layout: ``<landing>/<source>/<file>`` with source one of ``ledger``, ``budget``,
``anlaggningsreskontra``, ``stadskassan`` (the layout ``bokslut demo-data`` writes). A handled
file is moved to ``<landing>/behandlade/`` (published or already loaded) or
``<landing>/avvisade/`` (rejected), so the landing folder only ever shows new deliveries; the
unchanged original is kept in the archive with its SHA-256 either way.

Each step logs one Swedish verdict line (``Utfall …``) for the task log.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict
from pathlib import Path

from bokslut.domain.organisation import FORVALTNING_PATTERN, is_forvaltning
from bokslut.flows import engine_or_ready as _engine
from bokslut.ingest.status import INPUT_SUFFIXES, LoadStatus
from bokslut.reports.published import NothingPublished, require_published
from bokslut.settings import Settings, get_settings

log = logging.getLogger(__name__)
Progress = Callable[[str], None]
# Load order matters only for readability of the audit trail: ledger first, then what refers to it.
SOURCE_ORDER = ("ledger", "budget", "anlaggningsreskontra", "stadskassan")
HANDLED_DIR, REJECTED_DIR = "behandlade", "avvisade"


class ForvaltningFailed(RuntimeError):
    """A förvaltning's run failed on an unexpected error: the message names the förvaltning first (the
    task-failure alert quotes it), the original error is the ``__cause__``."""

    def __init__(self, forvaltning: str | None, error: BaseException):
        text = str(error).strip() or type(error).__name__
        super().__init__(f"Förvaltning {forvaltning or 'okänd'}: {text}")
        self.forvaltning = forvaltning


def _kr(ore: int | None) -> str:
    from bokslut.money import format_swedish

    return "okänt" if ore is None else f"{format_swedish(ore)} kr"


def masked_path(path: str) -> str:
    from bokslut.textsafety import mask_personnummer
    from bokslut.textsafety import escape_controls

    return mask_personnummer(escape_controls(str(path)))


def log_verdict(step: str, files: list[dict]) -> None:
    counts: dict[str, int] = {}
    for item in files:
        counts[item["status"]] = counts.get(item["status"], 0) + 1
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "inga filer"
    log.info("Utfall %s: %s.", step, summary)


# ------------------------------------------------------------------------------- discover


def discover_files(settings: Settings | None = None, paths: list[str] | None = None,
                   source: str | None = None) -> list[dict[str, str]]:
    """New files in the landing folder (or the given paths), as ``{"source", "path"}`` records.
    A given path's source is ``source``, else its folder's name when that names a source, else ledger."""
    settings = settings or get_settings()
    found: list[dict[str, str]] = []
    if paths:
        from bokslut.ingest.write_audit_publish import expand_paths

        for path in expand_paths([Path(p) for p in paths]):
            guess = path.parent.name if path.parent.name in SOURCE_ORDER else "ledger"
            found.append({"source": source or guess, "path": str(path)})
        return found
    for name in SOURCE_ORDER:
        folder = settings.landing_dir / name
        if folder.is_dir():
            found += [
                {"source": name, "path": str(p)}
                for p in sorted(folder.iterdir())
                if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES
            ]
    log.info("Utfall discover: %d nya filer.", len(found))
    return found


# ---------------------------------------------------------------------------- stage/audit


def stage(files: list[dict[str, str]], *, engine=None, settings: Settings | None = None,  # noqa: ANN001
          mapping_path: Path | None = None, force: bool = False, progress: Progress | None = None) -> list[dict]:
    """Archive and stage every file under its own load id (invisible to reports).

    Independent files are staged side by side in worker processes when that pays
    (``BOKSLUT_STAGE_WORKERS``, ``flows.parallel``); interrupted or failing, nothing this call
    staged stays staged either way."""
    from bokslut.flows.parallel import max_load_id, reject_run, stage_parallel, worker_count
    from bokslut.ingest.write_audit_publish import OWNER_RUN, clean_abandoned_loads, stage_file

    engine = _engine(engine)
    settings = settings or get_settings()
    for load_id in clean_abandoned_loads(engine):
        log.warning("Övergiven laddning %s städades bort (dess rader var aldrig publicerade).", load_id)

    def started(index: int) -> None:
        if progress:  # a path may hold a personnummer (an HR extract in the wrong folder)
            progress(f"Läser {masked_path(files[index]['path'])} ({files[index]['source']}) …")

    def finished(result: dict) -> None:
        log.info("%s: %s – %s", result["file_name"], result["status"], result["message"])

    workers = worker_count(files, engine, settings.stage_workers)
    run, after = uuid.uuid4().hex, max_load_id(engine)
    owner = OWNER_RUN.set(run)  # every load this call creates, here or in a worker, carries it
    results: list[dict] = []
    try:
        if workers > 1:
            log.info("%d filer läses in i %d processer samtidigt.", len(files), workers)
            results = stage_parallel(files, workers, run=run, engine=engine, settings=settings,
                                     mapping_path=mapping_path, force=force, progress=progress or log.info,
                                     on_start=started, on_result=finished)
        else:
            for index, item in enumerate(files):
                started(index)
                result = stage_file(engine, Path(item["path"]), item["source"], settings=settings,
                                    mapping_path=mapping_path, force=force, progress=progress or log.info)
                results.append({**asdict(result), "path": item["path"]})
                finished(results[-1])
    except BaseException:  # interrupted or failing: what this call staged goes too, reported or not yet
        reject_all(engine, results)
        for load_id in reject_run(engine, run, after):
            log.info("Laddning %s avvisades: körningen avbröts innan den publicerades.", load_id)
        raise
    finally:
        OWNER_RUN.reset(owner)
    log_verdict("stage", results)
    return results


def reject_all(engine, items: list[dict], reason: str | None = None) -> None:  # noqa: ANN001
    """Reject every load of ``items`` still staged (or loading): nothing of it is ever published."""
    from bokslut.ingest.write_audit_publish import reject_load

    for item in items:
        if item.get("load_id") is not None and item.get("status") in (LoadStatus.STAGED, LoadStatus.LOADING):
            reject_load(engine, item["load_id"], reason or "Körningen avbröts innan laddningen publicerades; "
                                                          "inget publicerades.")


def _overlapping(staged: list[dict]) -> dict[int, str]:
    """load id → Swedish reason, for staged loads that claim a partition another load of the same
    batch claims too: the later one would silently replace the earlier one's rows."""
    claims: dict[tuple[str, str], list[dict]] = {}
    for item in staged:
        if item["status"] == LoadStatus.STAGED:
            for partition in item["partitions"]:
                claims.setdefault((item["source"], partition), []).append(item)
    reasons: dict[int, list[str]] = {}
    for (_source, partition), items in sorted(claims.items()):
        if len(items) > 1:
            names = ", ".join(i["file_name"] for i in items)
            forv, key = partition.split(":", 1)
            for item in items:
                reasons.setdefault(item["load_id"], []).append(f"förvaltning {forv} {key} finns i flera filer ({names})")
    return {load_id: "Samma period i flera filer i samma inläsning: " + "; ".join(texts)
            + ". Läs in filerna en i taget (den senare ersätter då den tidigare) eller ta bort raderna som hör till "
              "en annan period." for load_id, texts in reasons.items()}


def audit(staged: list[dict], *, engine=None, replace: Iterable[str] = ()) -> list[dict]:  # noqa: ANN001
    """Per staged load the input suite and the drastic-shrink guard; loads of one batch that claim
    the same partition are rejected together. A failure rejects the load."""
    from bokslut.controls.input_checks import run_input_checks
    from bokslut.ingest.write_audit_publish import audit_load, reject_load

    engine = _engine(engine)
    replace = tuple(replace)
    overlapping = _overlapping(staged)
    audited = []
    for item in staged:
        if item.get("load_id") in overlapping and item["status"] == LoadStatus.STAGED:
            item = {**item, **asdict(reject_load(engine, item["load_id"], overlapping[item["load_id"]]))}
        if item["status"] == LoadStatus.STAGED:
            item = {**item, **asdict(audit_load(engine, item["load_id"], input_checks=run_input_checks, replace=replace))}
            if item["status"] == LoadStatus.REJECTED:
                log.info("%s: %s – %s", item["file_name"], item["status"], item["message"])
        audited.append(item)
    log_verdict("audit", audited)
    return audited


# ---------------------------------------------------------------------------------- control


def _control_targets(staged: list[dict]) -> list[tuple[str, int]]:
    """(förvaltning, period) for every staged ledger period: each is judged as it would be
    published, so a fault in one month cannot hide behind a later month of the same batch."""
    return sorted({(p.split(":")[0], int(p.split(":")[1])) for item in staged for p in item["partitions"]})


def _extract_targets(engine, extracts: list[dict], ledgers: list[dict]) -> set[tuple[str, int]]:  # noqa: ANN001
    """(förvaltning, period) to judge for stadskassan / anläggningsreskontra extracts staged
    without their förvaltning's ledger: the latest published ledger period of each year they
    cover, whose KK09 / KK12.10 lines they complete. An extract ahead of every published ledger
    period of its year is judged when that ledger arrives (its control run reads the extract)."""
    import sqlalchemy as sa

    from bokslut.warehouse.schema import publication

    with_ledger = {p.split(":")[0] for item in ledgers for p in item["partitions"]}
    wanted = {(forv, int(per)) for item in extracts for forv, _, per in (p.partition(":") for p in item["partitions"])
              if forv not in with_ledger}
    targets = set()
    with engine.connect() as connection:
        for forv, extract_period in sorted(wanted):
            year = extract_period // 100
            latest = connection.execute(sa.select(sa.func.max(publication.c.partition)).where(
                publication.c.source == "ledger", publication.c.forvaltning == forv,
                publication.c.partition.between(f"{year}00", f"{year}14"))).scalar()
            if latest is not None and int(latest) >= extract_period:
                targets.add((forv, int(latest)))
    return targets


def control(audited: list[dict], *, engine=None, settings: Settings | None = None) -> dict:  # noqa: ANN001
    """Run the Kontokontroller on the data as it would be published, before publishing.

    For every staged ledger period of each förvaltning, the controls run with every staged ledger
    load of the förvaltning in place (periods after it do not change its figures). A blocking
    failure in any period rejects those loads (the published data stays as it was), writes the Swedish validation report to the
    outbox and alerts; warnings are alerted as one digest. Returns the batch: the files and the
    control runs (reused by ``build_outputs`` when the published data is what they checked).
    """
    from bokslut.alerts.dispatch import AlertDeliveryError, send_alerts
    from bokslut.alerts.validation_report import write_html
    from bokslut.controls.runner import EXTRACT_SOURCES, run_controls
    from bokslut.ingest.write_audit_publish import reject_load

    engine = _engine(engine)
    settings = settings or get_settings()
    staged = [i for i in audited if i["source"] == "ledger" and i["status"] == LoadStatus.STAGED]
    staged_extracts = [i for i in audited if i["source"] in EXTRACT_SOURCES and i["status"] == LoadStatus.STAGED]
    targets = set(_control_targets(staged)) | _extract_targets(engine, staged_extracts, staged)
    rejected: dict[int, str] = {}
    runs = []
    for forv, period in sorted(targets):
        load_ids = [i["load_id"] for i in staged if any(p.startswith(f"{forv}:") for p in i["partitions"])]
        # stadskassan / anläggningsreskontra staged in this batch are inputs of KK09 and KK12.10:
        # judged with the ledger, and rejected with it when a blocking control fails
        extracts = [i["load_id"] for i in staged_extracts if any(p.startswith(f"{forv}:") for p in i["partitions"])]
        load_ids += extracts
        run = run_controls(engine, forv, period, load_ids)
        # A rejected candidate's report has a name of its own: the reports of the published data, built
        # after this step, rewrite valideringsrapport_<förv>_<period>.html, and the alert must keep
        # pointing at the deviations that caused the rejection.
        suffix = "_avvisad" if run.blocking_failures else ""
        report = write_html(run, settings.outbox_dir / forv / str(period) / f"valideringsrapport_{forv}_{period}{suffix}.html",
                            engine=engine, staged_load_ids=load_ids)  # explained before the loads are published or rejected
        run.report_path = str(report)
        try:
            send_alerts(engine, run, str(report))
        except AlertDeliveryError as exc:  # the controls' verdict stands; the failed channel is retried next run
            log.error("Larm kunde inte skickas för %s %s: %s", forv, period, exc)
        runs.append({"forvaltning": forv, "period": period, "run_id": run.run_id,
                     "blocking": bool(run.blocking_failures), "run": run.to_dict()})
        if run.blocking_failures:
            message = "Kontokontrollen underkände perioden: " + "; ".join(
                f"{r.control_id} {r.name} period {r.period}: förväntat {_kr(r.expected_ore)}, faktiskt "
                f"{_kr(r.value_ore)}, differens {_kr(r.difference_ore)}" for r in run.blocking_failures
            ) + f". Rapport: {report}"
            for load_id in load_ids:
                rejected[load_id] = message
    files = []
    for item in audited:
        if item.get("load_id") in rejected:
            item = {**item, **asdict(reject_load(engine, item["load_id"], rejected[item["load_id"]]))}
        files.append(item)
    log.info("Utfall control: %d kontrollkörning(ar), %d med blockerande fel.",
             len(runs), sum(1 for r in runs if r["blocking"]))
    return {"files": files, "control_runs": runs}


# ---------------------------------------------------------------------------------- publish


def publish(batch: dict, *, engine=None, settings: Settings | None = None) -> dict:  # noqa: ANN001
    """Publish every load still staged (one atomic pointer swap per load) and move the files out
    of the landing folder."""
    from bokslut.ingest.write_audit_publish import publish_load

    engine = _engine(engine)
    settings = settings or get_settings()
    published = []
    for item in batch["files"]:
        if item["status"] == LoadStatus.STAGED:
            item = {**item, **asdict(publish_load(engine, item["load_id"]))}
        move_handled(Path(item["path"]), item["status"], settings)
        published.append(item)
    log_verdict("publish", published)
    return {**batch, "files": published}


def published_partitions(batch: dict) -> list[str]:
    """``source:förvaltning:partition`` of everything this batch published (the asset's extra)."""
    return sorted({f"{item['source']}:{p}" for item in batch["files"] if item["status"] == LoadStatus.PUBLISHED
                   for p in item["partitions"]})


# ---------------------------------------------------------------------------- per förvaltning

FILE_NAME_FORVALTNING = re.compile(rf"(?:^|_)({FORVALTNING_PATTERN})(?:_|$)")  # huvudbok_191_202401, budget_191_2024


def forvaltning_of(item: dict[str, str], mapping_path: Path | None = None) -> str | None:
    """The förvaltning a delivered file belongs to: from its name (``<källa>_<förv>_…``, as Agresso's
    exports and ``bokslut demo-data`` name them), else from its first data row; None when neither
    tells (an unreadable file: staging rejects it with the reason)."""
    match = FILE_NAME_FORVALTNING.search(Path(item["path"]).stem)
    if match:
        return match.group(1)
    return _first_row_forvaltning(Path(item["path"]), item["source"], mapping_path)


def _first_row_forvaltning(path: Path, source: str, mapping_path: Path | None) -> str | None:
    from bokslut.ingest.formats import SOURCES
    from bokslut.ingest.mapping import load_mapping
    from bokslut.ingest.read import iter_chunks, inspect_file

    try:
        fmt = SOURCES[source]
        chunks = iter_chunks(path, inspect_file(path), fmt, load_mapping(fmt, mapping_path), 100)
        for chunk in chunks:
            values = [str(v).strip() for v in chunk.frame.get("Förvaltning", [])]
            found = next((v for v in values if is_forvaltning(v)), None)
            if found or values:
                chunks.close()
                return found
    except Exception:  # noqa: BLE001 - any reason it cannot be read: staging names it
        return None
    return None


def group_by_forvaltning(files: list[dict[str, str]], *, only: Iterable[str] = (),
                         mapping_path: Path | None = None) -> list[dict]:
    """``[{"forvaltning": "150", "files": [...]}, …]``, one group per förvaltning (sorted; files whose
    förvaltning cannot be told last, under None). ``only`` keeps those förvaltningar; the other files
    stay in the landing folder for a later run."""
    only = {str(f) for f in only}
    groups: dict[str | None, list[dict[str, str]]] = {}
    for item in files:
        forvaltning = forvaltning_of(item, mapping_path)
        if only and forvaltning not in only:
            log.info("%s hör till förvaltning %s: hoppas över i den här körningen.", masked_path(item["path"]),
                     forvaltning or "okänd")
            continue
        groups.setdefault(forvaltning, []).append(item)
    order = sorted(groups, key=lambda f: (f is None, f or ""))
    return [{"forvaltning": f, "files": groups[f]} for f in order]


def keep_own_forvaltning(staged: list[dict], forvaltning: str | None, *, engine=None) -> list[dict]:  # noqa: ANN001
    """Reject a staged load holding partitions of another förvaltning than its group's: groups run in
    parallel, and each must publish only what its own controls judged."""
    from bokslut.ingest.write_audit_publish import reject_load

    engine = _engine(engine)
    kept = []
    for item in staged:
        others = sorted({p.split(":")[0] for p in item["partitions"]} - {forvaltning})
        if item["status"] == LoadStatus.STAGED and others:
            found = sorted({p.split(":")[0] for p in item["partitions"]})
            message = (f"Filen innehåller rader för förvaltning {', '.join(found)} men lästes in för förvaltning "
                       f"{forvaltning or 'okänd'} (filnamnets eller första radens). Leverera en fil per förvaltning; "
                       "inget i filen publicerades.")
            item = {**item, **asdict(reject_load(engine, item["load_id"], message))}
        kept.append(item)
    return kept


def close_forvaltning(forvaltning: str | None, files: list[dict[str, str]], *, engine=None,  # noqa: ANN001
                      settings: Settings | None = None, mapping_path: Path | None = None, force: bool = False,
                      replace: Iterable[str] = (), progress: Progress | None = None) -> dict:
    """Stage → audit → control → publish the files of one förvaltning: the DAG's mapped task and
    ``bokslut load`` (once per förvaltning) call this. Returns the förvaltning's batch; rejected
    files are in it, never raised: the other förvaltningar's runs go on regardless.

    Interrupted (SIGTERM, Ctrl-C) or failing half-way, every load this call staged is rejected
    before the exception goes on: nothing of it stays staged or gets published."""
    engine = _engine(engine)
    settings = settings or get_settings()
    staged: list[dict] = []  # stage() rejects its own partial work; after it, this call does
    try:
        staged = stage(files, engine=engine, settings=settings, mapping_path=mapping_path, force=force,
                       progress=progress)
        staged = keep_own_forvaltning(staged, forvaltning, engine=engine)
        audited = audit(staged, engine=engine, replace=replace)
        batch = publish(control(audited, engine=engine, settings=settings), engine=engine, settings=settings)
    except BaseException:
        reject_all(engine, staged)
        raise
    return {**batch, "forvaltning": forvaltning, "files": [{**f, "forvaltning": forvaltning} for f in batch["files"]]}


def merge_batches(batches: Iterable[dict]) -> dict:
    """The batches of several förvaltningar as one (files and control runs in förvaltning order)."""
    batches = list(batches)
    return {"files": [f for b in batches for f in b["files"]],
            "control_runs": [r for b in batches for r in b.get("control_runs", [])],
            "forvaltningar": [b.get("forvaltning") for b in batches]}


def forvaltning_failure(batch: dict) -> str | None:
    """Swedish: what a förvaltning's batch rejected, naming the förvaltning; None when nothing was."""
    summary = rejection_summary(batch)
    if summary is None:
        return None
    return f"Förvaltning {batch.get('forvaltning') or 'okänd'}: {summary}"


def load_paths(paths: Iterable[Path | str], source: str | None = None, *, engine=None,  # noqa: ANN001
               settings: Settings | None = None, mapping_path: Path | None = None, force: bool = False,
               replace: Iterable[str] = (), progress: Progress | None = None,
               forvaltningar: Iterable[str] = ()) -> dict:
    """Stage → audit → control → publish the given files, förvaltning by förvaltning
    (``close_forvaltning``, as the DAG's mapped task): ``bokslut load`` and tests. ``forvaltningar``
    keeps the files of those förvaltningar (empty: all). Returns the merged batch."""
    engine = _engine(engine)
    settings = settings or get_settings()
    files = discover_files(settings, [str(p) for p in paths], source)
    batches = []
    for group in group_by_forvaltning(files, only=forvaltningar, mapping_path=mapping_path):
        if progress and group["forvaltning"]:
            progress(f"Förvaltning {group['forvaltning']}: {len(group['files'])} fil(er)")
        batches.append(close_forvaltning(group["forvaltning"], group["files"], engine=engine, settings=settings,
                                         mapping_path=mapping_path, force=force, replace=replace,
                                         progress=progress))
    return merge_batches(batches)


def move_handled(path: Path, status: str, settings: Settings, subfolder: str | None = None) -> None:
    """Take a handled file out of the landing folder (the archive keeps the original):
    ``behandlade/<subfolder>/`` or, when rejected, ``avvisade/<subfolder>/`` (default: its source folder)."""
    try:
        path.relative_to(settings.landing_dir)
    except ValueError:
        return  # a file given by path outside the landing folder is left where it is
    if not path.exists():
        return
    done = REJECTED_DIR if status == LoadStatus.REJECTED else HANDLED_DIR
    target_dir = settings.landing_dir / done / (subfolder or path.parent.name)
    target_dir.mkdir(parents=True, exist_ok=True)
    shutil.move(str(path), target_dir / path.name)


# ---------------------------------------------------------------------------------- outputs


def periods_to_report(batch: dict, period: str | None, forvaltning: str | None) -> list[tuple[str, int]]:
    """(förvaltning, period) pairs to build reports for: the given period, else the latest
    month-end period each förvaltning's ledger load touched in each year."""
    files = batch["files"]
    if period:
        forvaltningar = {forvaltning} if forvaltning else {
            p.split(":")[0] for item in files for p in item.get("partitions", [])
        } or forvaltningar_with_ledger()
        return sorted((f, int(period)) for f in forvaltningar)
    latest: dict[tuple[str, int], int] = {}
    for item in files:
        if item["source"] != "ledger" or item["status"] != LoadStatus.PUBLISHED:
            continue
        for partition in item["partitions"]:
            forv, per = partition.split(":")
            if forvaltning and forv != forvaltning:
                continue
            key = (forv, int(per) // 100)
            latest[key] = max(latest.get(key, 0), int(per))
    return sorted((forv, per) for (forv, _year), per in latest.items())


def forvaltningar_with_ledger() -> list[str]:
    """Every förvaltning with a published ledger, sorted."""
    import sqlalchemy as sa

    from bokslut.warehouse.schema import publication

    with _engine().connect() as connection:
        query = sa.select(publication.c.forvaltning).where(publication.c.source == "ledger").distinct()
        return sorted(connection.execute(query).scalars())


def _reusable_run(engine, batch: dict, forvaltning: str, period: int):  # noqa: ANN001, ANN202
    """The pre-publish control run of this batch, when the published data is exactly what it checked."""
    import sqlalchemy as sa

    from bokslut.controls.model import ControlRun
    from bokslut.warehouse.schema import control_run, publication

    for record in batch.get("control_runs", []):
        if record["forvaltning"] != forvaltning or int(record["period"]) != int(period):
            continue
        with engine.connect() as connection:
            checked = json.loads(connection.execute(sa.select(control_run.c.candidate_loads).where(
                control_run.c.run_id == record["run_id"])).scalar() or "{}")
            published = dict(connection.execute(sa.select(publication.c.partition, publication.c.load_id).where(
                publication.c.source == "ledger", publication.c.forvaltning == forvaltning)).all())
        if {int(p): int(l) for p, l in checked.items()} == {int(p): int(l) for p, l in published.items()}:
            return ControlRun.from_dict(record["run"])
    return None


def build_outputs(targets: list[tuple[str, int]], batch: dict | None = None, *, engine=None,  # noqa: ANN001
                  settings: Settings | None = None) -> list[str]:
    """Write every ledger report as TSV and one xlsx workbook per (förvaltning, period), with the
    Kontokontroller sheet and the validation report. The batch's pre-publish control run is reused
    when the published data is what it checked; otherwise the controls run on the published data."""
    from bokslut.alerts.validation_report import write_html
    from bokslut.controls.runner import run_controls
    from bokslut.controls.sheet import kontokontroller_report
    from bokslut.reports.ledger import build_reports
    from bokslut.reports.tsv import write_tsv
    from bokslut.lineage.report_workbook import write_workbook

    engine = _engine(engine)
    settings = settings or get_settings()
    written = []
    for forvaltning, period in targets:
        require_published(engine, forvaltning, int(period))
        folder = settings.outbox_dir / forvaltning / str(period)
        folder.mkdir(parents=True, exist_ok=True)
        reports = build_reports(engine, forvaltning, int(period))
        run = _reusable_run(engine, batch or {}, forvaltning, int(period))
        if run is None:
            run = run_controls(engine, forvaltning, int(period))  # on the published data, for the sheet
        else:
            log.info("Kontokontrollerna för %s %s återanvänds från körning %s (samma data).", forvaltning, period, run.run_id)
        reports["kontokontroller"] = kontokontroller_report(run)
        written.append(str(write_html(run, folder / f"valideringsrapport_{forvaltning}_{period}.html", engine=engine)))
        for name, report in reports.items():
            path = folder / f"{name}_{forvaltning}_{period}.tsv"
            tmp = path.with_suffix(".tsv.partial")
            with tmp.open("w", encoding="utf-8", newline="") as fh:
                write_tsv(report, fh)
            tmp.replace(path)  # a reader never sees half a report
            written.append(str(path))
        workbook = write_workbook(list(reports.values()), folder / f"huvudboksrapporter_{forvaltning}_{period}.xlsx")
        written.append(str(workbook))
        log.info("Rapporter för %s %s skrivna till %s", forvaltning, period, folder)
    log.info("Utfall build_reports: %d filer för %d period(er).", len(written), len(targets))
    return written


def say_outcome(files: list[dict], say: Callable[[str], None], unchanged: str) -> bool:
    """The command line's account of a load: a line per file, then, when a file was rejected, the
    one ``fel:`` line (the first rejection; ``unchanged`` says what stayed as it was). True when
    something was rejected."""
    for item in files:
        partitions = f" [{', '.join(item['partitions'])}]" if item["partitions"] else ""
        say(f"{item['file_name']}: {item['status']} – {item['message']}{partitions}")
    rejected = [item for item in files if item["status"] == LoadStatus.REJECTED]
    if rejected:
        more = f" (och {len(rejected) - 1} fil(er) till)" if len(rejected) > 1 else ""
        say(f"fel: {rejected[0]['file_name']}: {rejected[0]['message']}{more} {unchanged}")
    return bool(rejected)


def say_not_checkable(batch: dict, say: Callable[[str], None]) -> None:
    """One line per förvaltning (its latest controlled period) naming the inputs whose absence left
    Kontokontroll lines "ej kontrollerbar": published, but never to be read as a pass."""
    from bokslut.controls.model import ControlRun

    latest: dict[str, dict] = {}
    for entry in batch.get("control_runs", []):
        if entry["forvaltning"] not in latest or entry["period"] > latest[entry["forvaltning"]]["period"]:
            latest[entry["forvaltning"]] = entry
    for forv, entry in sorted(latest.items()):
        lines = ControlRun.from_dict(entry["run"]).not_checkable
        if lines:
            missing = sorted({r.missing_input for r in lines if r.missing_input})
            say(f"Kontokontroller {forv} {entry['period']}: {len(lines)} rad(er) ej kontrollerbara "
                f"({', '.join(r.control_id for r in lines)}) – saknar indata: {'; '.join(missing)}")


def rejection_summary(batch: dict) -> str | None:
    """A Swedish summary of the rejected files, or None when every file was accepted."""
    rejected = [item for item in batch["files"] if item["status"] == LoadStatus.REJECTED]
    if not rejected:
        return None
    lines = [f"{item['file_name']} ({item['source']}): {item['message']}" for item in rejected]
    return f"{len(rejected)} fil(er) avvisades; publicerade data i deras perioder är oförändrade. " + " | ".join(lines)


__all__ = ["NothingPublished", "discover_files", "stage", "reject_all", "audit", "control", "publish", "load_paths",
           "forvaltning_of", "group_by_forvaltning", "keep_own_forvaltning", "close_forvaltning", "merge_batches",
           "forvaltning_failure", "ForvaltningFailed", "forvaltningar_with_ledger",
           "say_outcome", "say_not_checkable",
           "published_partitions", "periods_to_report", "require_published", "build_outputs", "rejection_summary",
           "move_handled"]
