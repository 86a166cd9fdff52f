"""HR key figures from LISA and KAA statistics from BER (``docs/spec/domain.md`` §9–10).

One job per module: ``pseudonym`` (personnummer → keyed hash, key rotation), ``readers`` (which
extract a file is, load order, the write-audit-publish loop for HR and BER), ``snapshots`` (which
published monthly snapshot a figure uses), ``keyfigures`` (nyckeltal 122–129), ``kaa`` (KAA
statistics), ``suppression`` (small cells in KAA outputs), ``output`` (TSV and xlsx),
``pipeline`` (the DAG tasks) and ``cli`` (``bokslut load hr|ber``, ``nyckeltal``, ``kaa``).
See ``docs/hr-kaa.md`` and ``docs/personal-data.md``.
"""
