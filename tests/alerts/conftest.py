"""Real local servers for the alert tests: an SMTP server (aiosmtpd) and a Slack-like webhook.

Nothing in the sending code is mocked: the SMTP provider's hook talks SMTP to ``smtp_server`` and
the Slack provider's hook (or ``slack_sdk``) POSTs JSON to ``webhook_server``.
"""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from tests.alerts.sample import RECIPIENTS, SENDER


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def html(self) -> str:
        return self.message.get_body(preferencelist=("html",)).get_content()


@dataclass
class _Collector:
    mails: list[ReceivedMail] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ARG002 - aiosmtpd hook
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.mails.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1; ``.mails`` holds what it received, ``.port`` its port."""
    collector = _Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port())
    controller.start()
    collector.port = controller.port
    yield collector
    controller.stop()


class _WebhookHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - http.server API
        body = self.rfile.read(int(self.headers["Content-Length"]))
        status = self.server.status
        if status == 200:
            self.server.posts.append({"path": self.path, "content_type": self.headers["Content-Type"],
                                      "json": json.loads(body)})
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"ok" if status == 200 else b"internal_error")

    def log_message(self, *args) -> None:  # noqa: ANN002 - keep the test output quiet
        pass


@pytest.fixture
def webhook_server():
    """A Slack-like incoming webhook on 127.0.0.1 recording POSTed JSON in ``.posts``.

    Set ``.status`` to something other than 200 to make it refuse (refused posts are not recorded).
    """
    server = ThreadingHTTPServer(("127.0.0.1", 0), _WebhookHandler)
    server.posts = []
    server.status = 200
    server.url = f"http://127.0.0.1:{server.server_address[1]}/services/T000/B000/test"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


def smtp_connection_json(port: int, **extra) -> str:
    return json.dumps({
        "conn_type": "smtp", "host": "127.0.0.1", "port": port,
        "extra": {"disable_tls": True, "disable_ssl": True, "from_email": SENDER, "timeout": 5,
                  "retry_limit": 0, **extra},
    })


@pytest.fixture
def alert_env(monkeypatch, smtp_server, webhook_server):
    """Both channels configured as in production: Airflow connections given as JSON env variables."""
    for name in ("BOKSLUT_SMTP_CONN_ID", "BOKSLUT_SLACK_CONN_ID", "BOKSLUT_SLACK_WEBHOOK_URL",
                 "BOKSLUT_ALERT_EMAIL_FROM", "BOKSLUT_SLACK_TIMEOUT_SECONDS",
                 "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", smtp_connection_json(smtp_server.port))
    monkeypatch.setenv("AIRFLOW_CONN_SLACK_ALERTS",
                       json.dumps({"conn_type": "slackwebhook", "password": webhook_server.url}))
    monkeypatch.setenv("BOKSLUT_ALERT_EMAIL_TO", ", ".join(RECIPIENTS))
    return smtp_server, webhook_server
