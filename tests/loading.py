"""The ingest layer's own three steps (stage → audit → publish), without the Kontokontroll gate.

For unit tests of that layer only (encodings, quarantine, write-audit-publish atomicity). The
product publishes through :mod:`bokslut.flows` alone, whose gated flow the golden, CLI and DAG
tests use; ``load_generated`` in conftest loads the reference year that way.
"""

from __future__ import annotations

from pathlib import Path

from bokslut.controls.input_checks import run_input_checks
from bokslut.ingest.write_audit_publish import LoadResult, LoadStatus, audit_load, publish_load, stage_file


def load_file(engine, path: Path, source: str, *, replace=(), stage=stage_file, **options) -> LoadResult:  # noqa: ANN001
    result = stage(engine, path, source, **options)
    if result.status == LoadStatus.STAGED:
        result = audit_load(engine, result.load_id, input_checks=run_input_checks, replace=replace)
    if result.status == LoadStatus.STAGED:
        result = publish_load(engine, result.load_id)
    return result


def load_extract(engine, path: Path, source: str, **options) -> LoadResult:  # noqa: ANN001
    """``load_file`` for an HR or BER extract (key required, raw rows hidden, as the flow does)."""
    from bokslut.hr.readers import stage_extract

    return load_file(engine, path, source, stage=stage_extract, **options)
