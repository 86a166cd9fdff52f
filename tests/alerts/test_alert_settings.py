"""Alert settings from the environment: a bad number is a Swedish SettingsError (exit 3), not a traceback."""

from __future__ import annotations

import pytest

from bokslut.settings import AlertSettings, SettingsError

pytestmark = pytest.mark.unit


def test_slack_timeout_is_optional_and_checked(monkeypatch):
    monkeypatch.delenv("BOKSLUT_SLACK_TIMEOUT_SECONDS", raising=False)
    assert AlertSettings.from_env().slack_timeout_seconds is None
    monkeypatch.setenv("BOKSLUT_SLACK_TIMEOUT_SECONDS", "12")
    assert AlertSettings.from_env().slack_timeout_seconds == 12
    monkeypatch.setenv("BOKSLUT_SLACK_TIMEOUT_SECONDS", "tio")
    with pytest.raises(SettingsError, match="BOKSLUT_SLACK_TIMEOUT_SECONDS måste vara ett positivt heltal"):
        AlertSettings.from_env()
