"""Send the filled templates to finance by e-mail, files attached (``bokslut.mail``).

The SMTP connection is ``BOKSLUT_SMTP_CONN_ID`` (default ``smtp_default``, see ``bokslut.mail``).
Recipients: ``BOKSLUT_FINANCE_EMAIL_TO`` (comma or semicolon separated); sender when the
connection names none: ``BOKSLUT_FINANCE_EMAIL_FROM`` (both read by ``bokslut.settings``).

A delivery is sent once (``mail.send_once``): a marker file in the delivery folder records what
was sent (SHA-256 of every attachment and the recipients), so a retried task does not mail
finance twice, while a rebuilt workbook (other content) is sent again.
"""

from __future__ import annotations

import hashlib
import html
import logging
from pathlib import Path

from bokslut.mail import MarkerFile, send_mail, send_once
from bokslut.settings import DeliverySettings

log = logging.getLogger(__name__)
SENT_MARKER = ".skickat.json"
MAX_LISTED = 25  # rule findings listed in the mail body; the attachment has them all


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def subject(delivery: dict) -> str:
    return (f"Blanketter {delivery['point']} {delivery['year']} för förvaltning {delivery['forvaltning']} "
            f"({delivery['forvaltningsnamn']})")


def body_html(delivery: dict) -> str:
    """The Swedish mail body: what is attached, the rule summary, what to do."""
    e = html.escape
    counts = delivery.get("summary", {})
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n) or "inga kontroller"
    findings = [f for f in delivery.get("findings", []) if f["status"] in ("fel", "varning", "ej levererad")]
    items = "".join(
        f"<li><b>{e(f['status'].upper())}</b> {e(f['rule_id'])} {e(f['sheet'])} {e(f['where'])}: {e(f['message'])}</li>"
        for f in findings[:MAX_LISTED])
    more = f"<p>… och {len(findings) - MAX_LISTED} till, se bladet Kontroller blankett.</p>" if len(findings) > MAX_LISTED else ""
    files = "".join(f"<li>{e(Path(p).name)}</li>" for p in delivery["files"])
    return (
        f"<p>Hej,</p><p>här är stadens blanketter för <b>{e(delivery['point_name'])} {delivery['year']}</b>, "
        f"förvaltning {e(delivery['forvaltning'])} ({e(delivery['forvaltningsnamn'])}), ifyllda från huvudboken "
        f"t.o.m. period {delivery['period']}.</p>"
        f"<p>Bifogat:</p><ul>{files}</ul>"
        f"<p>Kontroller av blanketternas regler: {e(summary)}.</p>"
        + (f"<ul>{items}</ul>{more}" if items else "")
        + "<p>Rader markerade FEL eller VARNING behöver åtgärdas eller kommenteras innan inlämning. Kommentarer, "
          "JA/NEJ och egna prognoser skrivs i filen med manuella uppgifter; blanketterna fylls sedan i på nytt.</p>"
        f"<p>Manuella uppgifter: {e(delivery.get('manual') or 'ingen fil')}.</p>"
        "<p>Meddelandet skickades automatiskt av bokslut.</p>"
    )


def send_delivery(delivery: dict, settings: DeliverySettings | None = None) -> dict:
    """Mail ``delivery`` (from ``pipeline.build``) to finance; returns what happened."""
    settings = settings or DeliverySettings.from_env()
    if not settings.email_to:
        log.warning("BOKSLUT_FINANCE_EMAIL_TO names no recipient: %s not mailed (files in %s)",
                    delivery["label"], delivery["folder"])
        return {"sent": False, "reason": "BOKSLUT_FINANCE_EMAIL_TO saknar mottagare", "recipients": []}
    files = [str(p) for p in delivery["files"]]
    marker = MarkerFile(Path(delivery["folder"]) / SENT_MARKER,
                        {"files": {Path(p).name: _sha256(Path(p)) for p in files}, "to": sorted(settings.email_to)})

    def deliver() -> None:
        send_mail(smtp_conn_id=settings.smtp_conn_id, to=settings.email_to, subject=subject(delivery),
                  html=body_html(delivery), sender=settings.email_from, sender_setting="BOKSLUT_FINANCE_EMAIL_FROM",
                  files=files)

    if not send_once(marker, marker.key, deliver):
        log.info("%s already mailed at %s; not sent again", delivery["label"], (marker.recorded() or {}).get("sent_at"))
        return {"sent": False, "reason": "redan skickat", "recipients": list(settings.email_to)}
    log.info("%s mailed to %d recipient(s) with %d file(s)", delivery["label"], len(settings.email_to), len(files))
    return {"sent": True, "reason": "", "recipients": list(settings.email_to)}
