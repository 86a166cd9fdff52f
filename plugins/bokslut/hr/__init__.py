"""HR key figures from LISA and KAA statistics from BER (``docs/spec/domain.md`` §9–10).

The DAG tasks and ``bokslut load hr|ber`` (``bokslut.commands.hr``) run them through
``bokslut.flows.personal``. See
``docs/hr-kaa.md`` and ``docs/personal-data.md``.

Modules, one job each::

    pseudonym    personnummer → keyed hash, key rotation, masked file names
    readers      which extract a file is, load order, write-audit-publish with the personal-data
                 safeguards
    snapshots    which published monthly snapshot a figure uses
    keyfigures   nyckeltal 122–129
    kaa          KAA statistics
    suppression  small cells in KAA outputs
    output       TSV and xlsx
"""
