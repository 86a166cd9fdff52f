"""Send a control run's alerts to every configured channel, once.

A run with blocking failures gets one failure alert; a run with warnings gets one warning digest
(both when it has both). Each goes to every configured channel; a channel without configuration
is skipped with a log line.

No alert storm on retries: every (alert, channel) pair is sent at most once, through the
package's one "send once" mechanism (``bokslut.mail.send_once``) with ``alert_log`` as its ledger
(``AlertLog``). The alert key is built from the förvaltning, the period, the kind and a digest of
the sorted failing control ids with their differences, so a retried task or a re-run with the
identical failure finds its row in ``alert_log`` and stays quiet, while a changed failure (another
difference, another control) gets a new key and alerts again. The row is inserted after a
successful send: a failed send leaves no row, and the next attempt sends again.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bokslut.alerts.message import AlertMessage, failure_alert, warning_digest
from bokslut.controls.model import ControlRun
from bokslut.mail import send_once
from bokslut.settings import AlertSettings
from bokslut.warehouse.schema import alert_log

log = logging.getLogger(__name__)

CHANNELS = ("email", "slack")


class AlertDeliveryError(RuntimeError):
    """At least one alert could not be sent; ``sent`` lists what went out before and after it."""

    def __init__(self, errors: list[str], sent: list[str]) -> None:
        super().__init__("alert delivery failed: " + "; ".join(errors))
        self.errors = errors
        self.sent = sent


def alert_key(message: AlertMessage) -> str:
    """``191:202413:failure:<sha256>``: readable prefix, digest of the failing lines (fits 200 chars)."""
    lines = sorted((r.control_id, r.difference_ore) for r in message.results)
    # The digest as stored in alert_log since the start: the same failure must keep its key.
    digest = hashlib.sha256(json.dumps(lines, separators=(",", ":")).encode()).hexdigest()[:40]
    return f"{message.forvaltning}:{message.period}:{message.kind}:{digest}"


def build_messages(run: ControlRun, report_link: str | None) -> list[AlertMessage]:
    """The failure alert (if any blocking failure) and the warning digest (if any warning)."""
    messages = []
    if run.blocking_failures:
        messages.append(failure_alert(run, report_link))
    if run.warnings:
        messages.append(warning_digest(run, report_link))
    return messages


def send_alerts(engine: Engine, run: ControlRun, report_link: str | None, *,
                channels: Iterable[str] = CHANNELS, settings: AlertSettings | None = None) -> list[str]:
    """Send what ``run`` calls for, once per channel; return what was sent now (``"failure:email"``, ...).

    Every configured channel is tried even when another fails; if any send failed,
    ``AlertDeliveryError`` is raised at the end (so the task fails and its retry sends only what
    is missing).
    """
    channels = tuple(channels)
    unknown = set(channels) - set(CHANNELS)
    if unknown:
        raise ValueError(f"unknown alert channel(s): {', '.join(sorted(unknown))}")
    messages = build_messages(run, report_link)
    if not messages:
        return []
    settings = settings or AlertSettings.from_env()
    senders = _configured_senders(channels, settings)
    sent: list[str] = []
    errors: list[str] = []
    for message in messages:
        key = alert_key(message)
        for channel, sender in senders.items():
            label = f"{message.kind}:{channel}"
            try:
                if _send_once(engine, key, channel, lambda m=message, s=sender: s(m, settings)):
                    sent.append(label)
                else:
                    log.info("Alert %s already sent for key %s: not sent again", label, key)
            except Exception as exc:  # noqa: BLE001 - try every channel, report all at the end
                log.exception("Alert %s for %s period %s could not be sent", label, run.forvaltning, run.period)
                errors.append(f"{label}: {type(exc).__name__}: {exc}")
    if errors:
        raise AlertDeliveryError(errors, sent)
    return sent


def _configured_senders(channels: tuple[str, ...], settings: AlertSettings) -> dict[str, Callable]:
    from bokslut.alerts import email, slack

    modules = {"email": (email.missing_configuration, email.send_email),
               "slack": (slack.missing_configuration, slack.send_slack)}
    senders = {}
    for channel in channels:
        missing, send = modules[channel]
        reason = missing(settings)
        if reason:
            log.warning("Alert channel %s skipped: %s", channel, reason)
        else:
            senders[channel] = send
    return senders


class AlertLog:
    """The alerts' ledger for one channel: rows (alert_key, channel) of the warehouse table ``alert_log``."""

    def __init__(self, engine: Engine, channel: str) -> None:
        self.engine = engine
        self.channel = channel

    def has(self, key: str) -> bool:
        with self.engine.connect() as connection:
            return connection.execute(sa.select(alert_log.c.alert_key).where(
                alert_log.c.alert_key == key, alert_log.c.channel == self.channel)).first() is not None

    def add(self, key: str) -> None:
        """Record ``key``. Two identical runs at the same moment (excluded by ``max_active_runs=1``)
        could both deliver; the second insert then hits the primary key and is taken as "logged
        already": at worst a duplicate, never a lost alert."""
        try:
            with self.engine.begin() as connection:
                connection.execute(alert_log.insert().values(
                    alert_key=key, channel=self.channel, sent_at=datetime.now(timezone.utc)))
        except sa.exc.IntegrityError:
            log.warning("Alert %s/%s was logged by a concurrent run while this one sent it", key, self.channel)


def _send_once(engine: Engine, key: str, channel: str, deliver: Callable[[], object]) -> bool:
    """Deliver unless ``alert_log`` has (key, channel); log it after a successful delivery."""
    return send_once(AlertLog(engine, channel), key, deliver)
