"""The one mailer and the one "send once" mechanism, for alerts and for the templates to finance.

``send_mail`` builds and sends one HTML e-mail (files attached when given) through Airflow's SMTP
provider (``SmtpHook``). The server, port, TLS/SSL switches, login and usually the sender come
from the Airflow connection named by the caller (``BOKSLUT_SMTP_CONN_ID``, default
``smtp_default``; outside a running Airflow ``AIRFLOW_CONN_SMTP_DEFAULT`` as JSON or URI; extras
``disable_tls``/``disable_ssl``/``from_email``). ``SmtpHook.send_email_smtp`` (provider 3.2.0)
builds a ``multipart/mixed`` mail with one HTML part, so the HTML body carries the full content.

``send_once`` delivers something unless a ledger already holds its key, and records the key only
after the delivery succeeded: a retried task sends nothing twice, a failed send is tried again,
and other content (another key) is sent again. The key is a digest of what was sent
(``content_key``). Two ledgers exist: the warehouse table ``alert_log`` for alerts (shared by
every worker; ``alerts.dispatch.AlertLog``) and a marker file beside the delivered files for the
templates (``MarkerFile``).

Importing this module does not import Airflow; it imports nothing else of bokslut.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)


def send_mail(*, smtp_conn_id: str, to: Iterable[str], subject: str, html: str, sender: str | None = None,
              sender_setting: str, files: Iterable[str | Path] = ()) -> str:
    """Send one mail to every address in ``to``; return the sender used. Errors propagate.

    The sender is the connection's extra ``from_email``, else ``sender``; with neither, a Swedish
    ValueError names the connection and ``sender_setting`` (the variable that gives ``sender``).
    """
    from airflow.providers.smtp.hooks.smtp import SmtpHook

    recipients = list(to)
    if not recipients:
        raise ValueError("no recipient")
    with SmtpHook(smtp_conn_id=smtp_conn_id) as hook:
        from_email = hook.from_email or sender
        if not from_email:
            raise ValueError(f"Avsändare saknas: anslutningen {smtp_conn_id!r} har ingen extra 'from_email' "
                             f"och {sender_setting} är inte satt.")
        hook.send_email_smtp(to=recipients, subject=subject, html_content=html, from_email=from_email,
                             files=[str(f) for f in files] or None)
    return from_email


def content_key(content: object) -> str:
    """SHA-256 (hex) of ``content`` as canonical JSON: equal content, equal key."""
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Ledger(Protocol):
    """Where the keys of what was sent are kept."""

    def has(self, key: str) -> bool: ...

    def add(self, key: str) -> None: ...


def send_once(ledger: Ledger, key: str, deliver: Callable[[], object]) -> bool:
    """Deliver unless ``ledger`` has ``key``; add the key after a successful delivery.

    True when delivered now, False when it had been already. An error in ``deliver`` propagates
    and adds nothing, so the next attempt delivers again.
    """
    if ledger.has(key):
        return False
    deliver()
    ledger.add(key)
    return True


class MarkerFile:
    """A ledger of one entry: a JSON file holding the content last sent (and when).

    Its key is ``content_key(content)``; the file has the key when the content it records (the
    same fields, ``sent_at`` aside) has that key. Readable by a person, e.g. which files went to
    which recipients.
    """

    def __init__(self, path: Path, content: dict) -> None:
        self.path = Path(path)
        self.content = content
        self.key = content_key(content)

    def recorded(self) -> dict | None:
        """What the file records, or None when there is no file."""
        if not self.path.exists():
            return None
        return json.loads(self.path.read_text(encoding="utf-8"))

    def has(self, key: str) -> bool:
        recorded = self.recorded()
        return recorded is not None and content_key({k: recorded.get(k) for k in self.content}) == key

    def add(self, key: str) -> None:
        if key != self.key:
            raise ValueError("a marker file records its own content only")
        partial = self.path.with_name(self.path.name + ".partial")  # a killed task leaves no half marker
        partial.write_text(json.dumps({**self.content, "sent_at": datetime.now(UTC).isoformat()},
                                      ensure_ascii=False, indent=1), encoding="utf-8")
        partial.replace(self.path)
