"""The static Swedish validation report a finance user opens from the outbox (no external assets)."""

from __future__ import annotations

from datetime import datetime
from itertools import groupby
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape

from bokslut.alerts.message import VOUCHERS_TITLE, more_postings_line, more_vouchers_line, voucher_heading
from bokslut.controls.model import ControlResult, ControlRun
from bokslut.controls.scope import reporting_point
from bokslut.controls.sheet import shown_difference
from bokslut.controls.suites import load_control_suites
from bokslut.money import format_swedish
from bokslut.settings import TEMPLATES_DIR

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


def render_html(run: ControlRun) -> str:
    env = Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=select_autoescape(["html", "j2"]))
    titles = {s.group: s.name for s in load_control_suites()}
    groups = [(titles.get(g, g), list(rs)) for g, rs in groupby(run.results, key=lambda r: r.group)]
    return env.get_template("validation_report.html.j2").render(
        run=run, groups=groups, failing=[r for r in run.results if r.needs_attention], overall=run.status, kr=_kr,
        amount=_amount, difference=lambda r: _amount(r, shown_difference(r)), status_class=_status_class,
        scope_label=SCOPE_LABELS[reporting_point(run.period)], **VOUCHER_HELPERS,
        generated_at=datetime.now(ZoneInfo("Europe/Stockholm")).strftime("%Y-%m-%d %H:%M"),
    )


def write_html(run: ControlRun, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".html.partial")
    tmp.write_text(render_html(run), encoding="utf-8")
    tmp.replace(path)
    return path
