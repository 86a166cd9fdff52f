"""Great Expectations' INFO chatter stays out of the task logs (controls/ge.py raises its loggers)."""

from __future__ import annotations

import logging

from bokslut.controls.runner import run_controls
import pytest

pytestmark = pytest.mark.unit

NOISY = ("great_expectations", "posthog", "backoff")


def test_a_control_run_logs_nothing_from_great_expectations_below_warning(sqlite_engine, caplog):
    caplog.set_level(logging.DEBUG)  # the root logger lets everything through: only the library levels filter
    run = run_controls(sqlite_engine, "191", 202401)

    assert run.results
    chatter = [r for r in caplog.records if r.name.startswith(NOISY) and r.levelno < logging.WARNING]
    assert not chatter, [f"{r.name}: {r.getMessage()}" for r in chatter[:5]]
    assert any(r.name == "bokslut.controls.runner" for r in caplog.records)  # our own lines still come through
