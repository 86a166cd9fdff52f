"""Benchmark: a synthetic city-year loaded, checked and reported, against a DuckDB floor.

For each size the synthetic 2024 year is generated once, then measured in fresh child processes:
  1. pipeline (one process per size and warehouse, every phase timed inside it): the product's
     flow functions in the order `bokslut load` runs them (stage → input suites → Kontokontroll
     gate → publish), then the five ledger reports for 202413, then the Kontokontroller for 202413
     once more (the product's run through Great Expectations, and the same run with GE's verdicts
     replaced by the very same queries executed as plain SQL), then a month-end run (one month's
     file of the loaded year delivered again: stage, suite, gate, publish).
     "total" counts the Kontokontroller once (the product's run, through GE): load (stage +
     suites + publish) + reports + KK. The gate's runs (one per staged period: 28 for a year and
     its prior year) are shown beside it, as is the month-end run.
  2. floor: DuckDB `read_csv` of the same files + `GROUP BY konto, motpart, anslag`, with the
     separator and quote given (no sniffing: the sniffer misses the quote in a file whose quoted
     Text holds ';'). The floor does not do what the pipeline must: line numbers, validation,
     quarantine, storage, publication, controls.
Wall time and the child's peak RSS (os.wait4) are printed as a Markdown table for docs/benchmarks.md.

    .venv/bin/python scripts/benchmark.py --rows 100000 1000000 10000000 --warehouse sqlite postgres
"""

from __future__ import annotations

import argparse
import json
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
import json, sys, time
from pathlib import Path
clock = time.perf_counter
t_start = clock()
from bokslut.flows import ledger as flow
from bokslut.warehouse.db import ready_engine
engine = ready_engine()
phases = {"startup": clock() - t_start}

def timed(name, call, *args, **kwargs):
    t0 = clock()
    out = call(*args, **kwargs)
    phases[name] = clock() - t0
    return out

ledger = Path(sys.argv[1])
files = flow.discover_files(None, [str(ledger)], "ledger")
import os
profile_to = os.environ.get("BENCHMARK_PROFILE")  # --profile: where the load's own time goes
if profile_to:
    import cProfile
    profiler = cProfile.Profile()
    profiler.enable()
staged = timed("stage", flow.stage, files, engine=engine)
audited = timed("suites", flow.audit, staged, engine=engine)
if profile_to:
    profiler.disable()
    import pstats
    with open(profile_to, "w") as out:
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
batch = timed("gate", flow.control, audited, engine=engine)
batch = timed("publish", flow.publish, batch, engine=engine)
for item in batch["files"]:
    assert item["status"] == "publicerad", (item["file_name"], item["message"])
phases["gate_runs"] = len(batch["control_runs"])

from bokslut.reports.ledger import build_reports
timed("reports", build_reports, engine, "191", 202413)

# The Kontokontroller once for 202413: the product's run (snapshot from the aggregate, line values,
# verdicts, drill-down, results stored) through Great Expectations, and the same run with GE's
# verdicts replaced by executing the very same failing-rows queries as plain SQL. Each twice,
# alternating; the faster of each is reported.
import sqlalchemy as sa
from bokslut.controls import runner

through_ge = runner._ge_failures

def plain_sql(engine, run_id, checks):
    failures = {}
    with engine.connect() as c:
        for suite, sql, in_scope in checks:
            for exp, ids in in_scope:
                query = runner.FAILING_ROWS.format(sql=sql, ids=", ".join(f"'{i}'" for i in ids))
                rows = c.execute(sa.text(query.replace("{batch}", runner._batch(run_id)))).mappings()
                failures[exp.id] = {r["control_id"] for r in rows}
    return failures

times = {"kk_sql": [], "kk_ge": []}
for _ in range(2):
    for name, verdicts in (("kk_sql", plain_sql), ("kk_ge", through_ge)):
        runner._ge_failures = verdicts
        t0 = clock()
        run = runner.run_controls(engine, "191", 202413)
        times[name].append(clock() - t0)
        assert not run.blocking_failures
runner._ge_failures = through_ge
phases.update({name: min(values) for name, values in times.items()})

# Month-end: one month's file of the year delivered again (a corrected export): the whole flow.
# The steps of close_forvaltning (what the DAG's mapped task and `bokslut load` run), each timed.
month = Path(sys.argv[2])
t0 = clock()
staged = timed("month_stage", flow.stage, [{"path": str(month), "source": "ledger"}], engine=engine, force=True)
audited = timed("month_suites", flow.audit, flow.keep_own_forvaltning(staged, "191", engine=engine), engine=engine)
batch = timed("month_gate", flow.control, audited, engine=engine)
batch = timed("month_publish", flow.publish, batch, engine=engine)
phases["month_end"] = clock() - t0
assert [f["status"] for f in batch["files"]] == ["publicerad"], batch["files"]
print(json.dumps(phases), file=sys.stderr)
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


def measure(code: str, args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MiB and the last stderr line of one fresh child process."""
    with tempfile.TemporaryFile(mode="w+") as err_file:  # a file, not a pipe: a chatty child never blocks
        start = time.perf_counter()
        child = subprocess.Popen([PYTHON, "-c", code, *args], env=env, stdout=subprocess.DEVNULL, stderr=err_file)
        _pid, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        err_file.seek(0)
        err = err_file.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"child failed:\n{err[-3000:]}")
    return elapsed, usage.ru_maxrss / 1024, err.strip().splitlines()[-1] if err.strip() else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--warehouse", choices=["sqlite", "postgres"], nargs="+", default=["sqlite"])
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/bokslut_test")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--profile", type=Path, default=None,
                        help="folder for a cProfile of stage + input suites per size and warehouse (slower run)")
    args = parser.parse_args()

    from bokslut.generator import generate

    print(f"# {platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}")
    print("| postings | CSV | warehouse | total (load + reports + KK once) | load: stage / suites / publish "
          "| reports | KK as SQL / through GE | gate (runs) | month-end run | peak RSS | DuckDB floor (RSS) | ratio |")
    print("|---:|---:|---|---:|---|---:|---|---:|---:|---:|---:|---:|")
    for rows in args.rows:
        work = Path(tempfile.mkdtemp(prefix=f"bench_{rows}_", dir=args.workdir))
        try:
            t0 = time.perf_counter()
            generated = generate(2024, work / "landing", rows=rows)
            gen_s = time.perf_counter() - t0
            ledger = work / "landing" / "ledger"
            (work / "landing" / "month").mkdir()
            shutil.copyfile(ledger / "huvudbok_191_202406.csv", work / "landing" / "month" / "huvudbok_191_202406.csv")
            size_mb = sum(p.stat().st_size for p in ledger.iterdir()) / 2**20
            floor_s, floor_mb, _ = measure(FLOOR, [str(ledger)], dict(os.environ))
            for warehouse in args.warehouse:
                env = _environment(work / warehouse, warehouse, args.pg_url, rows)
                if args.profile:
                    args.profile.mkdir(parents=True, exist_ok=True)
                    env["BENCHMARK_PROFILE"] = str(args.profile.resolve() / f"load_{rows}_{warehouse}.txt")
                    env["BOKSLUT_STAGE_WORKERS"] = "1"  # cProfile sees this process only: stage in it
                # files outside the landing folder stay where they are: every warehouse reads the same files
                month = work / "landing" / "month" / "huvudbok_191_202406.csv"
                pipe_s, pipe_mb, detail = measure(PIPELINE, [str(ledger), str(month)], env)
                ph = json.loads(detail)
                load = ph["stage"] + ph["suites"] + ph["publish"]
                total = load + ph["reports"] + ph["kk_ge"]
                print(f"| {generated.postings:,} | {size_mb:,.0f} MB | {warehouse} | {total:.1f} s "
                      f"| {ph['stage']:.1f} / {ph['suites']:.1f} / {ph['publish']:.1f} s | {ph['reports']:.1f} s "
                      f"| {ph['kk_sql']:.2f} / {ph['kk_ge']:.2f} s | {ph['gate']:.1f} s ({ph['gate_runs']}) "
                      f"| {ph['month_end']:.1f} s | {pipe_mb:,.0f} MiB | {floor_s:.2f} s ({floor_mb:,.0f} MiB) "
                      f"| {total / floor_s:.1f}× |", flush=True)
                print(f"<!-- {rows} {warehouse}: generate {gen_s:.1f} s, child wall {pipe_s:.1f} s, startup "
                      f"(imports, engine) {ph['startup']:.1f} s; month-end stage / suites / KK / publish "
                      f"{ph['month_stage']:.1f} / {ph['month_suites']:.1f} / {ph['month_gate']:.1f} / "
                      f"{ph['month_publish']:.1f} s -->", flush=True)
        finally:
            shutil.rmtree(work, ignore_errors=True)


def _environment(folder: Path, warehouse: str, pg_url: str, rows: int) -> dict[str, str]:
    env = {**os.environ, "BOKSLUT_DATA_DIR": str(folder / "data"), "BOKSLUT_ARCHIVE_DIR": str(folder / "archive"),
           "BOKSLUT_OUTBOX_DIR": str(folder / "out")}
    if warehouse == "postgres":
        import sqlalchemy as sa

        schema = f"bench_{rows}"
        admin = sa.create_engine(pg_url)
        with admin.begin() as c:
            c.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            c.execute(sa.text(f"CREATE SCHEMA {schema}"))
        admin.dispose()
        env["BOKSLUT_WAREHOUSE_URL"] = f"{pg_url}?options=-csearch_path%3D{schema}"
    return env


if __name__ == "__main__":
    main()
