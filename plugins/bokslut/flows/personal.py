"""The monthly HR (LISA) and KAA (BER) runs: each DAG task and ``bokslut load hr|ber`` call these.

``discover`` → ``stage`` → ``audit`` (the source's input suite) → ``publish`` → ``build_outputs``;
``load_paths`` runs stage → publish for the CLI and tests (no other path publishes).

Landing folder: ``<landing>/hr/`` and ``<landing>/ber/`` (what ``bokslut demo-data`` writes); the
files' extract is told by folder or name (:mod:`bokslut.hr.readers`). A handled file moves to
``<landing>/behandlade/<group>/`` or ``<landing>/avvisade/<group>/``; the archive keeps the
original (it holds personnummer: ``docs/personal-data.md``). Outputs go to
``<outbox>/<förvaltning>/hr/`` and ``<outbox>/<förvaltning>/kaa/``.

Logging names files, sources, months and counts, never a value from a row.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from pathlib import Path

from bokslut.hr.readers import GROUPS, plan
from bokslut.ingest.status import LoadStatus
from bokslut.flows import engine_or_ready as _engine
from bokslut.flows.ledger import log_verdict, masked_path, move_handled, reject_all
from bokslut.settings import Settings, get_settings

log = logging.getLogger(__name__)


def discover(group: str, settings: Settings | None = None, paths: list[str] | None = None) -> list[dict[str, str]]:
    """New files of ``group`` (hr or ber) in the landing folder, or the given paths, in load order."""
    settings = settings or get_settings()
    roots = [Path(p) for p in paths] if paths else [settings.landing_dir / group]
    roots = [r for r in roots if r.exists()]
    found = []
    for source, path in plan(group, roots):
        if path.is_relative_to(settings.landing_dir):  # a path travels in XCom and task logs: no personnummer
            from bokslut.hr.readers import mask_landing_name

            path = mask_landing_name(path)
        found.append({"group": group, "source": source, "path": str(path)})
    log.info("Utfall discover: %d nya filer.", len(found))
    return found


def stage(files: list[dict[str, str]], settings: Settings | None = None, *, engine=None,  # noqa: ANN001
          mapping_path: Path | None = None, force: bool = False, progress=None) -> list[dict]:  # noqa: ANN001
    from bokslut.hr.pseudonym import configure_from_airflow
    from bokslut.hr.readers import stage_extract
    from bokslut.ingest.write_audit_publish import clean_abandoned_loads

    configure_from_airflow()  # the key: environment, else the Airflow Variable (docs/personal-data.md)
    settings = settings or get_settings()
    engine = _engine(engine)
    clean_abandoned_loads(engine)
    results = []
    try:
        for item in files:
            if progress:
                progress(f"Läser {masked_path(item['path'])} ({item['source']}) …")
            result = stage_extract(engine, Path(item["path"]), item["source"], settings=settings,
                                   progress=progress or log.info, mapping_path=mapping_path, force=force)
            log.info("%s (%s): %s – %s", result.file_name, result.source, result.status, result.message)
            results.append({**asdict(result), "path": item["path"], "group": item["group"]})
    except BaseException:  # interrupted or failing at a later file: what this step staged goes too
        reject_all(engine, results)
        raise
    log_verdict("stage", results)
    return results


def audit(staged: list[dict], *, engine=None, replace=()) -> list[dict]:  # noqa: ANN001
    """The source's Great Expectations suite on each staged load, in load order (employments
    before absence: the absence suite checks against the month's employments)."""
    from bokslut.controls.input_checks import run_input_checks
    from bokslut.ingest.write_audit_publish import audit_load

    engine = _engine(engine)
    out = []
    for item in staged:
        if item["status"] == LoadStatus.STAGED:
            item = {**item, **asdict(audit_load(engine, item["load_id"], input_checks=run_input_checks, replace=replace))}
            log.info("%s: indatakontroll %s – %s", item["file_name"], item["status"], item["message"])
        out.append(item)
    log_verdict("audit", out)
    return out


def publish(audited: list[dict], settings: Settings | None = None, *, engine=None) -> list[dict]:  # noqa: ANN001
    from bokslut.ingest.write_audit_publish import publish_load

    settings = settings or get_settings()
    engine = _engine(engine)
    out = []
    for item in audited:
        if item["status"] == LoadStatus.STAGED:
            item = {**item, **asdict(publish_load(engine, item["load_id"]))}
        move_handled(Path(item["path"]), item["status"], settings, subfolder=item["group"])
        out.append(item)
    log_verdict("publish", out)
    return out


def load_paths(group: str, planned: list[tuple[str, Path]], *, engine=None, settings: Settings | None = None,  # noqa: ANN001
               mapping_path: Path | None = None, force: bool = False, replace=(), progress=None) -> list[dict]:  # noqa: ANN001
    """Stage → audit → publish the planned ``(extract, path)`` files of ``group`` (hr or ber), as the
    DAG does. Interrupted half-way, every load this call staged is rejected before the exception goes on."""
    engine = _engine(engine)
    files = [{"group": group, "source": source, "path": str(path)} for source, path in planned]
    staged: list[dict] = []
    try:
        staged = stage(files, settings, engine=engine, mapping_path=mapping_path, force=force, progress=progress)
        return publish(audit(staged, engine=engine, replace=replace), settings, engine=engine)
    except BaseException:
        reject_all(engine, staged)
        raise


def _targets(group: str, published: list[dict]) -> list[tuple[str, int, int]]:
    """(förvaltning, year, months) to build: per year touched, the whole year when its December
    (HR) or November (KAA) is published, else the latest tertial covered (HR) or the year so far (KAA)."""
    from bokslut.hr.readers import published_partitions
    from bokslut.warehouse.db import ready_engine

    touched: set[tuple[str, int]] = set()
    for item in published:
        if item["status"] != LoadStatus.PUBLISHED:
            continue
        for partition in item["partitions"]:
            forv, month = partition.split(":")
            year = int(month) // 100
            if group == "ber" and int(month) % 100 == 12:
                year += 1  # December opens the next statistics year
            touched.add((forv, year))
    snapshots = published_partitions(ready_engine(), GROUPS[group][:1])
    months_published = {p for parts in snapshots.values() for p in parts}
    targets = []
    for forv, year in sorted(touched):
        if group == "ber":
            targets.append((forv, year, 11))
            continue
        latest = max((int(p.split(":")[1]) % 100 for p in months_published
                      if p.startswith(f"{forv}:{year}")), default=0)
        months = 12 if latest == 12 else 8 if latest >= 8 else 4 if latest >= 4 else 0
        if months:
            targets.append((forv, year, months))
    return targets


def build_outputs(group: str, published: list[dict], settings: Settings | None = None) -> list[str]:
    """Nyckeltal (hr) or KAA statistics (ber) as TSV and xlsx in the outbox, per year touched."""
    from bokslut.hr.kaa import kaa_statistics
    from bokslut.hr.keyfigures import key_figures
    from bokslut.hr.output import write_kaa_tsv, write_kaa_xlsx, write_key_figures_tsv, write_key_figures_xlsx
    from bokslut.warehouse.db import ready_engine

    settings = settings or get_settings()
    engine = ready_engine()
    written = []
    for forv, year, months in _targets(group, published):
        if group == "hr":
            folder = settings.outbox_dir / forv / "hr"
            suffix = {4: "_T1", 8: "_T2", 12: ""}[months]
            figures = key_figures(engine, forv, year, months)
            stem, write_tsv, write_xlsx, result = f"nyckeltal_{forv}_{year}{suffix}", write_key_figures_tsv, \
                write_key_figures_xlsx, figures
        else:
            folder = settings.outbox_dir / forv / "kaa"
            result = kaa_statistics(engine, year, forv)
            stem, write_tsv, write_xlsx = f"kaa_{forv}_{year}", write_kaa_tsv, write_kaa_xlsx
        folder.mkdir(parents=True, exist_ok=True)
        tsv = folder / f"{stem}.tsv"
        partial = tsv.with_suffix(".tsv.partial")
        with partial.open("w", encoding="utf-8", newline="") as fh:
            write_tsv(result, fh)
        partial.replace(tsv)
        written += [str(tsv), str(write_xlsx(result, folder / f"{stem}.xlsx"))]
        for note in result.notes:
            log.warning("%s %s: %s", forv, year, note)
        log.info("%s skrivna till %s", "Nyckeltal" if group == "hr" else "KAA-statistik", folder)
    return written


def rejection_summary(published: list[dict]) -> str | None:
    rejected = [i for i in published if i["status"] == LoadStatus.REJECTED]
    if not rejected:
        return None
    lines = [f"{i['file_name']} ({i['source']}): {i['message']}" for i in rejected]
    return (f"{len(rejected)} fil(er) avvisades; publicerade data i deras månader är oförändrade. "
            "Karantänen visar rad, kolumn och skäl (personnummer visas aldrig). " + " | ".join(lines))
