"""The month-end run as plain functions: each DAG task calls exactly one of these.

Landing folder layout: ``<landing>/<source>/<file>`` with source one of ``ledger``, ``budget``,
``anlaggningsreskontra``, ``stadskassan`` (the layout ``bokslut demo-data`` writes). A handled
file is moved to ``<landing>/behandlade/`` (published or already loaded) or
``<landing>/avvisade/`` (rejected), so the landing folder only ever shows new deliveries; the
unchanged original is kept in the archive with its SHA-256 either way.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import asdict
from pathlib import Path

from bokslut.ingest.formats import SOURCES
from bokslut.ingest.load import INPUT_SUFFIXES, LoadResult, LoadStatus, audit_load, publish_load, stage_file
from bokslut.settings import Settings, get_settings

log = logging.getLogger(__name__)
# Load order matters only for readability of the audit trail: ledger first, then what refers to it.
SOURCE_ORDER = ("ledger", "budget", "anlaggningsreskontra", "stadskassan")
HANDLED_DIR, REJECTED_DIR = "behandlade", "avvisade"


def discover_files(settings: Settings | None = None, paths: list[str] | None = None) -> list[dict[str, str]]:
    """New files in the landing folder (or the given paths), as ``{"source", "path"}`` records."""
    settings = settings or get_settings()
    found: list[dict[str, str]] = []
    if paths:
        for text in paths:
            path = Path(text)
            source = path.parent.name if path.parent.name in SOURCES else "ledger"
            found.append({"source": source, "path": str(path)})
        return found
    for source in SOURCE_ORDER:
        folder = settings.landing_dir / source
        if folder.is_dir():
            found += [
                {"source": source, "path": str(p)}
                for p in sorted(folder.iterdir())
                if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES
            ]
    return found


def stage(files: list[dict[str, str]]) -> list[dict]:
    from bokslut.warehouse.db import ready_engine

    engine = ready_engine()
    results = []
    for item in files:
        result = stage_file(engine, Path(item["path"]), item["source"], progress=log.info)
        log.info("%s: %s – %s", result.file_name, result.status, result.message)
        results.append({**asdict(result), "path": item["path"]})
    return results


def audit(staged: list[dict]) -> list[dict]:
    from bokslut.warehouse.db import ready_engine

    engine = ready_engine()
    audited = []
    for item in staged:
        result = audit_load(engine, item["load_id"]) if item["status"] == LoadStatus.STAGED else None
        audited.append({**item, **asdict(result)} if result else item)
    return audited


def control_staged(audited: list[dict], settings: Settings | None = None) -> list[dict]:
    """Run the Kontokontroller on the data as it would be published, before publishing.

    Per förvaltning and year with staged ledger loads, the controls run for the latest staged
    period with every staged ledger load of the förvaltning in place. A blocking failure rejects
    those loads (the published data stays as it was), writes the Swedish validation report to the
    outbox and alerts; warnings are alerted as one digest.
    """
    from bokslut.alerts.dispatch import AlertDeliveryError, send_alerts
    from bokslut.controls.html import write_html
    from bokslut.controls.runner import run_controls
    from bokslut.ingest.load import reject_load
    from bokslut.warehouse.db import ready_engine

    settings = settings or get_settings()
    engine = ready_engine()
    staged = [i for i in audited if i["source"] == "ledger" and i["status"] == LoadStatus.STAGED]
    targets: dict[tuple[str, int], int] = {}
    for item in staged:
        for partition in item["partitions"]:
            forv, per = partition.split(":")
            key = (forv, int(per) // 100)
            targets[key] = max(targets.get(key, 0), int(per))
    rejected: dict[int, str] = {}
    for (forv, _year), period in sorted(targets.items()):
        load_ids = [i["load_id"] for i in staged if any(p.startswith(f"{forv}:") for p in i["partitions"])]
        run = run_controls(engine, forv, period, load_ids)
        report = write_html(run, settings.outbox_dir / forv / str(period) / f"valideringsrapport_{forv}_{period}.html")
        try:
            send_alerts(engine, run, str(report))
        except AlertDeliveryError as exc:  # the controls' verdict stands; the failed channel is retried next run
            log.error("Larm kunde inte skickas för %s %s: %s", forv, period, exc)
        if run.blocking_failures:
            message = "Kontokontrollen underkände perioden: " + "; ".join(
                f"{r.control_id} {r.name} period {r.period}: förväntat {_kr(r.expected_ore)}, faktiskt "
                f"{_kr(r.value_ore)}, differens {_kr(r.difference_ore)}" for r in run.blocking_failures
            ) + f". Rapport: {report}"
            for load_id in load_ids:
                rejected[load_id] = message
    out = []
    for item in audited:
        if item.get("load_id") in rejected:
            item = {**item, **asdict(reject_load(engine, item["load_id"], rejected[item["load_id"]]))}
        out.append(item)
    return out


def _kr(ore: int | None) -> str:
    from bokslut.money import format_swedish

    return "okänt" if ore is None else f"{format_swedish(ore)} kr"


def publish(audited: list[dict], settings: Settings | None = None) -> list[dict]:
    from bokslut.warehouse.db import ready_engine

    settings = settings or get_settings()
    engine = ready_engine()
    published = []
    for item in audited:
        result = publish_load(engine, item["load_id"]) if item["status"] == LoadStatus.STAGED else None
        item = {**item, **asdict(result)} if result else item
        move_handled(Path(item["path"]), item["status"], settings)
        published.append(item)
    return published


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


def periods_to_report(published: list[dict], period: str | None, forvaltning: str | None) -> list[tuple[str, int]]:
    """(förvaltning, period) pairs to build reports for: the given period, else the latest
    month-end period each förvaltning's ledger load touched in each year."""
    if period:
        forvaltningar = {forvaltning} if forvaltning else {
            p.split(":")[0] for item in published for p in item.get("partitions", [])
        } or _forvaltningar_with_ledger()
        return sorted((f, int(period)) for f in forvaltningar)
    latest: dict[tuple[str, int], int] = {}
    for item in published:
        if item["source"] != "ledger" or item["status"] != LoadStatus.PUBLISHED:
            continue
        for partition in item["partitions"]:
            forv, per = partition.split(":")
            if forvaltning and forv != forvaltning:
                continue
            key = (forv, int(per) // 100)
            latest[key] = max(latest.get(key, 0), int(per))
    return sorted((forv, per) for (forv, _year), per in latest.items())


def _forvaltningar_with_ledger() -> set[str]:
    import sqlalchemy as sa

    from bokslut.warehouse.db import ready_engine
    from bokslut.warehouse.schema import publication

    with ready_engine().connect() as connection:
        query = sa.select(publication.c.forvaltning).where(publication.c.source == "ledger").distinct()
        return set(connection.execute(query).scalars())


def build_outputs(targets: list[tuple[str, int]], settings: Settings | None = None) -> list[str]:
    """Write every ledger report as TSV and one xlsx workbook per (förvaltning, period)."""
    from bokslut.controls.html import write_html
    from bokslut.controls.runner import run_controls
    from bokslut.controls.sheet import kontokontroller_report
    from bokslut.reports.ledger import build_reports
    from bokslut.reports.tsv import write_tsv
    from bokslut.reports.xlsx import write_workbook
    from bokslut.warehouse.db import ready_engine

    settings = settings or get_settings()
    engine = ready_engine()
    written = []
    for forvaltning, period in targets:
        folder = settings.outbox_dir / forvaltning / str(period)
        folder.mkdir(parents=True, exist_ok=True)
        reports = build_reports(engine, forvaltning, int(period))
        run = run_controls(engine, forvaltning, int(period))  # on the published data, for the sheet
        reports["kontokontroller"] = kontokontroller_report(run)
        written.append(str(write_html(run, folder / f"valideringsrapport_{forvaltning}_{period}.html")))
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
    return written


def rejection_summary(published: list[dict]) -> str | None:
    """A Swedish summary of the rejected files, or None when every file was accepted."""
    rejected = [item for item in published if item["status"] == LoadStatus.REJECTED]
    if not rejected:
        return None
    lines = [f"{item['file_name']} ({item['source']}): {item['message']}" for item in rejected]
    return f"{len(rejected)} fil(er) avvisades; publicerade data i deras perioder är oförändrade. " + " | ".join(lines)


__all__ = ["LoadResult", "discover_files", "stage", "audit", "control_staged", "publish", "periods_to_report",
           "build_outputs", "rejection_summary"]
