"""Fixtures for the template tests: the 2024 year filled once per session, LibreOffice once.

The warehouse is a copy of the session's ``loaded_2024`` (fills write control runs; other test
modules stage loads into the original), so these tests neither disturb nor see other tests.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
from dataclasses import dataclass
from email import message_from_bytes, policy
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from bokslut.settings import Settings

SOFFICE_HINT = "LibreOffice saknas: kör scripts/install_system_deps.sh (som root) först"


@pytest.fixture(scope="session")
def templates_warehouse(loaded_2024, tmp_path_factory):
    """(engine, settings) of a private copy of the loaded 2024 warehouse."""
    engine, _settings = loaded_2024
    tmp = tmp_path_factory.mktemp("templates_wh")
    target = tmp / "w.sqlite"
    source = sqlite3.connect(engine.url.database)
    copy = sqlite3.connect(target)
    source.backup(copy)
    source.close()
    copy.close()
    settings = Settings(tmp, f"sqlite:///{target}", tmp / "landing", tmp / "archive", tmp / "out", 50_000)
    own = sa.create_engine(settings.warehouse_url)
    yield own, settings
    own.dispose()


@dataclass
class Filled:
    delivery: dict
    path: Path
    result: object  # fill.FillResult


@pytest.fixture(scope="session")
def filled(templates_warehouse):
    """point -> the delivery built for förvaltning 191, 2024 (example manual files of include/manual)."""
    from bokslut.flows import templates as pipeline

    _engine, settings = templates_warehouse
    out = {}
    for point in ("VB", "T2"):
        delivery, result = pipeline.build_with_result({"forvaltning": "191", "year": 2024, "point": point}, settings)
        out[point] = Filled(delivery, Path(delivery["files"][0]), result)
    return out


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(files: list[Path], target: str, outdir: Path) -> None:
    """One headless LibreOffice run (Swedish locale: decimal comma as finance sees it)."""
    outdir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "LANG": "sv_SE.UTF-8", "LC_ALL": "sv_SE.UTF-8", "HOME": str(outdir)}
    profile = f"-env:UserInstallation=file://{outdir / 'lo_profile'}"
    done = subprocess.run([soffice(), profile, "--headless", "--norestore", "--convert-to", target, "--outdir", str(outdir),
                           *map(str, files)], env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="session")
def libreoffice(filled, tmp_path_factory):
    """LibreOffice's PDF and recalculated xlsx of the VB and T2 workbooks (converted once)."""
    if soffice() is None:
        pytest.skip(SOFFICE_HINT)
    out = tmp_path_factory.mktemp("libreoffice")
    files = [filled[p].path for p in ("VB", "T2")]
    convert(files, "pdf", out / "pdf")
    convert(files, "xlsx:Calc MS Excel 2007 XML", out / "xlsx")
    return {p: {"pdf": out / "pdf" / f"{filled[p].path.stem}.pdf", "xlsx": out / "xlsx" / filled[p].path.name}
            for p in ("VB", "T2")}


class _Inbox:
    def __init__(self):
        self.mails = []

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ARG002, N802 - aiosmtpd hook
        self.mails.append((envelope.mail_from, list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(monkeypatch):
    """A real SMTP server on 127.0.0.1 and the Airflow connection pointing at it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", json.dumps({
        "conn_type": "smtp", "host": "127.0.0.1", "port": port,
        "extra": {"disable_tls": True, "disable_ssl": True, "from_email": "bokslut@example.se"}}))
    monkeypatch.setenv("BOKSLUT_FINANCE_EMAIL_TO", "ekonomi@example.se; controller@example.se")
    yield inbox
    controller.stop()
