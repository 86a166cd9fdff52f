"""Alert messages built from a control run: pure functions, no sending, no database.

Finance reads these, so every word is Swedish and amounts read ``-1 234 567,89 kr``. A message
lists only what needs action: ``failure_alert`` the blocking failures (``status == "fel"``),
``warning_digest`` all warning-level lines of the run in one message: warnings and lines that
could not be checked ("ej kontrollerbar", naming the missing input). Lines that hold (``ok``) and
informational lines (``info``) never appear. The records carry koddelar and voucher numbers only,
never personal data, and nothing is added here.

One ``AlertMessage`` carries every rendering of the same content: subject, plain text, HTML (the
e-mail body) and a Slack incoming-webhook payload (``text`` + Block Kit ``blocks``).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, Literal

from bokslut.controls.model import NOT_CHECKABLE, ControlResult, ControlRun, OffendingPosting, OffendingVoucher
from bokslut.money import format_swedish

AlertKind = Literal["failure", "warnings"]

MAX_VOUCHERS = 10  # vouchers shown per control (the runner lists as many); the rest are counted
MAX_POSTINGS = 20  # postings shown per voucher; the rest are counted
MAX_SUBJECT_IDS = 6  # control ids named in the subject
SLACK_MAX_CONTROLS = 20  # Slack allows 50 blocks per message: 2 per control plus a few
SLACK_MAX_SECTION = 3000  # characters of a section block's text (Slack's limit)
SLACK_MAX_TEXT = 3900  # the fallback text; Slack truncates longer messages anyway

POSTING_HEADERS = ("Period", "Konto", "Ansvar", "Verksamhet", "Projekt", "Motpart", "Anslag", "Vertyp", "Vernr",
                   "Belopp")
NOT_PUBLISHED = "Perioden är inte publicerad; tidigare publicerade uppgifter är oförändrade."
WARNINGS_DO_NOT_BLOCK = "Varningar stoppar inte publiceringen i sig, men ska utredas."
NO_REPORT = "(ingen valideringsrapport skrevs)"
VOUCHERS_TITLE = {
    "net": ("Verifikationer som förklarar differensen (störst bidrag först; verifikationer som nettar till 0 "
            "eller tar ut varandra visas inte):"),
    "abs": "Verifikationer med konteringar som kontrollen fångar (störst belopp först):",
}


@dataclass(frozen=True)
class AlertMessage:
    kind: AlertKind
    forvaltning: str
    period: int
    results: tuple[ControlResult, ...]  # the failing lines the message is about
    subject: str
    text: str  # plain-text body
    html: str  # HTML body (what the e-mail carries)
    slack_text: str  # Slack notification/fallback text
    slack_blocks: tuple[dict[str, Any], ...]

    @property
    def control_ids(self) -> tuple[str, ...]:
        return tuple(r.control_id for r in self.results)

    def slack_payload(self) -> dict[str, Any]:
        """The JSON body for a Slack incoming webhook."""
        return {"text": self.slack_text, "blocks": [dict(b) for b in self.slack_blocks]}


def failure_alert(run: ControlRun, report_link: str | None = None) -> AlertMessage:
    """The alert for the run's blocking failures: what failed, where to look, not published."""
    failures = tuple(run.blocking_failures)
    if not failures:
        raise ValueError(f"run {run.run_id} has no blocking failures")
    return _build(
        "failure", run, failures, report_link,
        title="Kontroll underkänd",
        intro=(f"Kontokontrollen underkände förvaltning {run.forvaltning}, period {run.period}: "
               f"{_count(len(failures), 'kontroll', 'kontroller')} med fel."),
        closing=NOT_PUBLISHED,
    )


def warning_digest(run: ControlRun, report_link: str | None = None) -> AlertMessage:
    """One message listing every warning of the run (not one message per warning)."""
    warnings = tuple(run.warnings)
    if not warnings:
        raise ValueError(f"run {run.run_id} has no warnings")
    return _build(
        "warnings", run, warnings, report_link,
        title="Kontroll med varningar",
        intro=(f"Kontokontrollen gav varningar för förvaltning {run.forvaltning}, period {run.period}: "
               f"{_count(len(warnings), 'kontroll', 'kontroller')} med varning"
               + (f", varav {len(run.not_checkable)} ej kontrollerbara (indata saknas)." if run.not_checkable else ".")),
        closing=WARNINGS_DO_NOT_BLOCK,
    )


def kr(ore: int | None) -> str:
    """``-1 234 567,89 kr`` (NBSP thousands), or a dash when the control has no value."""
    return "–" if ore is None else f"{format_swedish(ore)} kr"


# --- building ------------------------------------------------------------------------------


def _build(kind: AlertKind, run: ControlRun, results: tuple[ControlResult, ...], report_link: str | None,
           *, title: str, intro: str, closing: str) -> AlertMessage:
    link = report_link or run.report_path
    subject = f"[bokslut] {title}: {run.forvaltning} period {run.period} – {_subject_ids(results)}"
    return AlertMessage(
        kind=kind, forvaltning=run.forvaltning, period=run.period, results=results, subject=subject,
        text=_text(results, link, intro, closing),
        html=_html(subject, results, link, intro, closing),
        slack_text=_truncate(f"{subject}\n{intro}\n{closing}", SLACK_MAX_TEXT),
        slack_blocks=tuple(_slack_blocks(subject, results, link, intro, closing)),
    )


def _subject_ids(results: tuple[ControlResult, ...]) -> str:
    ids = [r.control_id for r in results]
    if len(ids) <= MAX_SUBJECT_IDS:
        return ", ".join(ids)
    return ", ".join(ids[:MAX_SUBJECT_IDS]) + f" m.fl. ({len(ids)} st)"


def _count(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


def _fields(r: ControlResult) -> list[tuple[str, str]]:
    """The labelled lines of one failing control, in reading order."""
    fields = [("Period", str(r.period))]
    if r.rule:
        fields.append(("Regel", r.rule))
    if r.not_checkable:  # no figure is passed off as checked: the missing input is named instead
        fields += [("Status", r.status_text), ("Förväntat", _or_not_checkable(r.expected_ore)),
                   ("Faktiskt", _or_not_checkable(r.value_ore)), ("Differens", NOT_CHECKABLE)]
    else:
        fields += [("Förväntat", kr(r.expected_ore)), ("Faktiskt", kr(r.value_ore)), ("Differens", kr(r.difference_ore))]
    if r.where_to_look:
        fields.append(("Var ska man leta", r.where_to_look))
    return fields


def _or_not_checkable(ore: int | None) -> str:
    return NOT_CHECKABLE if ore is None else kr(ore)


def _posting_cells(p: OffendingPosting) -> list[str]:
    return [str(p.period), p.konto, p.ansvar, p.verksamhet, p.projekt, p.motpart, p.anslag, p.vertyp, p.vernr,
            kr(p.amount_ore)]


def _shown(r: ControlResult) -> tuple[list[OffendingVoucher], int]:
    """The vouchers shown (at most ``MAX_VOUCHERS``, in the record's order) and how many more exist."""
    shown = list(r.offending_vouchers[:MAX_VOUCHERS])
    return shown, max(0, r.offending_voucher_count - len(shown), len(r.offending_vouchers) - len(shown))


def voucher_heading(n: int, v: OffendingVoucher, ranking: str) -> str:
    """``1. Verifikation MA 100002, period 202413: netto 1 000,00 kr (1 kontering)``."""
    count = _count(v.posting_count, "kontering", "konteringar")
    gross = f", brutto {kr(v.contribution_ore)}" if ranking == "abs" else ""
    return f"{n}. Verifikation {v.vertyp} {v.vernr}, period {v.period}: netto {kr(v.net_ore)}{gross} ({count})"


def _voucher_postings(v: OffendingVoucher) -> tuple[list[OffendingPosting], int]:
    shown = list(v.postings[:MAX_POSTINGS])
    return shown, max(0, v.posting_count - len(shown))


def more_postings_line(more: int) -> str:
    return f"… och ytterligare {_count(more, 'kontering', 'konteringar')} i verifikationen."


def more_vouchers_line(more: int) -> str:
    return f"… och ytterligare {_count(more, 'verifikation', 'verifikationer')} med mindre bidrag (visas inte)."


def _text_table(rows: list[list[str]]) -> list[str]:
    """Fixed-width columns; the last column (Belopp) right-aligned."""
    table = [list(POSTING_HEADERS), *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(POSTING_HEADERS))]
    lines = []
    for row in table:
        cells = [c.ljust(w) for c, w in zip(row[:-1], widths[:-1])] + [row[-1].rjust(widths[-1])]
        lines.append("  ".join(cells))
    return lines


def _voucher_lines(r: ControlResult) -> list[str]:
    """The vouchers as plain text: one table, a heading line before each voucher's postings."""
    shown, more = _shown(r)
    if not shown:
        return []
    table = _text_table([_posting_cells(p) for v in shown for p in _voucher_postings(v)[0]])
    lines, rows = [VOUCHERS_TITLE[r.offending_ranking], "  " + table[0]], iter(table[1:])
    for n, v in enumerate(shown, start=1):
        postings, more_postings = _voucher_postings(v)
        lines.append(voucher_heading(n, v, r.offending_ranking))
        lines += ["  " + next(rows) for _ in postings]
        if more_postings:
            lines.append("  " + more_postings_line(more_postings))
    if more:
        lines.append(more_vouchers_line(more))
    return lines


# --- plain text ------------------------------------------------------------------------------


def _text(results: tuple[ControlResult, ...], link: str | None, intro: str, closing: str) -> str:
    lines = [intro, ""]
    for r in results:
        lines.append(f"{r.control_id} – {r.name}")
        width = max(len(label) for label, _ in _fields(r)) + 1
        lines += [f"  {(label + ':').ljust(width)} {value}" for label, value in _fields(r)]
        vouchers = _voucher_lines(r)
        if vouchers:
            lines.append(f"  {vouchers[0]}")
            lines += [f"    {line}" for line in vouchers[1:]]
        lines.append("")
    lines.append(f"Valideringsrapport: {link or NO_REPORT}")
    lines.append("")
    lines.append(closing)
    return "\n".join(lines) + "\n"


# --- HTML ------------------------------------------------------------------------------------

_CELL = "border-bottom:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top"
_NUM = "border-bottom:1px solid #ddd;padding:3px 8px;text-align:right;white-space:nowrap"
_HEAD = "background:#f0f2f5;padding:3px 8px;text-align:left"
_HEAD_NUM = "background:#f0f2f5;padding:3px 8px;text-align:right"
_VOUCHER = "padding:6px 8px 2px 8px;text-align:left;font-weight:bold;border-bottom:1px solid #bbb"


def _e(value: str) -> str:
    return html.escape(value, quote=True)


def _link_html(link: str | None) -> str:
    if not link:
        return _e(NO_REPORT)
    if link.startswith(("http://", "https://")):
        return f'<a href="{_e(link)}">{_e(link)}</a>'
    return f"<code>{_e(link)}</code>"


def _html(subject: str, results: tuple[ControlResult, ...], link: str | None, intro: str, closing: str) -> str:
    parts = [
        '<!DOCTYPE html>\n<html lang="sv">\n<head><meta charset="utf-8">',
        f"<title>{_e(subject)}</title></head>",
        '<body style="font-family:\'Segoe UI\',Arial,sans-serif;color:#222">',
        f"<p>{_e(intro)}</p>",
    ]
    for r in results:
        parts.append(f'<h3 style="margin-bottom:0.2em">{_e(r.control_id)} – {_e(r.name)}</h3>')
        parts.append('<table style="border-collapse:collapse">')
        for label, value in _fields(r):
            style = _NUM if label in ("Förväntat", "Faktiskt", "Differens") else _CELL
            parts.append(f'<tr><th style="{_HEAD}">{_e(label)}</th><td style="{style}">{_e(value)}</td></tr>')
        parts.append("</table>")
        shown, more = _shown(r)
        if shown:
            parts.append(f'<p style="margin-bottom:0.2em">{_e(VOUCHERS_TITLE[r.offending_ranking])}</p>')
            parts.append('<table style="border-collapse:collapse;font-size:0.9em">')
            parts.append("<tr>" + "".join(f'<th style="{_HEAD}">{_e(h)}</th>' for h in POSTING_HEADERS[:-1])
                         + f'<th style="{_HEAD_NUM}">{_e(POSTING_HEADERS[-1])}</th></tr>')
            span = len(POSTING_HEADERS)
            for n, v in enumerate(shown, start=1):
                parts.append(f'<tr><th colspan="{span}" style="{_VOUCHER}">'
                             f"{_e(voucher_heading(n, v, r.offending_ranking))}</th></tr>")
                postings, more_postings = _voucher_postings(v)
                for p in postings:
                    cells = _posting_cells(p)
                    parts.append("<tr>" + "".join(f'<td style="{_CELL}">{_e(c)}</td>' for c in cells[:-1])
                                 + f'<td style="{_NUM}">{_e(cells[-1])}</td></tr>')
                if more_postings:
                    parts.append(f'<tr><td colspan="{span}" style="{_CELL}">{_e(more_postings_line(more_postings))}'
                                 "</td></tr>")
            parts.append("</table>")
            if more:
                parts.append(f"<p>{_e(more_vouchers_line(more))}</p>")
    parts.append(f"<p>Valideringsrapport: {_link_html(link)}</p>")
    parts.append(f"<p><strong>{_e(closing)}</strong></p>")
    parts.append("</body>\n</html>\n")
    return "\n".join(parts)


# --- Slack -----------------------------------------------------------------------------------


def _m(value: str) -> str:
    """Escape the three characters Slack mrkdwn treats as control characters."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _section(mrkdwn: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _truncate(mrkdwn, SLACK_MAX_SECTION)}}


def _truncate(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _link_slack(link: str | None) -> str:
    if not link:
        return _m(NO_REPORT)
    if link.startswith(("http://", "https://")):
        return f"<{_m(link)}|{_m(link)}>"
    return f"`{_m(link)}`"


def _slack_blocks(subject: str, results: tuple[ControlResult, ...], link: str | None, intro: str,
                  closing: str) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _truncate(subject, 150)}},
        _section(_m(intro)),
    ]
    for r in results[:SLACK_MAX_CONTROLS]:
        lines = [f"*{_m(r.control_id)}* – {_m(r.name)}"]  # names may hold "*" (e.g. "Motpart 9*")
        lines += [f"{_m(label)}: {_m(value)}" for label, value in _fields(r)]
        blocks.append(_section("\n".join(lines)))
        vouchers = _voucher_lines(r)
        if vouchers:
            title = _m(vouchers[0])
            body = "\n".join(vouchers[1:])
            budget = SLACK_MAX_SECTION - len(title) - 10
            blocks.append(_section(f"{title}\n```{_truncate(_m(body), budget)}```"))
    if len(results) > SLACK_MAX_CONTROLS:
        rest = len(results) - SLACK_MAX_CONTROLS
        blocks.append(_section(f"… och {_count(rest, 'kontroll', 'kontroller')} till (se valideringsrapporten)."))
    blocks.append(_section(f"Valideringsrapport: {_link_slack(link)}"))
    blocks.append(_section(f"*{_m(closing)}*"))
    return blocks
