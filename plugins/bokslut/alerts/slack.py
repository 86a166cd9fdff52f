"""Post an ``AlertMessage`` to a Slack incoming webhook.

Where the webhook is, in order:

1. the Airflow connection ``BOKSLUT_SLACK_CONN_ID`` (default ``slack_alerts``, conn_type
   ``slackwebhook``): posted through the provider's ``SlackWebhookHook``. As that hook expects,
   the whole webhook URL goes in ``password`` (or the token in ``password`` and the base URL in
   ``host``). The hook takes any ``http(s)://`` URL, so a local test server works as well.
2. ``BOKSLUT_SLACK_WEBHOOK_URL`` when no such connection exists: posted with ``slack_sdk``'s
   ``WebhookClient``, the client the hook itself wraps, so both paths send the same request.

The webhook URL is a secret: it is never logged.
"""

from __future__ import annotations

import logging

from airflow.providers.common.compat.sdk import AirflowNotFoundException
from airflow.providers.slack.hooks.slack_webhook import SlackWebhookHook
from slack_sdk import WebhookClient

from bokslut.alerts.message import AlertMessage
from bokslut.settings import AlertSettings

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 30


class SlackDeliveryError(RuntimeError):
    """The webhook answered with something other than HTTP 200."""


def _has_connection(conn_id: str) -> bool:
    try:
        SlackWebhookHook.get_connection(conn_id)
    except AirflowNotFoundException:
        return False
    return True


def missing_configuration(settings: AlertSettings) -> str | None:
    """Why Slack cannot be posted to with ``settings`` (English, for the task log), or None."""
    if _has_connection(settings.slack_conn_id) or settings.slack_webhook_url:
        return None
    return (f"neither the Airflow connection {settings.slack_conn_id!r} (BOKSLUT_SLACK_CONN_ID) "
            "nor BOKSLUT_SLACK_WEBHOOK_URL is set")


def send_slack(message: AlertMessage, settings: AlertSettings | None = None) -> str:
    """Post ``message``; return which configuration was used. Errors propagate."""
    settings = settings or AlertSettings.from_env()
    payload = message.slack_payload()
    if _has_connection(settings.slack_conn_id):
        hook = SlackWebhookHook(slack_webhook_conn_id=settings.slack_conn_id, timeout=settings.slack_timeout_seconds)
        hook.send_dict(payload)  # raises AirflowException unless Slack answers 200
        target = f"connection {settings.slack_conn_id}"
    elif settings.slack_webhook_url:
        timeout = settings.slack_timeout_seconds or DEFAULT_TIMEOUT_SECONDS
        client = WebhookClient(settings.slack_webhook_url, timeout=timeout)
        response = client.send_dict(payload)
        if response.status_code != 200:
            raise SlackDeliveryError(f"Slack webhook answered {response.status_code}: {response.body!r}")
        target = "BOKSLUT_SLACK_WEBHOOK_URL"
    else:
        raise ValueError(missing_configuration(settings))
    log.info("Alert %r posted to Slack (%s)", message.subject, target)
    return target
