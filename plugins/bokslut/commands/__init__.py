"""The subcommands of ``bokslut`` beside the ledger's own (``bokslut.cli`` builds the parser from them).

Each module is argparse at import time and starts the flows (``bokslut.flows``) when run, as
``bokslut.cli`` does: they sit in the command-line layer, above the flows.

Modules, one job each::

    hr         ``bokslut load hr|ber``, ``bokslut nyckeltal``, ``bokslut kaa``
    templates  ``bokslut templates``, ``bokslut manual-input``
    explain    ``bokslut explain``: where one delivered figure comes from (a template cell, a ledger
               report line, a Kontokontroll), recomputed from the warehouse
"""
