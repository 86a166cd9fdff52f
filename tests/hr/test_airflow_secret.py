"""The pseudonymisation key in Airflow stays secret: asked for through Airflow's own REST API
(the FastAPI app in-process, SimpleAuthManager in all-admins mode, a fresh metadata database),
the Variable ``bokslut_pseudonym_secret`` comes back as ``***``, in the single and the list
endpoint, while the old name ``bokslut_pseudonym_key`` would have been shown in clear; the
pipeline reads the new name through the real ``airflow.sdk.Variable`` and refuses the old one."""

from __future__ import annotations

import secrets

import pytest

from bokslut.hr import pseudonym
from bokslut.hr.pseudonym import AIRFLOW_VARIABLE, KEY_ENV, LEGACY_AIRFLOW_VARIABLE, PseudonymKeyError

pytestmark = pytest.mark.dag  # needs Airflow's metadata database (a few seconds to create)


@pytest.fixture
def variables(airflow_db):
    """Sets Airflow Variables in the metadata database; deletes them afterwards."""
    from airflow.models import Variable

    created: list[str] = []

    def set_variable(name: str, value: str) -> None:
        Variable.set(name, value)
        created.append(name)

    yield set_variable
    for name in created:
        Variable.delete(name)


@pytest.fixture
def api(airflow_db, monkeypatch):
    """A TestClient on Airflow's API server app, every request authenticated as admin."""
    from fastapi.testclient import TestClient

    from airflow._shared.secrets_masker import _secrets_masker
    from airflow.api_fastapi.app import create_app, purge_cached_app

    monkeypatch.setenv("AIRFLOW__CORE__AUTH_MANAGER",
                       "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager")
    monkeypatch.setenv("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS", "True")
    monkeypatch.setenv("AIRFLOW__CORE__HIDE_SENSITIVE_VAR_CONN_FIELDS", "True")
    purge_cached_app()
    # The API server is its own process: it has not seen the values this test process just set
    # (Variable.set registers them with the in-process log masker). Start from an empty masker so
    # only the name decides, as on a real server.
    _secrets_masker().reset_masker()
    with TestClient(create_app("core")) as client:
        yield client
    purge_cached_app()


def test_the_key_variable_is_masked_in_the_rest_api_and_the_old_name_would_not_be(api, variables):
    key, old = secrets.token_urlsafe(48), secrets.token_urlsafe(48)
    variables(AIRFLOW_VARIABLE, key)
    variables(LEGACY_AIRFLOW_VARIABLE, old)
    from airflow._shared.secrets_masker import _secrets_masker

    _secrets_masker().reset_masker()

    single = api.get(f"/api/v2/variables/{AIRFLOW_VARIABLE}")
    assert single.status_code == 200, single.text
    assert single.json()["value"] == "***" and key not in single.text

    listed = api.get("/api/v2/variables", params={"limit": 100})
    assert listed.status_code == 200, listed.text
    values = {v["key"]: v["value"] for v in listed.json()["variables"]}
    assert values[AIRFLOW_VARIABLE] == "***" and key not in listed.text

    # The control: under the old name Airflow hands the key out in clear. This is why it is refused.
    shown = api.get(f"/api/v2/variables/{LEGACY_AIRFLOW_VARIABLE}")
    assert shown.status_code == 200 and shown.json()["value"] == old
    assert values[LEGACY_AIRFLOW_VARIABLE] == old


def test_the_pipeline_reads_the_new_name_and_refuses_the_old_one(monkeypatch):
    """Through the real ``airflow.sdk.Variable`` (outside a task it reads the environment
    backend: ``AIRFLOW_VAR_<NAME>``, as docker-compose or a secrets backend would provide)."""
    monkeypatch.delenv(KEY_ENV)
    monkeypatch.setattr(pseudonym, "_configured_key", None)
    key, old = secrets.token_urlsafe(48), secrets.token_urlsafe(48)
    monkeypatch.setenv(f"AIRFLOW_VAR_{AIRFLOW_VARIABLE.upper()}", key)
    monkeypatch.setenv(f"AIRFLOW_VAR_{LEGACY_AIRFLOW_VARIABLE.upper()}", old)
    with pytest.raises(PseudonymKeyError, match=f"{LEGACY_AIRFLOW_VARIABLE} används inte längre") as caught:
        pseudonym.configure_from_airflow()
    assert old not in str(caught.value) and pseudonym._configured_key is None  # noqa: SLF001

    monkeypatch.delenv(f"AIRFLOW_VAR_{LEGACY_AIRFLOW_VARIABLE.upper()}")
    pseudonym.configure_from_airflow()
    assert pseudonym.current_key() == key.encode()
