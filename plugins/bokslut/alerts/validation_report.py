"""The static Swedish validation report a finance user opens from the outbox (no external assets).

Given the warehouse (``engine``), each failing or warning line links to its explanation further down
the same file (``bokslut.lineage.controls.explain_run``: value, rule, recomputation from the raw
postings, the vouchers or postings behind it, and the ``bokslut explain`` command that reruns it).
Only those lines are explained, on the data the run checked (``staged_load_ids``): call it before a
staged load is published or rejected.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import datetime
from itertools import groupby
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape

from bokslut.alerts.message import VOUCHERS_TITLE, more_postings_line, more_vouchers_line, voucher_heading
from bokslut.controls.model import ControlResult, ControlRun
from bokslut.domain.periods import control_scope, point_covering, year_of
from bokslut.controls.sheet import shown_difference
from bokslut.controls.suites import load_control_suites
from bokslut.lineage.render import value_text
from bokslut.money import format_swedish
from bokslut.settings import TEMPLATES_DIR

log = logging.getLogger(__name__)
SCOPE_LABELS = {"manad": "månadsavslut", "T1": "tertial 1", "T2": "tertial 2", "bokslut": "bokslut"}


def _kr(ore: int | None) -> str:
    return "" if ore is None else format_swedish(ore)


def _amount(result: ControlResult, ore: int | str | None) -> str:
    """An amount cell; a line that could not be checked says so where it has no figure."""
    if isinstance(ore, str):
        return ore
    if ore is None and result.not_checkable:
        return "ej kontrollerbar"
    return _kr(ore)


def _status_class(result: ControlResult) -> str:
    return "ejkontroll" if result.not_checkable else result.status


# The texts around a failing line's vouchers, the same as in the alerts (``r.offending_vouchers``
# in ranking order; ``r.offending`` is their postings, voucher by voucher).
VOUCHER_HELPERS = {
    "vouchers_title": lambda r: VOUCHERS_TITLE[r.offending_ranking],
    "voucher_heading": lambda n, v, r: voucher_heading(n, v, r.offending_ranking),
    "more_postings": lambda v: more_postings_line(v.more_postings),
    "more_vouchers": lambda r: more_vouchers_line(r.more_vouchers),
}


def anchor(control_id: str) -> str:
    """The id of a line's explanation in the report: ``KK05.6`` -> ``forklaring-kk05-6``."""
    return "forklaring-" + re.sub(r"[^a-z0-9]+", "-", control_id.lower()).strip("-")


def explain_command(run: ControlRun, control_id: str) -> str:
    """The ``bokslut explain`` command that explains the line again (on the published data)."""
    year, point = year_of(run.period), point_covering(run.period)
    command = f"bokslut explain --forvaltning {run.forvaltning} --year {year} --point {point.code}"
    if point.period(year) != run.period:
        command += f" --period {run.period}"
    return f"{command} --control {control_id}"


def _explanations(engine, run: ControlRun, staged_load_ids: Iterable[int]) -> tuple[dict, str]:  # noqa: ANN001
    """(control id -> Explanation, a Swedish note when they could not be made): the report is written either way."""
    if engine is None or not any(r.failed for r in run.results):
        return {}, ""
    from bokslut.lineage.controls import explain_run

    try:
        return explain_run(engine, run, staged_load_ids=staged_load_ids), ""
    except Exception as exc:  # the verdict above must reach finance even when its explanation fails
        log.exception("Förklaringarna till valideringsrapporten %s %s kunde inte tas fram", run.forvaltning, run.period)
        return {}, f"Förklaringarna kunde inte tas fram ({type(exc).__name__}). Kör kommandot bokslut explain per kontroll."


def render_html(run: ControlRun, explanations: dict | None = None, explanation_note: str = "") -> str:
    env = Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=select_autoescape(["html", "j2"]))
    titles = {s.group: s.name for s in load_control_suites()}
    groups = [(titles.get(g, g), list(rs)) for g, rs in groupby(run.results, key=lambda r: r.group)]
    return env.get_template("validation_report.html.j2").render(
        run=run, groups=groups, failing=[r for r in run.results if r.needs_attention], overall=run.status, kr=_kr,
        amount=_amount, difference=lambda r: _amount(r, shown_difference(r)), status_class=_status_class,
        scope_label=SCOPE_LABELS[control_scope(run.period)], **VOUCHER_HELPERS,
        explanations=explanations or {}, explanation_note=explanation_note, anchor=anchor,
        command=lambda control_id: explain_command(run, control_id), value_text=value_text,
        load_of=lambda c: c.load,
        generated_at=datetime.now(ZoneInfo("Europe/Stockholm")).strftime("%Y-%m-%d %H:%M"),
    )


def write_html(run: ControlRun, path: Path, *, engine=None, staged_load_ids: Iterable[int] = ()) -> Path:  # noqa: ANN001
    """Write the report; with ``engine``, its failing and warning lines are explained (see the module)."""
    explanations, note = _explanations(engine, run, staged_load_ids)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".html.partial")
    tmp.write_text(render_html(run, explanations, note), encoding="utf-8")
    tmp.replace(path)
    return path
