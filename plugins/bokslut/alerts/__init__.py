"""Alerts: what people are told about a control run: Swedish messages sent once (e-mail, Slack) and
the validation report they point to.

Controls never send anything themselves; the settings are ``bokslut.settings.AlertSettings`` and
the one mailer and send-once record ``bokslut.mail``. Importing this package does not import Airflow.

Modules, one job each::

    message            the texts built from a control run (pure: no sending, no database)
    dispatch           what to send to every configured channel; keeps ``alert_log`` so a retried
                       task sends nothing twice
    email              sends one message as e-mail (Airflow's SMTP provider)
    slack              posts one message to a Slack incoming webhook
    task_failure       the DAG tasks' failure callback: alerts when a task fails for good
    validation_report  the static Swedish validation report of a control run a finance user opens
                       from the outbox (each failing line linked to its explanation)
"""
