"""The domain vocabulary: each fact of the city's bookkeeping calendar and chart of accounts, once.

Everything here is plain Python (no SQLAlchemy, pandas or Airflow at import), so DAG params, the
command line, SQL parameters and the template filling can all lean on it.

Modules, one job each::

    periods       a ledger period ``YYYYPP`` (PP 00 = IB, 01–12 months, 13 = bokslut, 14 = after
                  closing); an HR/BER month ``YYYYMM`` (a different thing, named differently); the
                  reporting points T1/T2/VB (rapporttillfällen) and the period each closes
    organisation  the förvaltning code and how a published partition is keyed
    accounts      account sets as prefix ranges, the account classes and the report lines built on
                  them (Årets resultat, Summa drift, investment...) that reports, controls and
                  templates share
    invalid       the error of a value not of the vocabulary's form, in its flow and command-line
                  spellings
    forecast      the suggested year-end forecast (prognos) at T1/T2 from the year-to-date outturn
                  and earlier years' seasonal profile
"""
