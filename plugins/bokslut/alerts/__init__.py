"""Alerts: format control records as Swedish messages and send them (e-mail, Slack), once.

Controls never send anything themselves; the settings are ``bokslut.settings.AlertSettings`` and
the one mailer and send-once record ``bokslut.mail``. Importing this package does not import Airflow.

Modules, one job each::

    message       the texts built from a control run (pure: no sending, no database)
    dispatch      what to send to every configured channel; keeps ``alert_log`` so a retried task
                  sends nothing twice
    email         sends one message as e-mail (Airflow's SMTP provider)
    slack         posts one message to a Slack incoming webhook
    task_failure  the DAG tasks' failure callback: alerts when a task fails for good
"""
