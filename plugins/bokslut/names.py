"""The names the command line offers, without importing what implements them: ``bokslut --help``
and argument checking start without SQLAlchemy, pandas or Airflow (issue 10, startup).

``ingest.formats`` refuses to import if its sources differ from these; ``reports.ledger`` takes
its report names from here.
"""

from __future__ import annotations

# ``bokslut load hr|ber``: a group expands to its extracts, in load order (absence is checked
# against employment).
SOURCE_GROUPS: dict[str, tuple[str, ...]] = {
    "hr": ("hr_anstallning", "hr_franvaro", "hr_avtalad_tid"),
    "ber": ("ber_registrering", "ber_kontakt"),
}
SOURCE_NAMES: tuple[str, ...] = ("ledger", "budget", "anlaggningsreskontra", "stadskassan",
                                 *SOURCE_GROUPS["hr"], *SOURCE_GROUPS["ber"])
REPORT_NAMES: tuple[str, ...] = ("balansrakning", "resultatrakning", "budgetavrakning", "anlaggning",
                                 "anl_rorelsekapital")
