"""The states of a load and the input file types: light, so a flow (a DAG task) imports them
without pulling in the reading and loading stack."""

from __future__ import annotations

INPUT_SUFFIXES = (".csv", ".txt", ".xlsx")


class LoadStatus:
    LOADING = "laddar"
    STAGED = "laddad"  # staged, not yet published
    PUBLISHED = "publicerad"
    REJECTED = "avvisad"
    DUPLICATE = "dubblett"
