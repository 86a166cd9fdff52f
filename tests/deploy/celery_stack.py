"""The real Airflow 3 CeleryExecutor stack, run from the project's venv on this machine.

Used by ``tests/deploy/test_celery_stack.py``; docs/deployment.md ("The Celery stack test") lists
the commands it runs. What it starts, each in its own session (``setsid``) so that one signal
reaches a component and every child it forked:

    airflow api-server --port P      airflow scheduler      airflow dag-processor
    airflow triggerer                airflow celery worker --concurrency 2 --queues Q

with the Airflow metadata DB and the bokslut warehouse as two databases of their own on the local
PostgreSQL (created here, dropped by ``close()``), the Celery broker on a Redis database number of
its own, and a queue name of its own (so two runs on one machine never take each other's tasks).

Stopping follows what the stack notes measured for Airflow 3.3: SIGINT to every process group
(Ctrl-C: Celery's warm shutdown, Airflow's graceful exit), then SIGTERM, then SIGKILL for whatever
is still alive. Every process started here inherits ``BOKSLUT_CELERY_STACK_ID``; ``survivors()``
finds any process carrying it, wherever it re-parented or re-grouped itself, so the test can prove
that nothing outlives the stack.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import sqlalchemy as sa

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MARKER = "BOKSLUT_CELERY_STACK_ID"

# Celery (Redis transport) re-delivers a message that was not acknowledged within this many
# seconds. Airflow acknowledges late (after the task ends), so it must exceed the longest task:
# 6 h against about 20 minutes for the largest whole-year reload measured (docs/deployment.md).
# The same number is in docker-compose.yaml (tests/deploy/test_compose.py checks both).
VISIBILITY_TIMEOUT_S = 21600
WORKER_CONCURRENCY = 2
COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer", "worker")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


CLAIM_KEY = "bokslut:celery-stack:claim"


def claim_redis_db(stack_id: str, host: str = "127.0.0.1", port: int = 6379, candidates=range(15, 7, -1)) -> int:
    """A Redis database number of this stack's own: one that held nothing, claimed with a key set
    only if absent (two runs on one machine never share one). Raises when none is free."""
    import redis

    for number in candidates:
        client = redis.Redis(host=host, port=port, db=number, socket_connect_timeout=3)
        try:
            if client.dbsize() == 0 and client.set(CLAIM_KEY, stack_id, nx=True):
                if client.dbsize() == 1:
                    return number
                client.delete(CLAIM_KEY)  # someone else wrote here at the same moment
        finally:
            client.close()
    raise RuntimeError(f"no empty Redis database among {list(candidates)} on {host}:{port}")


@dataclass
class CeleryStack:
    """One stack: ``prepare()`` → ``start()`` → ``wait_ready()`` → … → ``close()`` (always)."""

    workdir: Path
    venv_bin: Path
    pg_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    redis_host: str = "127.0.0.1"
    redis_port: int = 6379
    redis_db: int | None = None
    stack_id: str = field(default_factory=lambda: f"{os.getpid()}_{secrets.token_hex(3)}")
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    stop_report: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.airflow_home = self.workdir / "airflow_home"
        self.logs = self.workdir / "logs"
        self.data = self.workdir / "data"
        for folder in (self.airflow_home, self.logs, self.data / "landing" / "ledger"):
            folder.mkdir(parents=True, exist_ok=True)
        self.metadata_db = f"bokslut_celery_af_{self.stack_id}"
        self.warehouse_db = f"bokslut_celery_wh_{self.stack_id}"
        self.queue = f"bokslut_celery_{self.stack_id}"
        self.api_port = free_port()
        self._worker_log_port = free_port()
        self._trigger_log_port = free_port()
        self.username = "bokslut_ci"
        self.password = secrets.token_urlsafe(18)
        # One set of secrets for every component: the api-server must accept the scheduler's tokens.
        self._jwt_secret = secrets.token_urlsafe(64)
        self._api_secret_key = secrets.token_urlsafe(32)
        self._databases_created: list[str] = []

    # ------------------------------------------------------------------ configuration

    def _pg(self, database: str, driver: str) -> str:
        return sa.make_url(self.pg_url).set(drivername=driver, database=database).render_as_string(hide_password=False)

    @property
    def warehouse_url(self) -> str:
        return self._pg(self.warehouse_db, "postgresql+psycopg")

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def env(self) -> dict[str, str]:
        """The environment of every component (and so of every task the worker runs)."""
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "BOKSLUT_"))}
        passwords = self.airflow_home / "passwords.json"
        return {
            **keep,
            MARKER: self.stack_id,
            # Airflow starts sub-commands as `airflow …` through PATH (stack notes, gotcha 5).
            "PATH": f"{self.venv_bin}{os.pathsep}{keep.get('PATH', '/usr/bin:/bin')}",
            "AIRFLOW_HOME": str(self.airflow_home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__CORE__FERNET_KEY": "",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": self._pg(self.metadata_db, "postgresql+psycopg2"),
            # Small pools: the server (max_connections 100) is shared with the rest of the suite.
            "AIRFLOW__DATABASE__SQL_ALCHEMY_POOL_SIZE": "2",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_MAX_OVERFLOW": "4",
            "AIRFLOW__CELERY__BROKER_URL": f"redis://{self.redis_host}:{self.redis_port}/{self.redis_db}",
            "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + self._pg(self.metadata_db, "postgresql+psycopg2"),
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(WORKER_CONCURRENCY),
            "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT_S),
            "AIRFLOW__OPERATORS__DEFAULT_QUEUE": self.queue,
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(self.api_port),
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__API__BASE_URL": self.api_url,
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.api_url}/execution/",
            "AIRFLOW__API_AUTH__JWT_SECRET": self._jwt_secret,
            "AIRFLOW__API__SECRET_KEY": self._api_secret_key,
            "AIRFLOW__CORE__AUTH_MANAGER":
                "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{self.username}:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
            # Log servers on ports of their own (another stack may run beside this one).
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(self._worker_log_port),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(self._trigger_log_port),
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
            "BOKSLUT_WAREHOUSE_URL": self.warehouse_url,
            "BOKSLUT_DATA_DIR": str(self.data),
            "BOKSLUT_LANDING_DIR": str(self.data / "landing"),
            "BOKSLUT_ARCHIVE_DIR": str(self.data / "archive"),
            "BOKSLUT_OUTBOX_DIR": str(self.workdir / "out"),
        }

    # ------------------------------------------------------------------ lifecycle

    def prepare(self) -> None:
        """Claim a Redis database, create both PostgreSQL databases, migrate them."""
        if self.redis_db is None:
            self.redis_db = claim_redis_db(self.stack_id, self.redis_host, self.redis_port)
        admin = sa.create_engine(self.pg_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
        try:
            with admin.connect() as connection:
                for name in (self.metadata_db, self.warehouse_db):
                    connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
                    self._databases_created.append(name)
        finally:
            admin.dispose()
        (self.airflow_home / "passwords.json").write_text(json.dumps({self.username: self.password}))
        self.run(["airflow", "db", "migrate"], "db-migrate")
        self.run(["bokslut", "db", "upgrade"], "warehouse-upgrade")

    def run(self, argv: list[str], name: str, timeout: float = 300) -> None:
        """A one-shot command in the stack's environment (its output in logs/<name>.log)."""
        with open(self.logs / f"{name}.log", "wb") as out:
            result = subprocess.run(argv, env=self.env(), cwd=self.workdir, stdout=out, stderr=subprocess.STDOUT,
                                    timeout=timeout, start_new_session=True)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} exited {result.returncode}:\n{self.tail(name)}")

    def start(self) -> None:
        commands = {
            "api-server": ["airflow", "api-server", "--port", str(self.api_port)],
            "scheduler": ["airflow", "scheduler"],
            "dag-processor": ["airflow", "dag-processor"],
            "triggerer": ["airflow", "triggerer"],
            "worker": ["airflow", "celery", "worker", "--concurrency", str(WORKER_CONCURRENCY),
                       "--queues", self.queue, "--celery-hostname", f"bokslut-ci-{self.stack_id}@%h"],
        }
        env = self.env()
        for name, argv in commands.items():
            out = open(self.logs / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
            self.processes[name] = subprocess.Popen(argv, env=env, cwd=self.workdir, stdout=out,
                                                    stderr=subprocess.STDOUT, start_new_session=True)
            out.close()  # the child holds its own copy

    def wait_ready(self, timeout: float = 240) -> None:
        """Until the API says metadatabase, scheduler, triggerer and dag-processor are healthy and
        the worker has said it is ready; fails early, with the log, when a component died."""
        deadline = time.monotonic() + timeout
        worker_ready = re.compile(rb"\S+@\S+ ready\.")
        while True:
            self._raise_if_dead()
            health = self._health()
            parts = ("metadatabase", "scheduler", "triggerer", "dag_processor")
            healthy = health is not None and all((health.get(p) or {}).get("status") == "healthy" for p in parts)
            if healthy and worker_ready.search((self.logs / "worker.log").read_bytes()):
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"stack not ready after {timeout:.0f} s; health={health}\n"
                                   + "\n".join(self.tail(n, 15) for n in COMPONENTS))
            time.sleep(2)

    def _raise_if_dead(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{self.tail(name)}")

    def _health(self) -> dict | None:
        try:
            with urllib.request.urlopen(f"{self.api_url}/api/v2/monitor/health", timeout=5) as response:
                return json.load(response)
        except (urllib.error.URLError, OSError, ValueError):
            return None

    def tail(self, name: str, lines: int = 40) -> str:
        path = self.logs / f"{name}.log"
        text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else "(no log)"
        return f"--- {name}.log (last {lines} lines) ---\n" + "\n".join(text.splitlines()[-lines:])

    # ------------------------------------------------------------------ REST API (/api/v2)

    def token(self) -> str:
        body = json.dumps({"username": self.username, "password": self.password}).encode()
        request = urllib.request.Request(f"{self.api_url}/auth/token", data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)["access_token"]

    def api(self, method: str, path: str, payload: dict | None = None, token: str | None = None) -> dict:
        token = token or self._token_cache()
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(f"{self.api_url}/api/v2{path}", data=data, method=method,
                                         headers={"Content-Type": "application/json",
                                                  "Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.load(response)
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"{method} {path}: HTTP {exc.code} {exc.read()[:2000]!r}") from None

    def _token_cache(self) -> str:
        if not getattr(self, "_token", None):
            self._token = self.token()
        return self._token

    # ------------------------------------------------------------------ stopping

    def our_processes(self) -> list[psutil.Process]:
        """Every live process that carries this stack's marker, or descends from a component."""
        found: dict[int, psutil.Process] = {}
        for process in psutil.process_iter():
            try:
                if process.environ().get(MARKER) == self.stack_id and process.status() != psutil.STATUS_ZOMBIE:
                    found[process.pid] = process
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
        for root in self.processes.values():
            try:
                for process in [psutil.Process(root.pid), *psutil.Process(root.pid).children(recursive=True)]:
                    if process.status() != psutil.STATUS_ZOMBIE:
                        found[process.pid] = process
            except psutil.NoSuchProcess:
                continue
        found.pop(os.getpid(), None)
        return list(found.values())

    def stop(self, grace_s: float = 45) -> None:
        """SIGINT to every component's process group, then SIGTERM, then SIGKILL; reaps the components.
        ``stop_report`` says which signal ended what (SIGKILL should never be needed)."""
        for sig, wait_s in ((signal.SIGINT, grace_s), (signal.SIGTERM, 20), (signal.SIGKILL, 10)):
            alive = self.our_processes()
            if not alive:
                break
            groups = {os.getpgid(p.pid) for p in alive if _exists(p.pid)}
            for group in groups:
                _signal_group(group, sig)
            for process in alive:  # also those that left their group
                _signal(process, sig)
            deadline = time.monotonic() + wait_s
            while time.monotonic() < deadline and self.our_processes():
                for component in self.processes.values():
                    component.poll()  # reap our direct children so they do not linger as zombies
                time.sleep(0.5)
            left = self.our_processes()
            self.stop_report.append(f"{sig.name}: {len(alive)} alive before, {len(left)} after")
        for component in self.processes.values():
            try:
                component.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass

    def survivors(self) -> list[str]:
        """`ps` lines of any process of this stack still alive (empty after a clean stop)."""
        out = subprocess.run(["ps", "-eo", "pid,pgid,sid,stat,args"], capture_output=True, text=True).stdout
        pids = {p.pid for p in self.our_processes()}
        return [line for line in out.splitlines()[1:] if line.split() and int(line.split()[0]) in pids]

    def close(self) -> None:
        """Stop everything, then drop the databases and empty the Redis database (always call)."""
        try:
            self.stop()
        finally:
            self._drop_databases()
            self._flush_redis()

    def _drop_databases(self) -> None:
        if not self._databases_created:
            return
        admin = sa.create_engine(self.pg_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
        try:
            with admin.connect() as connection:
                for name in self._databases_created:
                    connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            admin.dispose()
        self._databases_created = []

    def _flush_redis(self) -> None:
        if self.redis_db is None:
            return
        import redis

        client = redis.Redis(host=self.redis_host, port=self.redis_port, db=self.redis_db, socket_connect_timeout=3)
        try:
            if client.get(CLAIM_KEY) == self.stack_id.encode():  # still ours: everything in it is ours
                client.flushdb()
        finally:
            client.close()


def _exists(pid: int) -> bool:
    try:
        os.getpgid(pid)
        return True
    except ProcessLookupError:
        return False


def _signal_group(group: int, sig: signal.Signals) -> None:
    if group in (0, 1, os.getpgrp()):
        return  # never our own group or init's
    try:
        os.killpg(group, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _signal(process: psutil.Process, sig: signal.Signals) -> None:
    try:
        process.send_signal(sig)
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        pass
