"""Benchmark: ingest + load + reports for N synthetic postings, against a DuckDB floor.

For each size the synthetic 2024 year is generated once, then measured in fresh child processes:
  1. pipeline: `bokslut load` of every ledger file + all five reports for 202413 (SQLite or PostgreSQL)
  2. floor: DuckDB `read_csv` of the same files + `GROUP BY konto, motpart, anslag`, with the
     separator and quote given (no sniffing: the sniffer misses the quote in a file whose quoted
     Text holds ';'). The floor does not do what the pipeline must: line numbers, validation,
     quarantine, storage, publication, controls.
Wall time and the child's peak RSS (os.wait4) are printed as a Markdown table for docs/benchmarks.md.

    .venv/bin/python scripts/benchmark.py --rows 100000 1000000 10000000 [--warehouse postgres]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PYTHON = sys.executable
PIPELINE = """
import sys, time
from pathlib import Path
from bokslut.flows.ledger import load_paths
from bokslut.reports.ledger import build_reports
from bokslut.warehouse.db import ready_engine
engine = ready_engine()
t0 = time.perf_counter()
# The product's one gated flow: stage → input suite → Kontokontroller (once per year) → publish.
batch = load_paths([Path(sys.argv[1])], "ledger", engine=engine)
for item in batch["files"]:
    assert item["status"] == "publicerad", (item["file_name"], item["message"])
t1 = time.perf_counter()
reports = build_reports(engine, "191", 202413)
t2 = time.perf_counter()
# Kontokontroller: the same control SQL as plain queries, then through Great Expectations.
import sqlalchemy as sa
from bokslut.controls import runner
from bokslut.controls.scope import PeriodBounds
from bokslut.controls.suites import bind_values, load_control_suites, render_sql
bounds = PeriodBounds("191", 202413)
t3 = time.perf_counter()
run_id, _ = runner._snapshot(engine, bounds, ())
fragments = {"treasury_candidates": "1 = 0", "register_candidates": "1 = 0"}
with engine.connect() as c:
    for suite in load_control_suites():
        sql = render_sql(suite.sql, fragments)
        c.execute(sa.text(sql.replace("{batch}", runner._batch(run_id))), bind_values(sql, bounds.sql_values())).all()
t4 = time.perf_counter()
import great_expectations  # noqa: F401  (import cost reported separately)
t5 = time.perf_counter()
run = runner.run_controls(engine, "191", 202413)
t6 = time.perf_counter()
assert not run.blocking_failures
print(f"load={t1 - t0:.1f} reports={t2 - t1:.1f} controls_sql={t4 - t3:.1f} ge_import={t5 - t4:.1f} controls_ge={t6 - t5:.1f}",
      file=sys.stderr)
"""
FLOOR = """
import sys, duckdb
con = duckdb.connect()
names = ['forv', 'period', 'konto', 'kontonamn', 'ansvar', 'verksamhet', 'projekt', 'motpart',
         'anslag', 'vertyp', 'vernr', 'datum', 'text', 'belopp']
columns = '{' + ', '.join(f"'{n}': 'VARCHAR'" for n in names) + '}'
rows = con.execute(f'''
    SELECT konto, motpart, anslag, SUM(CAST(REPLACE(belopp, ',', '.') AS DECIMAL(18, 2))) AS belopp
    FROM read_csv('{sys.argv[1]}/*.csv', delim=';', quote='"', escape='"', header=true,
                  auto_detect=false, columns={columns})
    GROUP BY ALL''').fetchall()
print(f"groups={len(rows)}", file=sys.stderr)
"""


def measure(code: str, arg: str, env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MiB and stderr of one fresh child process."""
    start = time.perf_counter()
    child = subprocess.Popen([PYTHON, "-c", code, arg], env=env, stderr=subprocess.PIPE, text=True)
    _pid, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    err = child.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"child failed:\n{err[-3000:]}")
    return elapsed, usage.ru_maxrss / 1024, err.strip().splitlines()[-1] if err.strip() else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--warehouse", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/bokslut_test")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()

    from bokslut.generator import generate

    print(f"# {platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, warehouse {args.warehouse}")
    print("| postings | CSV size | generate s | pipeline s (load / reports) | pipeline peak RSS | DuckDB floor s | floor peak RSS | ratio |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for rows in args.rows:
        work = Path(tempfile.mkdtemp(prefix=f"bench_{rows}_", dir=args.workdir))
        try:
            t0 = time.perf_counter()
            generated = generate(2024, work / "landing", rows=rows)
            gen_s = time.perf_counter() - t0
            ledger = work / "landing" / "ledger"
            size_mb = sum(p.stat().st_size for p in ledger.iterdir()) / 2**20
            env = {**os.environ, "BOKSLUT_DATA_DIR": str(work / "data"), "BOKSLUT_ARCHIVE_DIR": str(work / "archive")}
            if args.warehouse == "postgres":
                import sqlalchemy as sa

                schema = f"bench_{rows}"
                admin = sa.create_engine(args.pg_url)
                with admin.begin() as c:
                    c.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
                    c.execute(sa.text(f"CREATE SCHEMA {schema}"))
                env["BOKSLUT_WAREHOUSE_URL"] = f"{args.pg_url}?options=-csearch_path%3D{schema}"
            pipe_s, pipe_mb, detail = measure(PIPELINE, str(ledger), env)
            floor_s, floor_mb, _ = measure(FLOOR, str(ledger), env)
            print(f"| {generated.postings:,} | {size_mb:,.0f} MB | {gen_s:.1f} | {pipe_s:.1f} ({detail}) | {pipe_mb:,.0f} MiB "
                  f"| {floor_s:.1f} | {floor_mb:,.0f} MiB | {pipe_s / floor_s:.1f}× |", flush=True)
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
