"""The one "send once" mechanism (``bokslut.mail.send_once``) with the marker-file ledger.

The mailer itself and the ``alert_log`` ledger are exercised end to end against a real SMTP server
in tests/alerts/test_dispatch.py and tests/templates/test_delivery.py.
"""

from __future__ import annotations

import json

import pytest

from bokslut.mail import MarkerFile, content_key, send_once


@pytest.mark.unit
def test_content_key_depends_on_the_content_not_on_its_order():
    assert content_key({"a": 1, "b": [1, 2]}) == content_key({"b": [1, 2], "a": 1})
    assert content_key({"a": 1}) != content_key({"a": 2})


@pytest.mark.unit
def test_sent_once_a_failed_send_is_retried_and_other_content_is_sent_again(tmp_path):
    path = tmp_path / ".skickat.json"
    sent = []
    marker = MarkerFile(path, {"files": {"a.xlsx": "01"}, "to": ["x@example.se"]})

    def fail() -> None:
        raise OSError("server unreachable")

    with pytest.raises(OSError):
        send_once(marker, marker.key, fail)
    assert not path.exists()  # nothing recorded: the retry sends
    assert send_once(marker, marker.key, lambda: sent.append(1))
    assert not send_once(marker, marker.key, lambda: sent.append(2))
    assert sent == [1] and json.loads(path.read_text(encoding="utf-8"))["to"] == ["x@example.se"]

    changed = MarkerFile(path, {"files": {"a.xlsx": "02"}, "to": ["x@example.se"]})
    assert send_once(changed, changed.key, lambda: sent.append(3)) and sent == [1, 3]


@pytest.mark.unit
def test_a_marker_written_before_the_key_existed_still_counts(tmp_path):
    path = tmp_path / ".skickat.json"
    content = {"files": {"a.xlsx": "01"}, "to": ["x@example.se"]}
    path.write_text(json.dumps({**content, "sent_at": "2025-01-31T08:00:00+00:00"}), encoding="utf-8")
    marker = MarkerFile(path, content)
    assert not send_once(marker, marker.key, lambda: pytest.fail("sent twice"))
