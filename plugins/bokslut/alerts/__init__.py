"""Alerts: format control records as Swedish messages and send them (e-mail, Slack), once.

``message`` builds the texts (pure), ``email`` and ``slack`` send one message each, ``dispatch``
decides what to send and keeps ``alert_log`` so a retried task sends nothing twice. Controls never
send anything themselves. Importing this package does not import Airflow.
"""
