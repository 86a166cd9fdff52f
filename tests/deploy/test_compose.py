"""Static checks of the Docker deployment: docker-compose.yaml, .env.example, Dockerfile, .dockerignore.

No Docker engine is needed (or available in CI): the compose file is read with PyYAML, and its
``${VAR}`` references are interpolated here the way Docker Compose does it, with the values of
``.env.example``. Every check is a function that returns a list of problems, so that the same
function is run on the real files (it must find nothing) and on deliberately broken copies of them
(it must find something; see ``test_checks_catch_broken_deployments``). A check that cannot fail is
a defect.
"""

from __future__ import annotations

import posixpath
import re
import shlex
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

import pytest
import yaml

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]

AIRFLOW_SERVICES = (
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
    "airflow-init",
)
REQUIRED_SERVICES = AIRFLOW_SERVICES + ("redis", "postgres", "warehouse-db")
HEALTHCHECKED_SERVICES = ("postgres", "redis", "warehouse-db", "airflow-apiserver", "airflow-scheduler")
# bokslut setting -> mount point inside the Airflow containers
DATA_MOUNTS = {
    "BOKSLUT_LANDING_DIR": "/opt/airflow/landing",
    "BOKSLUT_ARCHIVE_DIR": "/opt/airflow/archive",
    "BOKSLUT_OUTBOX_DIR": "/opt/airflow/out",
}
# Finance's editable data: host folders mounted read-only where bokslut.settings looks by default
# (PROJECT_ROOT/include/...), named by their settings too, and kept out of the image.
EDITABLE_MOUNTS = {
    "BOKSLUT_MANUAL_DIR": "/opt/bokslut/include/manual",
    "BOKSLUT_REFERENCE_DIR": "/opt/bokslut/include/reference",
}
EDITABLE_FOLDERS = ("include/manual", "include/reference")
PROJECT_FOLDERS = ("dags", "plugins", "include", "expectations")
VISIBILITY_TIMEOUT_KEY = "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT"
# The longest task the deployment is sized for: a city-wide year-end reload in one task, 1-2 h on
# the benchmarks' numbers (docs/deployment.md, "Celery visibility timeout"); with margin.
LONGEST_TASK_S = 3 * 3600
# Top-level keys Compose v1 (1.29, the last) accepts; `name:` is v2-only.
COMPOSE_V1_TOP_LEVEL = {"version", "services", "volumes", "networks", "configs", "secrets"}
AIRFLOW_PLUGINS_FOLDER = "/opt/airflow/plugins"  # $AIRFLOW_HOME/plugins in the official image
# Variables Docker Compose itself reads from .env; they may be in .env.example without being used.
COMPOSE_OWN_VARIABLES = {"COMPOSE_PROJECT_NAME", "COMPOSE_PROFILES", "COMPOSE_FILE"}

SECRET_VARIABLE = re.compile(r"PASSWORD|SECRET|_KEY$|TOKEN|^AIRFLOW_CONN_")
SECRET_ENV_KEY = re.compile(r"PASSWORD|SECRET|_KEY$|TOKEN|^AIRFLOW_CONN_|^REDISCLI_AUTH$")
PLACEHOLDER_MARK = "change-me"
URL_USERINFO = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://([^/@\s]*)@")
TOKEN = re.compile(r"\x00(\d+)\x00")


# --------------------------------------------------------------------------------------------------
# Docker Compose interpolation (https://docs.docker.com/reference/compose-file/interpolation/)
# --------------------------------------------------------------------------------------------------

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPERATORS = (":-", ":?", ":+", "-", "?", "+")


@dataclass(frozen=True)
class Ref:
    """One ``${NAME<op><arg>}`` (or ``$NAME``) reference."""

    name: str
    op: str | None
    arg: str


class MissingRequired(Exception):
    """A ``${VAR:?message}`` whose variable is unset or empty: compose refuses to run."""


def _closing_brace(text: str, start: int) -> int:
    """Index of the ``}`` closing the ``${`` at ``start`` (nested ``${...}`` allowed)."""
    depth = 0
    i = start
    while i < len(text):
        if text.startswith("$$", i):
            i += 2
            continue
        if text.startswith("${", i):
            depth += 1
            i += 2
            continue
        if text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ValueError(f"unterminated ${{ in {text!r}")


def scan(text: str) -> tuple[list[Ref], str]:
    """Top-level references of ``text`` and the text with each replaced by a ``\\x00i\\x00`` token.

    ``$$`` is Compose's escape for a literal ``$`` and is not a reference.
    """
    refs: list[Ref] = []
    out: list[str] = []
    i = 0
    while i < len(text):
        if text.startswith("$$", i):
            out.append("$$")
            i += 2
        elif text.startswith("${", i):
            end = _closing_brace(text, i)
            body = text[i + 2 : end]
            m = _NAME.match(body)
            if not m:
                raise ValueError(f"invalid reference {text[i:end + 1]!r}")
            rest = body[m.end() :]
            op = next((o for o in _OPERATORS if rest.startswith(o)), None)
            if rest and op is None:
                raise ValueError(f"invalid reference {text[i:end + 1]!r}")
            refs.append(Ref(m.group(), op, rest[len(op) :] if op else ""))
            out.append(f"\x00{len(refs) - 1}\x00")
            i = end + 1
        elif text.startswith("$", i) and _NAME.match(text, i + 1):
            m = _NAME.match(text, i + 1)
            refs.append(Ref(m.group(), None, ""))
            out.append(f"\x00{len(refs) - 1}\x00")
            i = m.end()
        else:
            out.append(text[i])
            i += 1
    return refs, "".join(out)


def all_refs(text: str) -> list[Ref]:
    """Every reference in ``text``, including those nested in defaults and messages."""
    refs, _ = scan(text)
    found = list(refs)
    for ref in refs:
        found.extend(all_refs(ref.arg))
    return found


def interpolate(text: str, env: dict[str, str]) -> str:
    refs, masked = scan(text)

    def value(ref: Ref) -> str:
        is_set = ref.name in env
        non_empty = bool(env.get(ref.name))
        if ref.op is None:
            return env.get(ref.name, "")
        if ref.op == ":-":
            return env[ref.name] if non_empty else interpolate(ref.arg, env)
        if ref.op == "-":
            return env[ref.name] if is_set else interpolate(ref.arg, env)
        if ref.op in (":?", "?"):
            if (ref.op == ":?" and not non_empty) or (ref.op == "?" and not is_set):
                raise MissingRequired(f"{ref.name}: {ref.arg}")
            return env[ref.name]
        if ref.op == ":+":
            return interpolate(ref.arg, env) if non_empty else ""
        return interpolate(ref.arg, env) if is_set else ""  # "+"

    resolved = TOKEN.sub(lambda m: value(refs[int(m.group(1))]), masked)
    return resolved.replace("$$", "$")


def strings(node: Any) -> list[str]:
    """Every string in a loaded YAML document (mapping keys included)."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in strings(k) + strings(v)]
    if isinstance(node, list):
        return [s for item in node for s in strings(item)]
    return []


# --------------------------------------------------------------------------------------------------
# The deployment under test
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EnvVar:
    value: str
    comments: tuple[str, ...]


def parse_env_file(text: str) -> tuple[dict[str, EnvVar], list[str]]:
    """``NAME=value`` lines with the comment block right above each; problems (duplicates, junk)."""
    variables: dict[str, EnvVar] = {}
    problems: list[str] = []
    comments: list[str] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped:
            comments = []
            continue
        if stripped.startswith("#"):
            comments.append(stripped)
            continue
        m = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)", stripped)
        if not m:
            problems.append(f".env.example line {lineno} is not NAME=value: {line!r}")
            continue
        name, value = m.groups()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        if name in variables:
            problems.append(f".env.example defines {name} twice")
        variables[name] = EnvVar(value, tuple(comments))
        comments = []
    return variables, problems


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str
    user: str
    workdir: str


def parse_dockerfile(text: str) -> list[Instruction]:
    """Instructions with continuation lines joined, each with the USER and WORKDIR in effect."""
    joined: list[str] = []
    buf = ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if stripped.startswith("#") or (not stripped and not buf):
            continue
        if stripped.endswith("\\"):
            buf += stripped[:-1] + " "
            continue
        joined.append(buf + stripped)
        buf = ""
    if buf:
        joined.append(buf)
    instructions = []
    user, workdir = "root", "/"
    for line in joined:
        keyword, _, args = line.partition(" ")
        keyword, args = keyword.upper(), args.strip()
        instructions.append(Instruction(keyword, args, user, workdir))
        if keyword == "USER":
            user = args.split(":")[0]
        elif keyword == "WORKDIR":
            workdir = posixpath.normpath(posixpath.join(workdir, args))
    return instructions


@dataclass
class Deployment:
    compose_text: str
    env_example_text: str
    dockerfile_text: str
    dockerignore_text: str
    pyproject_text: str
    constraints_text: str
    _cache: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_repo(cls, **overrides: str) -> "Deployment":
        files = {
            "compose_text": "docker-compose.yaml",
            "env_example_text": ".env.example",
            "dockerfile_text": "Dockerfile",
            "dockerignore_text": ".dockerignore",
            "pyproject_text": "pyproject.toml",
            "constraints_text": "constraints.txt",
        }
        texts = {key: (ROOT / name).read_text(encoding="utf-8") for key, name in files.items()}
        texts.update(overrides)
        return cls(**texts)

    @cached_property
    def compose(self) -> dict:
        return yaml.safe_load(self.compose_text)

    @cached_property
    def services(self) -> dict[str, dict]:
        return self.compose.get("services") or {}

    @cached_property
    def env_example(self) -> dict[str, EnvVar]:
        return parse_env_file(self.env_example_text)[0]

    @cached_property
    def env_variants(self) -> dict[str, dict[str, str]]:
        """Values to interpolate with: all of .env.example, and only its secrets (compose defaults)."""
        example = {name: var.value for name, var in self.env_example.items()}
        secrets_only = {k: v for k, v in example.items() if SECRET_VARIABLE.search(k)}
        return {".env.example": example, "secrets only (compose defaults)": secrets_only}

    def env_of(self, service: str) -> dict[str, Any]:
        env = self.services.get(service, {}).get("environment") or {}
        if isinstance(env, list):  # ["KEY=value", ...]
            env = dict(item.partition("=")[::2] for item in env)
        return env

    def resolved(self, text: Any, env: dict[str, str]) -> str:
        return interpolate(str(text), env)

    @cached_property
    def dockerfile(self) -> list[Instruction]:
        return parse_dockerfile(self.dockerfile_text)

    @cached_property
    def pyproject(self) -> dict:
        return tomllib.loads(self.pyproject_text)


def command_words(service: dict) -> list[str]:
    command = service.get("command") or []
    return shlex.split(command) if isinstance(command, str) else [str(c) for c in command]


def mount_options(service: dict) -> dict[str, set[str]]:
    """target -> options (``ro``, ``rw``, ...) of every short-syntax volume; ``read_only`` for long."""
    options: dict[str, set[str]] = {}
    for volume in service.get("volumes") or []:
        if isinstance(volume, dict):
            options[volume.get("target", "")] = {"ro"} if volume.get("read_only") else set()
            continue
        _, masked = scan(volume)
        parts = masked.split(":")
        options[parts[1] if len(parts) > 1 else parts[0]] = set(parts[2].split(",")) if len(parts) > 2 else set()
    return options


def mount_targets(service: dict) -> dict[str, str]:
    """target -> source of every volume of a service (short and long syntax)."""
    targets = {}
    for volume in service.get("volumes") or []:
        if isinstance(volume, dict):
            targets[volume.get("target", "")] = str(volume.get("source", ""))
            continue
        refs, masked = scan(volume)
        parts = masked.split(":")
        source = TOKEN.sub(lambda m: "${" + refs[int(m.group(1))].name + "}", parts[0])
        target = parts[1] if len(parts) > 1 else parts[0]
        targets[target] = source
    return targets


# --------------------------------------------------------------------------------------------------
# Checks: each returns a list of problems (empty = fine)
# --------------------------------------------------------------------------------------------------


def check_services(d: Deployment) -> list[str]:
    return [f"service {name!r} is missing" for name in REQUIRED_SERVICES if name not in d.services]


def check_common_anchor(d: Deployment) -> list[str]:
    """Every Airflow service merges the x-airflow-common anchor (``<<: *airflow-common``)."""
    root = yaml.compose(d.compose_text)
    top = {key.value: value for key, value in root.value}
    anchor = top.get("x-airflow-common")
    if anchor is None:
        return ["x-airflow-common is missing"]
    services = {key.value: value for key, value in top["services"].value}
    problems = []
    for name in AIRFLOW_SERVICES:
        node = services.get(name)
        if node is None:
            problems.append(f"{name} is missing")
            continue
        merged = []
        for key, value in node.value:
            if key.tag == "tag:yaml.org,2002:merge":
                merged.extend(value.value if isinstance(value, yaml.SequenceNode) else [value])
        if not any(m is anchor for m in merged):
            problems.append(f"{name} does not merge the x-airflow-common anchor")
    common_env = (d.compose.get("x-airflow-common") or {}).get("environment") or {}
    for name in AIRFLOW_SERVICES:
        env = d.env_of(name)
        for key, value in common_env.items():
            if env.get(key) != value:
                problems.append(f"{name}: {key} differs from x-airflow-common ({env.get(key)!r})")
    return problems


def check_airflow_env(d: Deployment) -> list[str]:
    """CeleryExecutor, the Redis broker and the PostgreSQL metadata DB, consistent with their services."""
    problems = []
    pg_env, redis_env = d.env_of("postgres"), d.env_of("redis")
    for variant, env in d.env_variants.items():
        for name in AIRFLOW_SERVICES:
            senv = d.env_of(name)
            if senv.get("AIRFLOW__CORE__EXECUTOR") != "CeleryExecutor":
                problems.append(f"{name}: executor is {senv.get('AIRFLOW__CORE__EXECUTOR')!r}")
            broker = urlsplit(d.resolved(senv.get("AIRFLOW__CELERY__BROKER_URL", ""), env))
            if (broker.scheme, broker.hostname, broker.port) != ("redis", "redis", 6379):
                problems.append(f"{name} [{variant}]: broker is not redis://redis:6379 ({broker.geturl()!r})")
            if broker.password != d.resolved(redis_env.get("REDISCLI_AUTH", ""), env):
                problems.append(f"{name} [{variant}]: broker password is not the Redis service's password")
            for key, schemes in (
                ("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", ("postgresql", "postgresql+psycopg2", "postgresql+psycopg")),
                ("AIRFLOW__CELERY__RESULT_BACKEND", ("db+postgresql", "db+postgresql+psycopg2")),
            ):
                url = urlsplit(d.resolved(senv.get(key, ""), env))
                expected = (
                    d.resolved(pg_env.get("POSTGRES_USER", ""), env),
                    d.resolved(pg_env.get("POSTGRES_PASSWORD", ""), env),
                    "postgres",
                    "/" + d.resolved(pg_env.get("POSTGRES_DB", ""), env),
                )
                if url.scheme not in schemes:
                    problems.append(f"{name} [{variant}]: {key} scheme {url.scheme!r} is not PostgreSQL")
                if (url.username, url.password, url.hostname, url.path) != expected:
                    problems.append(f"{name} [{variant}]: {key} does not match the postgres service")
    return problems


def check_worker(d: Deployment) -> list[str]:
    words = command_words(d.services.get("airflow-worker", {}))
    if words[:2] != ["celery", "worker"]:
        return [f"airflow-worker runs {' '.join(words)!r}, not 'celery worker'"]
    return []


def check_warehouse(d: Deployment) -> list[str]:
    problems = []
    wh = d.services.get("warehouse-db")
    if wh is None:
        return ["warehouse-db is missing"]
    if not str(wh.get("image", "")).startswith("postgres:"):
        problems.append(f"warehouse-db image {wh.get('image')!r} is not PostgreSQL")
    wh_env = d.env_of("warehouse-db")
    wh_data = mount_targets(wh).get("/var/lib/postgresql/data")
    if not wh_data:
        problems.append("warehouse-db keeps its data in no volume")
    elif wh_data == mount_targets(d.services.get("postgres", {})).get("/var/lib/postgresql/data"):
        problems.append("warehouse-db shares its data volume with the Airflow metadata DB")
    for variant, env in d.env_variants.items():
        for name in AIRFLOW_SERVICES:
            raw = d.env_of(name).get("BOKSLUT_WAREHOUSE_URL")
            if raw is None:
                problems.append(f"{name} has no BOKSLUT_WAREHOUSE_URL")
                continue
            url = urlsplit(d.resolved(raw, env))
            expected = (
                "postgresql+psycopg",
                d.resolved(wh_env.get("POSTGRES_USER", ""), env),
                d.resolved(wh_env.get("POSTGRES_PASSWORD", ""), env),
                "warehouse-db",
                5432,
                "/" + d.resolved(wh_env.get("POSTGRES_DB", ""), env),
            )
            actual = (url.scheme, url.username, url.password, url.hostname, url.port, url.path)
            if actual != expected:
                problems.append(f"{name} [{variant}]: BOKSLUT_WAREHOUSE_URL does not point at warehouse-db "
                                f"({url.scheme}://{url.username}@{url.hostname}:{url.port}{url.path})")
    return problems


def check_data_mounts(d: Deployment) -> list[str]:
    problems = []
    for name in AIRFLOW_SERVICES:
        service = d.services.get(name, {})
        targets = mount_targets(service)
        env = d.env_of(name)
        for setting, target in DATA_MOUNTS.items():
            if target not in targets:
                problems.append(f"{name}: nothing is mounted at {target}")
            elif "${" not in targets[target]:
                problems.append(f"{name}: the host side of {target} is not configurable ({targets[target]!r})")
            if env.get(setting) != target:
                problems.append(f"{name}: {setting}={env.get(setting)!r}, expected {target}")
        options = mount_options(service)
        for setting, target in EDITABLE_MOUNTS.items():
            if target not in targets:
                problems.append(f"{name}: finance's {setting} folder is not mounted at {target}")
                continue
            if "${" not in targets[target]:
                problems.append(f"{name}: the host side of {target} is not configurable ({targets[target]!r})")
            if "ro" not in options.get(target, set()):
                problems.append(f"{name}: {target} is mounted writable (tasks only read it)")
            if env.get(setting) != target:
                problems.append(f"{name}: {setting}={env.get(setting)!r}, expected {target}")
        for target in targets:
            if target in EDITABLE_MOUNTS.values():
                continue
            if target == AIRFLOW_PLUGINS_FOLDER or target.startswith("/opt/bokslut"):
                problems.append(f"{name}: {target} is mounted over the code baked into the image")
    return problems


def check_editable_data_not_baked(d: Deployment) -> list[str]:
    """include/manual and include/reference never enter the build context (so never the image)."""
    patterns = {line.strip().strip("/").removeprefix("./") for line in d.dockerignore_text.splitlines()
                if line.strip() and not line.startswith("#")}
    return [f".dockerignore does not exclude {folder}: it would be baked into the image"
            for folder in EDITABLE_FOLDERS if folder not in patterns and "include" not in patterns]


def check_visibility_timeout(d: Deployment) -> list[str]:
    """Every Airflow service's Celery visibility timeout exceeds the longest task (and any
    execution_timeout the DAGs set), and equals the one the Celery stack test runs with."""
    from bokslut.dag_defaults import DEFAULT_ARGS

    from tests.deploy.celery_stack import VISIBILITY_TIMEOUT_S

    problems = []
    longest = max(LONGEST_TASK_S, int(DEFAULT_ARGS["execution_timeout"].total_seconds())
                  if DEFAULT_ARGS.get("execution_timeout") else 0)
    for name in AIRFLOW_SERVICES:
        raw = d.env_of(name).get(VISIBILITY_TIMEOUT_KEY)
        if raw is None:
            problems.append(f"{name}: {VISIBILITY_TIMEOUT_KEY} is not set (Airflow's default is not a decision)")
            continue
        value = d.resolved(raw, d.env_variants[".env.example"])
        if not value.isdigit() or int(value) <= longest:
            problems.append(f"{name}: visibility timeout {value!r} s does not exceed the longest task ({longest} s)")
        elif int(value) != VISIBILITY_TIMEOUT_S:
            problems.append(f"{name}: visibility timeout {value} s differs from the Celery stack test's "
                            f"{VISIBILITY_TIMEOUT_S} s")
    return problems


def check_compose_v1_compatible(d: Deployment) -> list[str]:
    """Only top-level keys Compose v1 knows (``x-`` extensions aside): it rejects ``name:``."""
    return [f"top-level {key!r} is rejected by Compose v1" for key in d.compose
            if key not in COMPOSE_V1_TOP_LEVEL and not str(key).startswith("x-")]


def check_variables_documented(d: Deployment) -> list[str]:
    env_vars, problems = parse_env_file(d.env_example_text)
    used = {ref.name for s in strings(d.compose) for ref in all_refs(s)}
    problems += [f"${{{name}}} is used in docker-compose.yaml but not defined in .env.example"
                 for name in sorted(used - env_vars.keys())]
    problems += [f"{name} is in .env.example but docker-compose.yaml never uses it"
                 for name in sorted(env_vars.keys() - used - COMPOSE_OWN_VARIABLES)]
    for name, var in env_vars.items():
        text = " ".join(var.comments)
        if "SV:" not in text or "EN:" not in text:
            problems.append(f".env.example: {name} lacks a '# SV:' and '# EN:' comment right above it")
    for variant, env in d.env_variants.items():
        for s in strings(d.compose):
            try:
                interpolate(s, env)
            except MissingRequired as exc:
                problems.append(f"[{variant}] required variable left unset: {exc}")
    return problems


def check_secrets(d: Deployment) -> list[str]:
    """Secrets reach the containers only through required ``${VAR:?...}`` references."""
    problems = []
    env_vars = d.env_example
    secret_vars = {n for n in env_vars if SECRET_VARIABLE.search(n)}
    # 1. secret-looking container variables hold exactly one required reference
    for sname, service in list(d.services.items()) + [("x-airflow-common", d.compose.get("x-airflow-common") or {})]:
        env = service.get("environment") or {}
        for key, value in (env.items() if isinstance(env, dict) else []):
            if not SECRET_ENV_KEY.search(key):
                continue
            refs, masked = scan(str(value))
            if not (TOKEN.fullmatch(masked) and refs[0].op == ":?"):
                problems.append(f"{sname}: {key} is not a single required ${{VAR:?...}} reference")
    # 2. passwords inside URLs are required references too; 3. secret variables never get defaults
    for s in strings(d.compose):
        refs, masked = scan(s)
        for m in URL_USERINFO.finditer(masked):
            user, sep, password = m.group(2).partition(":")
            if not sep:
                continue
            token = TOKEN.fullmatch(password)
            if not (token and refs[int(token.group(1))].op == ":?"):
                problems.append(f"a {m.group(1)}:// URL has a password that is not a required reference")
        for ref in all_refs(s):
            if ref.name in secret_vars and ref.op != ":?":
                problems.append(f"secret ${{{ref.name}}} is referenced without ':?' (a default or optional)")
    # 4. no placeholder (or any other example secret) is pasted into the compose file
    for name in secret_vars:
        value = env_vars[name].value
        if PLACEHOLDER_MARK not in value:
            problems.append(f".env.example: the placeholder of {name} lacks {PLACEHOLDER_MARK!r}")
        if value and value in d.compose_text:
            problems.append(f"the .env.example value of {name} is written literally in docker-compose.yaml")
    # 5. least privilege for the pseudonymisation key
    if "BOKSLUT_PSEUDONYM_KEY" not in d.env_of("airflow-worker"):
        problems.append("airflow-worker does not get BOKSLUT_PSEUDONYM_KEY")
    for name in ("airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer"):
        if "BOKSLUT_PSEUDONYM_KEY" in d.env_of(name):
            problems.append(f"{name} gets BOKSLUT_PSEUDONYM_KEY but runs no task")
    return problems


def check_healthchecks(d: Deployment) -> list[str]:
    problems = []
    for name in HEALTHCHECKED_SERVICES:
        hc = d.services.get(name, {}).get("healthcheck") or {}
        test = hc.get("test")
        if not test or hc.get("disable") or (isinstance(test, list) and test[0] == "NONE"):
            problems.append(f"{name} has no healthcheck")
    scheduler_test = " ".join(map(str, (d.services.get("airflow-scheduler", {}).get("healthcheck") or {}).get("test") or []))
    if ":8974/health" in scheduler_test and str(
        d.env_of("airflow-scheduler").get("AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK", "")
    ).lower() != "true":
        problems.append("the scheduler healthcheck polls :8974 but AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK is not true")
    api = d.services.get("airflow-apiserver", {})
    api_test = " ".join(map(str, (api.get("healthcheck") or {}).get("test") or []))
    container_ports = {scan(str(p))[1].rsplit(":", 1)[-1] for p in api.get("ports") or []}
    if not any(f"localhost:{port}/" in api_test for port in container_ports):
        problems.append("the apiserver healthcheck does not poll the port the API server publishes")
    return problems


def check_startup_order(d: Deployment) -> list[str]:
    problems = []
    for name in AIRFLOW_SERVICES:
        deps = d.services.get(name, {}).get("depends_on") or {}
        for db in ("postgres", "redis"):
            if (deps.get(db) or {}).get("condition") != "service_healthy":
                problems.append(f"{name} does not wait for {db} to be healthy")
        if name != "airflow-init" and (deps.get("airflow-init") or {}).get("condition") != "service_completed_successfully":
            problems.append(f"{name} does not wait for airflow-init to complete")
    return problems


def _pins(d: Deployment) -> tuple[str | None, str | None, str | None]:
    """(Airflow pinned in pyproject, lowest Python allowed by requires-python, Airflow in constraints)."""
    airflow = None
    for dep in d.pyproject["project"]["dependencies"]:
        m = re.fullmatch(r"apache-airflow(\[[^\]]*\])?==([\w.]+)", dep.replace(" ", ""))
        if m:
            airflow = m.group(2)
    python = re.search(r">=\s*(\d+\.\d+)", d.pyproject["project"].get("requires-python", ""))
    constrained = re.search(r"^apache-airflow==([\w.]+)\s*$", d.constraints_text, re.MULTILINE)
    return airflow, python and python.group(1), constrained and constrained.group(1)


def check_dockerfile_base(d: Deployment) -> list[str]:
    airflow, python, constrained = _pins(d)
    froms = [i.args for i in d.dockerfile if i.keyword == "FROM"]
    if len(froms) != 1:
        return [f"expected one FROM, found {froms}"]
    m = re.fullmatch(r"apache/airflow:(\d+\.\d+\.\d+)-python(\d+\.\d+)", froms[0].split()[0])
    if not m:
        return [f"base image {froms[0]!r} is not apache/airflow:<version>-python<x.y>"]
    problems = []
    if m.group(1) != airflow:
        problems.append(f"base image Airflow {m.group(1)} != pyproject.toml pin {airflow}")
    if m.group(1) != constrained:
        problems.append(f"base image Airflow {m.group(1)} != constraints.txt pin {constrained}")
    if m.group(2) != python:
        problems.append(f"base image Python {m.group(2)} != requires-python {python}")
    return problems


def check_dockerfile_install(d: Deployment) -> list[str]:
    problems = []
    constraints_copied_to: set[str] = set()
    project_installed = False
    for ins in d.dockerfile:
        if ins.keyword == "COPY":
            words = [w for w in shlex.split(ins.args) if not w.startswith("--")]
            if "constraints.txt" in words[:-1]:
                constraints_copied_to.add(posixpath.normpath(posixpath.join(ins.workdir, words[-1])))
        if ins.keyword != "RUN" or "pip install" not in ins.args:
            continue
        for cmd in re.split(r"&&|;|\|\|", ins.args):
            if "pip install" not in cmd:
                continue
            words = shlex.split(cmd)
            uses_constraints = bool(re.search(r"(--constraint|-c)(\s+|=)constraints\.txt\b", cmd))
            if not uses_constraints:
                problems.append(f"pip install without --constraint constraints.txt: {cmd.strip()!r}")
            if ins.user != "airflow":
                problems.append(f"pip install runs as {ins.user!r}, not as the airflow user: {cmd.strip()!r}")
            if uses_constraints and ins.workdir not in constraints_copied_to:
                problems.append(f"constraints.txt is not copied into {ins.workdir} before {cmd.strip()!r}")
            if "." in words and uses_constraints and ins.user == "airflow":
                project_installed = True
    if not project_installed:
        problems.append("the project is never installed with `pip install --constraint constraints.txt .` as airflow")
    return problems


def check_dockerfile_layout(d: Deployment) -> list[str]:
    """dags/plugins/include/expectations are baked in, side by side, where settings.py and Airflow look."""
    problems = []
    copied: dict[str, str] = {}
    env: dict[str, str] = {}
    for ins in d.dockerfile:
        if ins.keyword == "COPY":
            words = [w for w in shlex.split(ins.args) if not w.startswith("--")]
            for src in words[:-1]:
                copied[src.strip("/").removeprefix("./")] = posixpath.normpath(posixpath.join(ins.workdir, words[-1]))
        elif ins.keyword == "ENV":
            for word in shlex.split(ins.args):
                key, _, value = word.partition("=")
                env[key] = value
    for folder in PROJECT_FOLDERS:
        if folder not in copied:
            problems.append(f"{folder}/ is not copied into the image")
    if problems:
        return problems
    # bokslut.settings: PROJECT_ROOT = parents[2] of plugins/bokslut/settings.py, and include/ and
    # expectations/ are looked up under PROJECT_ROOT; so all four folders must share one parent.
    parents = {posixpath.dirname(copied[f]) for f in PROJECT_FOLDERS}
    if len(parents) != 1:
        problems.append(f"dags/plugins/include/expectations do not share one project root: {sorted(parents)}")
    if env.get("AIRFLOW__CORE__DAGS_FOLDER") != copied["dags"]:
        problems.append(f"AIRFLOW__CORE__DAGS_FOLDER={env.get('AIRFLOW__CORE__DAGS_FOLDER')!r}, dags/ is at {copied['dags']}")
    if copied["plugins"] not in env.get("PYTHONPATH", "").split(":"):
        problems.append(f"PYTHONPATH does not put the bokslut source ({copied['plugins']}) first")
    if copied["plugins"] == AIRFLOW_PLUGINS_FOLDER:
        problems.append("plugins/ is copied into Airflow's plugins folder, which Airflow executes file by file")
    return problems


def check_dockerignore(d: Deployment) -> list[str]:
    patterns = {line.strip().rstrip("/") for line in d.dockerignore_text.splitlines()
                if line.strip() and not line.startswith("#")}
    return [f".dockerignore does not exclude {p}" for p in (".env", ".venv", ".git", "data") if p not in patterns]


CHECKS: dict[str, Callable[[Deployment], list[str]]] = {
    "services": check_services,
    "common_anchor": check_common_anchor,
    "airflow_env": check_airflow_env,
    "worker": check_worker,
    "warehouse": check_warehouse,
    "data_mounts": check_data_mounts,
    "variables_documented": check_variables_documented,
    "secrets": check_secrets,
    "healthchecks": check_healthchecks,
    "startup_order": check_startup_order,
    "dockerfile_base": check_dockerfile_base,
    "dockerfile_install": check_dockerfile_install,
    "dockerfile_layout": check_dockerfile_layout,
    "dockerignore": check_dockerignore,
    "editable_data_not_baked": check_editable_data_not_baked,
    "visibility_timeout": check_visibility_timeout,
    "compose_v1_compatible": check_compose_v1_compatible,
}


# --------------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def deployment() -> Deployment:
    return Deployment.from_repo()


@pytest.mark.parametrize("check", list(CHECKS))
def test_deployment(deployment: Deployment, check: str) -> None:
    assert CHECKS[check](deployment) == []


def _replace(old: str, new: str, count: int = 1) -> Callable[[str], str]:
    def mutate(text: str) -> str:
        assert old in text, f"mutation target {old!r} not found: update the mutation"
        return text.replace(old, new, count)

    return mutate


def _drop(service: str, *path: str) -> Callable[[str], str]:
    """Delete services.<service>.<path...> from the loaded document (anchors are expanded)."""

    def mutate(text: str) -> str:
        doc = yaml.safe_load(text)
        node = doc["services"][service]
        for key in path[:-1]:
            node = node[key]
        assert path[-1] in node, f"mutation target {service}.{'.'.join(path)} not found"
        del node[path[-1]]
        return yaml.safe_dump(doc, sort_keys=False)

    return mutate


def _drop_line_above(variable: str) -> Callable[[str], str]:
    def mutate(text: str) -> str:
        lines = text.splitlines()
        index = next(i for i, line in enumerate(lines) if line.startswith(variable + "="))
        assert lines[index - 2].startswith("# SV:")
        del lines[index - 2]
        return "\n".join(lines) + "\n"

    return mutate


# (file attribute, mutation, check that must notice it)
BROKEN = {
    "literal password": ("compose_text", _replace(
        "POSTGRES_PASSWORD: ${AIRFLOW_DB_PASSWORD:?set AIRFLOW_DB_PASSWORD in .env (see .env.example)}",
        "POSTGRES_PASSWORD: hunter2"), "secrets"),
    "password default in a URL": ("compose_text", _replace(
        "${REDIS_PASSWORD:?set REDIS_PASSWORD in .env (see .env.example)}@redis",
        "${REDIS_PASSWORD:-airflow}@redis"), "secrets"),
    "pseudonym key for every service": ("compose_text", _replace(
        "    BOKSLUT_LANDING_DIR: /opt/airflow/landing",
        "    BOKSLUT_PSEUDONYM_KEY: ${BOKSLUT_PSEUDONYM_KEY:?x}\n    BOKSLUT_LANDING_DIR: /opt/airflow/landing"),
        "secrets"),
    "placeholder pasted into compose": ("compose_text", _replace(
        "AIRFLOW__API__BASE_URL: ${AIRFLOW_BASE_URL:-http://localhost:8080}",
        "AIRFLOW__API__BASE_URL: change-me-jwt-secret"), "secrets"),
    "LocalExecutor": ("compose_text", _replace(
        "AIRFLOW__CORE__EXECUTOR: CeleryExecutor", "AIRFLOW__CORE__EXECUTOR: LocalExecutor"), "airflow_env"),
    "metadata DB on the warehouse": ("compose_text", _replace("@postgres:5432/", "@warehouse-db:5432/", 2),
                                     "airflow_env"),
    "broker on another host": ("compose_text", _replace("@redis:6379/0", "@broker:6379/0"), "airflow_env"),
    "worker runs flower": ("compose_text", _replace("command: celery worker", "command: celery flower"), "worker"),
    "scheduler not merging the anchor": ("compose_text", _replace(
        "  airflow-scheduler:\n    <<: *airflow-common\n",
        "  airflow-scheduler:\n    image: apache/airflow:3.3.2\n"), "common_anchor"),
    "warehouse URL on the metadata DB": ("env_example_text", _replace(
        "BOKSLUT_WAREHOUSE_DB_HOST=warehouse-db", "BOKSLUT_WAREHOUSE_DB_HOST=postgres"), "warehouse"),
    "warehouse URL with psycopg2": ("compose_text", _replace(
        "BOKSLUT_WAREHOUSE_URL: postgresql+psycopg://", "BOKSLUT_WAREHOUSE_URL: postgresql://"), "warehouse"),
    "warehouse without its service": ("compose_text", _replace("  warehouse-db:\n", "  warehouse-db-old:\n"),
                                      "services"),
    "archive not mounted": ("compose_text", _replace(":/opt/airflow/archive\n", ":/opt/airflow/archive-old\n"),
                            "data_mounts"),
    "outbox setting off the mount": ("compose_text", _replace(
        "BOKSLUT_OUTBOX_DIR: /opt/airflow/out", "BOKSLUT_OUTBOX_DIR: /tmp/out"), "data_mounts"),
    "undocumented variable": ("compose_text", _replace(
        "${BOKSLUT_CHUNK_ROWS:-200000}", "${BOKSLUT_ROWS_PER_CHUNK:-200000}"), "variables_documented"),
    "required secret missing from .env.example": ("env_example_text", _replace(
        "REDIS_PASSWORD=change-me-redis-password", "REDIS_PASSWORD="), "variables_documented"),
    "variable without Swedish comment": ("env_example_text", _drop_line_above("REDIS_PASSWORD"),
                                         "variables_documented"),
    "warehouse without healthcheck": ("compose_text", _drop("warehouse-db", "healthcheck"), "healthchecks"),
    "scheduler health server off": ("compose_text", _replace(
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK: 'true'", "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK: 'false'"),
        "healthchecks"),
    "scheduler not waiting for init": ("compose_text", _drop("airflow-scheduler", "depends_on", "airflow-init"),
                                       "startup_order"),
    "worker not waiting for the metadata DB": ("compose_text", _drop("airflow-worker", "depends_on", "postgres"),
                                               "startup_order"),
    "base image of another Airflow": ("dockerfile_text", _replace(
        "FROM apache/airflow:3.3.2-python3.11", "FROM apache/airflow:3.3.1-python3.11"), "dockerfile_base"),
    "base image of another Python": ("dockerfile_text", _replace(
        "FROM apache/airflow:3.3.2-python3.11", "FROM apache/airflow:3.3.2-python3.12"), "dockerfile_base"),
    "Airflow pin moved": ("pyproject_text", _replace(
        '"apache-airflow[postgres]==3.3.2"', '"apache-airflow[postgres]==3.3.3"'), "dockerfile_base"),
    "install without constraints": ("dockerfile_text", _replace(
        "pip install --no-cache-dir --constraint constraints.txt .", "pip install --no-cache-dir ."),
        "dockerfile_install"),
    "install as root": ("dockerfile_text", _replace("USER airflow\n", "USER root\n"), "dockerfile_install"),
    "constraints not copied": ("dockerfile_text", _replace(
        "COPY --chown=airflow:0 pyproject.toml README.md constraints.txt ./",
        "COPY --chown=airflow:0 pyproject.toml README.md ./"), "dockerfile_install"),
    "expectations not shipped": ("dockerfile_text", _replace(
        "COPY --chown=airflow:0 expectations/ expectations/\n", ""), "dockerfile_layout"),
    "dags folder elsewhere": ("dockerfile_text", _replace(
        "AIRFLOW__CORE__DAGS_FOLDER=/opt/bokslut/dags", "AIRFLOW__CORE__DAGS_FOLDER=/opt/airflow/dags"),
        "dockerfile_layout"),
    ".env in the build context": ("dockerignore_text", _replace("\n.env\n", "\n"), "dockerignore"),
    "manual inputs not mounted": ("compose_text", _replace(
        ":/opt/bokslut/include/manual:ro\n", ":/opt/bokslut/include/manual-old:ro\n"), "data_mounts"),
    "reference data mounted writable": ("compose_text", _replace(
        ":/opt/bokslut/include/reference:ro\n", ":/opt/bokslut/include/reference\n"), "data_mounts"),
    "reference setting off the mount": ("compose_text", _replace(
        "BOKSLUT_REFERENCE_DIR: /opt/bokslut/include/reference", "BOKSLUT_REFERENCE_DIR: /tmp/reference"),
        "data_mounts"),
    "code folder mounted": ("compose_text", _replace(
        ":/opt/bokslut/include/manual:ro\n", ":/opt/bokslut/include/manual:ro\n    - ./dags:/opt/bokslut/dags:ro\n"),
        "data_mounts"),
    "reference data baked into the image": ("dockerignore_text", _replace("\ninclude/reference\n", "\n"),
                                            "editable_data_not_baked"),
    "visibility timeout unset": ("compose_text", _replace(
        "    AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT: '21600'\n", ""), "visibility_timeout"),
    "visibility timeout of one hour": ("compose_text", _replace(
        "VISIBILITY_TIMEOUT: '21600'", "VISIBILITY_TIMEOUT: '3600'"), "visibility_timeout"),
    "top-level name": ("compose_text", _replace("---\n", "---\nname: bokslut\n"), "compose_v1_compatible"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_checks_catch_broken_deployments(case: str) -> None:
    attribute, mutate, check = BROKEN[case]
    original = Deployment.from_repo()
    broken = Deployment.from_repo(**{attribute: mutate(getattr(original, attribute))})
    assert CHECKS[check](original) == []
    assert CHECKS[check](broken) != [], f"{check} did not notice: {case}"


def test_interpolation_follows_compose_rules() -> None:
    env = {"SET": "x", "EMPTY": ""}
    assert interpolate("a${SET}b$SET", env) == "axbx"
    assert interpolate("${EMPTY:-d} ${EMPTY-d} ${UNSET-d}", env) == "d  d"
    assert interpolate("${UNSET:-${SET}}", env) == "x"
    assert interpolate("$${NOT_A_REF} $$HOME", env) == "${NOT_A_REF} $HOME"
    assert interpolate("${SET:+alt}${UNSET:+alt}", env) == "alt"
    with pytest.raises(MissingRequired):
        interpolate("${EMPTY:?must be set}", env)
    with pytest.raises(MissingRequired):
        interpolate("${UNSET?must be set}", env)
    assert [r.name for r in all_refs("${A:-${B}} $$C $D")] == ["A", "D", "B"]


def test_compose_refuses_to_start_without_each_required_secret(deployment: Deployment) -> None:
    example = deployment.env_variants[".env.example"]
    secrets = [n for n in example if SECRET_VARIABLE.search(n)]
    assert secrets, "no secret variables found in .env.example"
    for name in secrets:
        env = {k: v for k, v in example.items() if k != name}
        with pytest.raises(MissingRequired):
            for s in strings(deployment.compose):
                interpolate(s, env)


# --------------------------------------------------------------------------------------------------
# The real Compose implementations (v2 and v1) validate the file: `config -q`, no engine needed.
# scripts/install_compose_validators.sh provides both; .ci/run sets BOKSLUT_COMPOSE_VALIDATORS_REQUIRED=1
# so that a missing one fails there instead of being skipped.
# --------------------------------------------------------------------------------------------------


def compose_command(version: str) -> list[str] | None:
    """How to run Compose ``version`` ("v2" or "v1") here, or None when it is not installed."""
    import shutil
    import subprocess

    def answers(argv: list[str], banner: str) -> bool:
        try:
            out = subprocess.run(argv + ["version"], capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            return False
        return out.returncode == 0 and banner in out.stdout

    if version == "v2":
        candidates = [["docker", "compose"], [str(ROOT / ".venv" / "bin" / "docker-compose-v2")]]
        banner = "version v2."
    else:
        candidates = [["docker-compose"]]
        banner = "version 1."
    for argv in candidates:
        if shutil.which(argv[0]) and answers(argv, banner):
            return argv
    return None


def _compose_config(argv: list[str], folder: Path, compose_text: str, env_text: str):  # noqa: ANN202
    import os
    import subprocess

    (folder / "docker-compose.yaml").write_text(compose_text, encoding="utf-8")
    (folder / ".env").write_text(env_text, encoding="utf-8")
    clean = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    return subprocess.run(argv + ["--project-directory", str(folder), "-f", str(folder / "docker-compose.yaml"),
                                  "--env-file", str(folder / ".env"), "config", "-q"],
                          cwd=folder, env=clean, capture_output=True, text=True, timeout=120)


@pytest.fixture(params=["v2", "v1"])
def compose(request) -> list[str]:
    import os

    argv = compose_command(request.param)
    if argv is None:
        message = (f"Docker Compose {request.param} is not installed (scripts/install_compose_validators.sh "
                   f"provides it)")
        if os.environ.get("BOKSLUT_COMPOSE_VALIDATORS_REQUIRED") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return argv


def test_compose_validates_the_file(compose: list[str], deployment: Deployment, tmp_path: Path) -> None:
    result = _compose_config(compose, tmp_path, deployment.compose_text, deployment.env_example_text)
    assert result.returncode == 0, result.stderr + result.stdout


def test_compose_rejects_a_misspelt_key(compose: list[str], deployment: Deployment, tmp_path: Path) -> None:
    broken = deployment.compose_text.replace("    healthcheck:\n", "    healthchek:\n", 1)
    assert broken != deployment.compose_text
    result = _compose_config(compose, tmp_path, broken, deployment.env_example_text)
    assert result.returncode != 0 and "healthchek" in result.stderr + result.stdout


def test_compose_refuses_a_missing_secret(compose: list[str], deployment: Deployment, tmp_path: Path) -> None:
    env = "\n".join(line for line in deployment.env_example_text.splitlines() if not line.startswith("REDIS_PASSWORD="))
    result = _compose_config(compose, tmp_path, deployment.compose_text, env + "\n")
    assert result.returncode != 0 and "REDIS_PASSWORD" in result.stderr + result.stdout
