"""The tertial and year-end template runs: each DAG task and ``bokslut templates`` call these.

``resolve_targets`` → ``check_ready`` → ``build`` → ``deliver``. A target is one förvaltning,
year and reporting point (T1, T2, VB). Records passed between tasks are small dicts of strings
and numbers (XCom-friendly); files are written to
``<BOKSLUT_OUTBOX_DIR>/<förvaltning>/<PUNKT>-<år>/``.

The manual inputs of a build, first found wins: ``--manual`` (or the ``manual_path`` argument), a
returned input workbook in ``<BOKSLUT_LANDING_DIR>/manual/`` whose hidden metadata names the
target's förvaltning, year and point, the YAML ``include/manual/<förv>/<PUNKT>-<år>.yaml``. An
input workbook is archived under ``<BOKSLUT_ARCHIVE_DIR>/manual/<sha256[:16]>/`` with its SHA-256 (as every
loaded export is) and the build reads the archived copy; the delivery carries a copy too.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bokslut.settings import Settings, get_settings
from bokslut.templates.input_reader import MANUAL_LANDING, returned_workbook
from bokslut.domain.organisation import parse_forvaltning
from bokslut.domain.periods import LAST_PP, OPENING_PP, TERTIAL_CODES, get_point, parse_year, period_of

log = logging.getLogger(__name__)
STOCKHOLM = ZoneInfo("Europe/Stockholm")


class NotReady(ValueError):
    """The month-end runs of the covered periods have not all published cleanly (Swedish message)."""


class BlockingControls(ValueError):
    """The Kontokontroller of the reporting period show blocking failures (Swedish message)."""


@dataclass
class Readiness:
    forvaltning: str
    year: int
    point: str
    problems: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.problems


# ------------------------------------------------------------------------------- targets


def _reference_day(moment: datetime | date | str | None) -> date:
    if moment is None or moment == "":
        return datetime.now(STOCKHOLM).date()
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if isinstance(moment, datetime):
        return (moment.astimezone(STOCKHOLM) if moment.tzinfo else moment).date()
    return moment


def default_point(kind: str, moment: datetime | date | str | None) -> tuple[int, str]:
    """(year, point) a scheduled run covers: the tertial that closed before the run date
    (T1 from May, T2 from September, T2 of last year in January-April), or last year's VB."""
    day = _reference_day(moment)
    if kind == "year_end":
        return day.year - 1, "VB"
    if kind != "tertial":
        raise ValueError(f"okänd körning {kind!r}")
    closed = [code for code in TERTIAL_CODES if day.month > get_point(code).last_month]
    return (day.year, closed[-1]) if closed else (day.year - 1, TERTIAL_CODES[-1])


# A scheduled run that starts this long after its cron time was created by unpausing a DAG (Airflow
# schedules the latest missed cron time even with catchup=False): it is skipped, never filled.
STALE_AFTER = timedelta(days=2)


def stale_schedule(run_type: str | None, scheduled_for: datetime | None, now: datetime | None = None) -> str | None:
    """The Swedish reason to skip a scheduled run that is stale, else None (manual runs never are)."""
    if str(run_type or "").lower().rsplit(".", 1)[-1] != "scheduled" or scheduled_for is None:
        return None
    now = now or datetime.now(STOCKHOLM)
    if now - scheduled_for <= STALE_AFTER:
        return None
    return (f"Den schemalagda körningen för {scheduled_for.astimezone(STOCKHOLM):%Y-%m-%d} startade först "
            f"{now.astimezone(STOCKHOLM):%Y-%m-%d} (DAG:en var pausad) och hoppas över. Ska blanketterna fyllas i, "
            "starta körningen manuellt med parametrarna ar och rapporttillfalle.")


def forvaltningar_with_ledger(year: int, settings: Settings | None = None) -> list[str]:
    import sqlalchemy as sa

    from bokslut.warehouse.db import ready_engine

    with ready_engine(settings.warehouse_url if settings else None).connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT DISTINCT forvaltning FROM publication WHERE source = 'ledger' AND partition BETWEEN :lo AND :hi"
        ), {"lo": str(period_of(year, OPENING_PP)), "hi": str(period_of(year, LAST_PP))}).scalars().all()
    return sorted(rows)


def resolve_targets(kind: str, params: dict | None = None, moment: datetime | date | str | None = None,
                    settings: Settings | None = None) -> list[dict]:
    """Targets from the DAG params (``ar``, ``rapporttillfalle``, ``forvaltning``; empty = derived
    from the run date, every förvaltning with ledger data that year)."""
    params = params or {}
    year, point = default_point(kind, moment)
    if params.get("ar"):
        year = parse_year(int(params["ar"]))
    if params.get("rapporttillfalle"):
        point = get_point(str(params["rapporttillfalle"])).code
    if kind == "year_end" and point != "VB":
        raise ValueError("year_end_report fyller bara i VB; använd tertial_report för T1 och T2.")
    if kind == "tertial" and point == "VB":
        raise ValueError("tertial_report fyller bara i T1 och T2; använd year_end_report för VB.")
    forvaltningar = [parse_forvaltning(params["forvaltning"])] if params.get("forvaltning") else forvaltningar_with_ledger(year, settings)
    if not forvaltningar:
        raise NotReady(f"Ingen förvaltning har publicerad huvudbok för {year}: inget att fylla i.")
    log.info("Utfall targets: %s %s för förvaltning %s.", point, year, ", ".join(forvaltningar))
    return [{"forvaltning": f, "year": year, "point": point} for f in forvaltningar]


# ----------------------------------------------------------------------------- readiness


def readiness(engine, forvaltning: str, year: int, point: str) -> Readiness:  # noqa: ANN001 - SQLAlchemy Engine
    """Are periods 00..PP of the year published, and did the control run that judged the data now
    published for PP (the latest run whose checked loads are the published ones) pass without
    blocking failures? A newer run on a correction that was rejected does not count: the published
    data stayed as the earlier run saw it. No such run: the build runs the controls itself."""
    import json

    from bokslut.sql import load_sql

    rp = get_point(point)
    period = rp.period(year)
    with engine.connect() as connection:
        rows = connection.execute(load_sql("templates/readiness"), {"forvaltning": forvaltning, "period": period}).all()
    published = {int(r.item): int(r.status) for r in rows if r.kind == "ledger"}
    result = Readiness(forvaltning, year, rp.code)
    covered = range(year * 100, period + 1)
    missing = [p for p in covered if p not in published]
    if missing:
        result.problems.append(
            f"Huvudboken är inte publicerad för period {', '.join(map(str, missing))} (förvaltning {forvaltning}); "
            f"{rp.code} {year} kräver periodernas månadsavslut {year}00–{period}.")
        return result
    now = {p: published[p] for p in covered}
    for run in (r for r in rows if r.kind == "control_run"):
        checked = {int(p): int(load) for p, load in json.loads(run.candidate_loads or "{}").items()}
        if {p: checked.get(p) for p in covered} != now:
            continue  # a run on other data (a rejected correction, or data since replaced)
        if run.status == "fel":
            result.problems.append(
                f"Kontokontrollen för {forvaltning} period {period} (körning {run.item}) har blockerande fel på de "
                "publicerade uppgifterna; rätta och kör månadsavslutet igen innan blanketterna fylls i.")
        break
    return result


def check_ready(targets: list[dict], settings: Settings | None = None) -> list[dict]:
    """The targets, when every one is ready; otherwise ``NotReady`` naming every problem."""
    from bokslut.warehouse.db import ready_engine

    engine = ready_engine(settings.warehouse_url if settings else None)
    problems = []
    for target in targets:
        state = readiness(engine, target["forvaltning"], int(target["year"]), target["point"])
        problems += state.problems
    if problems:
        raise NotReady(" ".join(problems))
    log.info("Utfall check_ready: %d mål redo.", len(targets))
    return targets


# ---------------------------------------------------------------------------------- build


def delivery_folder(settings: Settings, forvaltning: str, year: int, point: str) -> Path:
    return settings.outbox_dir / forvaltning / get_point(point).label(year)


def archive_manual(path: Path, settings: Settings, name: str | None = None) -> Path:
    """Copy an input workbook to ``<archive>/manual/<sha256[:16]>/<name>`` (once per content) and
    return the copy: the build reads exactly the archived bytes."""
    import hashlib

    from bokslut.problems import EnvironmentProblem

    sha = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    # a folder per content, and a name of our own: finance's file name may hold a person's name, and
    # the archived name reaches the rule report and the mail
    target = settings.archive_dir / MANUAL_LANDING / sha[:16] / (name or Path(path).name)
    try:
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".part")
            shutil.copyfile(path, partial)
            partial.replace(target)
    except OSError as exc:
        from bokslut.problems import os_reason

        raise EnvironmentProblem(f"Arbetsboken med manuella uppgifter kunde inte arkiveras i {settings.archive_dir} "
                                 f"({os_reason(exc)}); blanketterna fylldes inte i. Kontrollera BOKSLUT_ARCHIVE_DIR.") from exc
    log.info("Manuella uppgifter arkiverade som %s (SHA-256 %s).", target, sha)
    return target


def resolve_manual(settings: Settings, forvaltning: str, year: int, point: str, explicit: Path | None = None) -> Path:
    """The manual-input file of a build (module docstring); an input workbook is archived first."""
    from bokslut.templates.manual import default_manual_path

    if explicit and not Path(explicit).is_file():  # a named file that is not there: never an empty fill
        from bokslut.templates.manual import ManualInputError

        raise ManualInputError(f"Filen med manuella uppgifter {explicit} finns inte; blanketterna fylldes inte i.")
    chosen = Path(explicit) if explicit else returned_workbook(settings, forvaltning, year, point)
    if chosen is None:
        return default_manual_path(forvaltning, year, point)
    if chosen.suffix.lower() == ".xlsx" and chosen.is_file():
        return archive_manual(chosen, settings, f"manuella_uppgifter_{forvaltning}_{get_point(point).label(year)}.xlsx")
    return chosen


def build(target: dict, settings: Settings | None = None, *, folder: Path | None = None, manual_path: Path | None = None,
          mapping_path: Path | None = None) -> dict:
    """Fill the workbook, write the validation report, the rule report and a copy of the manual
    inputs used; return the delivery record. ``BlockingControls`` after writing, when the
    Kontokontroller of the period fail."""
    return build_with_result(target, settings, folder=folder, manual_path=manual_path, mapping_path=mapping_path)[0]


def build_with_result(target: dict, settings: Settings | None = None, *, folder: Path | None = None,
                      manual_path: Path | None = None, mapping_path: Path | None = None):  # noqa: ANN201
    """``build`` returning ``(delivery, fill.FillResult)`` (the in-memory result for callers and tests)."""
    from bokslut.alerts.validation_report import write_html
    from bokslut.reports.tsv import write_tsv
    from bokslut.templates.fill import fill_workbook
    from bokslut.templates.reference import load_forvaltning
    from bokslut.templates.rules import rules_report, summary
    from bokslut.warehouse.db import ready_engine

    settings = settings or get_settings()
    forvaltning, year, rp = target["forvaltning"], int(target["year"]), get_point(target["point"])
    label = rp.label(year)
    folder = Path(folder or delivery_folder(settings, forvaltning, year, rp.code))
    folder.mkdir(parents=True, exist_ok=True)
    manual_path = resolve_manual(settings, forvaltning, year, rp.code, manual_path)
    engine = ready_engine(settings.warehouse_url)

    result = fill_workbook(engine, forvaltning, year, rp.code, folder / f"blanketter_{forvaltning}_{label}.xlsx",
                           manual_path=manual_path, mapping_path=mapping_path)
    files = [result.path]
    run = result.filled.control_run
    if run is not None:
        files.append(write_html(run, folder / f"valideringsrapport_{forvaltning}_{rp.period(year)}.html", engine=engine))
    rules_tsv = folder / f"kontroller_blankett_{forvaltning}_{label}.tsv"
    partial = rules_tsv.with_name(rules_tsv.name + ".partial")
    with partial.open("w", encoding="utf-8", newline="") as fh:
        write_tsv(rules_report(result.rules, result.filled), fh)
    partial.replace(rules_tsv)
    files.append(rules_tsv)
    manual = result.filled.manual
    if manual.path is not None:
        copy = folder / f"manuella_uppgifter_{forvaltning}_{label}{Path(manual.path).suffix.lower() or '.yaml'}"
        if Path(manual.path).resolve() != copy.resolve():
            shutil.copyfile(manual.path, copy)
        files.append(copy)
    delivery = {
        "forvaltning": forvaltning, "forvaltningsnamn": load_forvaltning(forvaltning).name, "year": year,
        "point": rp.code, "point_name": rp.name_sv, "period": rp.period(year), "label": label, "folder": str(folder),
        "files": [str(p) for p in files], "summary": summary(result.rules), "manual": manual.described if manual.path else None,
        "manual_sha256": manual.sha256, "manual_file": str(manual.path) if manual.path else None,
        "findings": [{"rule_id": r.rule_id, "status": r.status, "sheet": r.sheet, "where": r.where, "message": r.message}
                     for r in result.rules],
        "blocking_controls": [r.control_id for r in run.blocking_failures] if run is not None else [],
    }
    log.info("Blanketter %s %s: %s", forvaltning, label, delivery["summary"])
    if delivery["blocking_controls"]:
        raise BlockingControls(
            f"Kontokontrollerna för {forvaltning} period {rp.period(year)} har blockerande fel "
            f"({', '.join(delivery['blocking_controls'])}); blanketterna skickas inte. Se {files[1]}.")
    return delivery, result


def build_all(targets: list[dict], settings: Settings | None = None) -> list[dict]:
    deliveries = [build(t, settings) for t in targets]
    log.info("Utfall build: %d arbetsbok/arbetsböcker ifyllda.", len(deliveries))
    return deliveries


def deliver(deliveries: list[dict]) -> list[dict]:
    """Mail each delivery to finance (``templates.delivery``); returns the deliveries with the outcome."""
    from bokslut.templates.delivery import send_delivery

    delivered = [{**d, "mail": send_delivery(d)} for d in deliveries]
    log.info("Utfall deliver: %d av %d skickade till ekonomi.", sum(1 for d in delivered if d["mail"]["sent"]),
             len(delivered))
    return delivered


__all__ = ["NotReady", "BlockingControls", "Readiness", "default_point", "resolve_targets", "readiness", "check_ready",
           "build", "build_all", "deliver", "delivery_folder", "resolve_manual", "returned_workbook"]
