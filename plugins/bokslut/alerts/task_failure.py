"""Alert when an Airflow task fails for good: ``on_task_failure(context)``, the tasks' failure callback.

Every task of every DAG gets it through ``bokslut.dag_defaults.DEFAULT_ARGS`` (a tiny wrapper
there imports this module only when a task has failed). The task SDK calls a task's
``on_failure_callback`` with the task context once the task instance is ``failed`` (after its last
retry; a try that goes to ``up_for_retry`` runs ``on_retry_callback`` instead), so a task that
fails and then succeeds on retry sends nothing. The context holds ``ti``, ``dag``, ``dag_run``,
``run_id`` and ``exception`` (the error the task raised; a string or missing when the task was
killed from outside, e.g. a heartbeat timeout handled by the DAG processor).

One Swedish message (DAG, task, run, try, the error's text, where to look) goes to every
configured channel (the same ones and settings as the control alerts: ``bokslut.settings.AlertSettings``). It is
sent at most once per failed task instance: the key ``task:<dag>:<task>:<digest of dag, task,
run, map index, try>`` is kept in the warehouse's ``alert_log`` like the control alerts, so a
callback that runs twice for the same failure stays quiet the second time. When the warehouse
cannot be reached (the failure may be exactly that) the alert is sent without that check: a
possible duplicate rather than a lost alert.

The callback never raises: whatever goes wrong is logged and it returns.
"""

from __future__ import annotations

import hashlib
import html
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

MAX_ERROR_CHARS = 1500  # of the error text in a message (a traceback belongs in the task log)
REPORT_PATTERN = re.compile(r"(?:https?://|/)?[^\s'\"]*valideringsrapport[^\s'\"]*\.html")
WHAT_TO_DO = "Vad du gör vid fel står under ”Vid fel” i DAG:ens beskrivning i Airflow."


@dataclass(frozen=True)
class FailedTask:
    """What the alert says about one failed task instance (read from the Airflow context)."""

    dag_id: str
    task_id: str
    run_id: str
    map_index: int
    try_number: int | None
    error: str
    log_url: str | None
    report: str | None  # a validation report the error names, if any
    map_label: str | None = None  # a mapped instance's name, e.g. "förvaltning 150" (map_index_template)

    @property
    def key(self) -> str:
        """``task:<dag>:<task>:<digest>`` for ``alert_log`` (at most 167 characters)."""
        ident = "\x1f".join((self.dag_id, self.task_id, self.run_id, str(self.map_index), str(self.try_number)))
        digest = hashlib.sha256(ident.encode()).hexdigest()[:40]
        return f"task:{self.dag_id[:60]}:{self.task_id[:60]}:{digest}"


@dataclass(frozen=True)
class TaskFailureMessage:
    """Subject, plain text, HTML and Slack payload of a task failure (what ``email``/``slack`` send)."""

    subject: str
    text: str
    html: str
    slack_text: str

    def slack_payload(self) -> dict[str, Any]:
        return {"text": self.slack_text, "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": self.subject[:150]}},
            {"type": "section", "text": {"type": "mrkdwn", "text": _slack_escape(self.text)[:3000]}},
        ]}


def on_task_failure(context: Mapping[str, Any]) -> list[str]:
    """Send the task-failure alert for ``context``; return what was sent (``["email", "slack"]``).

    Never raises: an error in here is logged (the task has failed already; the callback must not
    hide why).
    """
    try:
        failed = failed_task(context)
        return send_task_failure(failed)
    except Exception:  # noqa: BLE001 - a failure callback must never raise
        log.exception("Larmet om den misslyckade uppgiften kunde inte skickas")
        return []


def failed_task(context: Mapping[str, Any]) -> FailedTask:
    ti = context.get("ti") or context.get("task_instance")
    dag = context.get("dag")
    dag_run = context.get("dag_run")
    dag_id = _attr(ti, "dag_id") or _attr(dag, "dag_id") or _attr(dag_run, "dag_id") or "okänd DAG"
    task_id = _attr(ti, "task_id") or _attr(context.get("task"), "task_id") or "okänd uppgift"
    run_id = context.get("run_id") or _attr(ti, "run_id") or _attr(dag_run, "run_id") or "okänd körning"
    map_index = _attr(ti, "map_index")
    map_label = _attr(ti, "rendered_map_index")
    try_number = _attr(ti, "try_number")
    error = error_text(context.get("exception"))
    return FailedTask(
        dag_id=str(dag_id), task_id=str(task_id), run_id=str(run_id),
        map_index=int(map_index) if isinstance(map_index, int) else -1,
        try_number=int(try_number) if isinstance(try_number, int) else None,
        error=error, log_url=_log_url(ti), report=_report(error),
        map_label=map_label if isinstance(map_label, str) and map_label.strip() else None,
    )


def error_text(exception: object) -> str:
    """The error as finance and operators read it: our exceptions carry Swedish text as is."""
    if exception is None:
        return "Uppgiften avbröts utan felmeddelande (t.ex. stoppad eller utan livstecken); se loggen."
    if isinstance(exception, str):
        text = exception
    else:
        message = str(exception).strip()
        # ours, and Airflow's (AirflowFailException, AirflowSkipException) that our tasks raise with Swedish text
        ours = type(exception).__module__.startswith(("bokslut", "airflow.sdk.exceptions", "airflow.exceptions")) \
            or isinstance(exception, ValueError)
        if ours and message:
            text = message
        else:
            text = f"Oväntat fel ({type(exception).__name__})" + (f": {message}" if message else "")
    from bokslut.textsafety import mask_personnummer

    text = mask_personnummer(text.strip()) or "okänt fel"  # an unexpected error may quote a row: never a personnummer
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 1] + "…"


def build_message(failed: FailedTask) -> TaskFailureMessage:
    subject = f"[bokslut] Uppgift misslyckades: {failed.dag_id} / {failed.task_id}"
    part = failed.map_label or (f"del {failed.map_index}" if failed.map_index >= 0 else "")
    task = failed.task_id + (f" ({part})" if part else "")
    fields = [("DAG", failed.dag_id), ("Uppgift", task), ("Körning", failed.run_id)]
    if failed.try_number:
        fields.append(("Försök", str(failed.try_number)))
    look = [f"Uppgiftens logg i Airflow: {failed.log_url}" if failed.log_url
            else "Uppgiftens logg i Airflow (DAG-körningen ovan)."]
    if failed.report:
        look.append(f"Valideringsrapport: {failed.report}")
    look.append(WHAT_TO_DO)
    intro = f"Uppgiften {failed.task_id} i {failed.dag_id} misslyckades och körs inte om automatiskt."
    width = max(len(label) for label, _ in fields) + 1
    text = "\n".join([
        intro, "",
        *(f"{(label + ':').ljust(width)} {value}" for label, value in fields), "",
        "Fel:", *(f"  {line}" for line in failed.error.splitlines()), "",
        "Var ska man leta:", *(f"  {line}" for line in look),
    ]) + "\n"
    rows = "".join(f'<tr><th style="text-align:left;padding:2px 8px">{_e(label)}</th>'
                   f'<td style="padding:2px 8px">{_e(value)}</td></tr>' for label, value in fields)
    body = [
        '<!DOCTYPE html>\n<html lang="sv">\n<head><meta charset="utf-8">', f"<title>{_e(subject)}</title></head>",
        '<body style="font-family:\'Segoe UI\',Arial,sans-serif;color:#222">', f"<p>{_e(intro)}</p>",
        f'<table style="border-collapse:collapse">{rows}</table>',
        f"<p><strong>Fel:</strong></p><pre style=\"white-space:pre-wrap\">{_e(failed.error)}</pre>",
        "<p><strong>Var ska man leta:</strong></p><ul>",
        *(f"<li>{_link(line)}</li>" for line in look), "</ul>", "</body>\n</html>\n",
    ]
    return TaskFailureMessage(subject=subject, text=text, html="\n".join(body),
                              slack_text=f"{subject}\n{failed.error.splitlines()[0][:300]}")


def send_task_failure(failed: FailedTask, *, settings=None, engine=None) -> list[str]:  # noqa: ANN001
    """Send the alert for ``failed`` once per channel; return the channels it went to now.

    Each channel is tried even when another fails; failures are logged, not raised.
    """
    from bokslut.alerts.dispatch import CHANNELS, _configured_senders
    from bokslut.settings import AlertSettings

    settings = settings or AlertSettings.from_env()
    message = build_message(failed)
    log.error("Uppgiften %s.%s (körning %s) misslyckades: %s", failed.dag_id, failed.task_id, failed.run_id,
              failed.error.splitlines()[0] if failed.error else "")
    senders = _configured_senders(CHANNELS, settings)
    if not senders:
        log.warning("Inget larm skickat för %s.%s: ingen larmkanal är konfigurerad", failed.dag_id, failed.task_id)
        return []
    engine = engine if engine is not None else _engine()
    sent = []
    for channel, send in senders.items():
        try:
            if _send_once(engine, failed.key, channel, lambda s=send: s(message, settings)):
                sent.append(channel)
            else:
                log.info("Larm %s för %s redan skickat: skickas inte igen", channel, failed.key)
        except Exception:  # noqa: BLE001 - try every channel
            log.exception("Larmet via %s om %s.%s kunde inte skickas", channel, failed.dag_id, failed.task_id)
    return sent


def _send_once(engine, key: str, channel: str, deliver: Callable[[], object]) -> bool:  # noqa: ANN001
    """``dispatch._send_once`` when the warehouse answers; otherwise deliver without the repeat check."""
    import sqlalchemy as sa

    from bokslut.alerts.dispatch import _send_once as send_once_logged

    if engine is None:
        deliver()
        return True
    delivered: list[bool] = []

    def tracked() -> None:
        deliver()
        delivered.append(True)

    try:
        return send_once_logged(engine, key, channel, tracked)
    except sa.exc.SQLAlchemyError as exc:
        log.warning("alert_log i lagret kunde inte läsas eller skrivas (%s): larmet skickas utan kontroll av "
                    "upprepning", type(exc).__name__)
        if not delivered:
            deliver()
        return True


def _engine():  # noqa: ANN202 - SQLAlchemy engine or None
    try:
        from bokslut.warehouse.db import get_engine

        return get_engine()
    except Exception as exc:  # noqa: BLE001 - no warehouse: send without the repeat check
        log.warning("Lagret kunde inte öppnas för alert_log (%s)", type(exc).__name__)
        return None


def _attr(obj: object, name: str) -> Any:  # noqa: ANN401
    try:
        return getattr(obj, name, None) if obj is not None else None
    except Exception:  # noqa: BLE001 - lazy proxies may fail
        return None


def _log_url(ti: object) -> str | None:
    url = _attr(ti, "log_url")
    return url if isinstance(url, str) and url else None


def _report(error: str) -> str | None:
    match = REPORT_PATTERN.search(error)
    return match.group(0).rstrip(".,;:)") if match else None


def _e(value: str) -> str:
    return html.escape(value, quote=True)


def _link(line: str) -> str:
    label, sep, rest = line.partition(": ")
    if sep and rest.startswith(("http://", "https://")):
        return f'{_e(label)}: <a href="{_e(rest)}">{_e(rest)}</a>'
    return _e(line)


def _slack_escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
