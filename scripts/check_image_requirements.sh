#!/usr/bin/env bash
# Issue 9, item 7: the image's requirement set resolves and passes `pip check`, proven without a
# Docker engine or an image registry (neither exists here). Run by .ci/run (`make image-check`).
#
# Installs exactly what the Dockerfile installs, the way it installs it, into a scratch Python 3.11
# venv: `pip install --constraint constraints.txt .` of a copy of pyproject.toml, README.md,
# constraints.txt and plugins/ (non-editable, as in the image; it brings the Celery and FAB
# providers, both pinned in pyproject.toml), then the Dockerfile's own check: `pip check`, and the
# imports the image's services need (CeleryExecutor, FAB auth manager, the OpenLineage provider
# and its file transport, the bokslut CLI).
#
# What this does NOT prove (docs/deployment.md, "What the image check proves"): the base image
# apache/airflow:3.3.2-python3.11 preinstalls Airflow with ~30 further providers at the versions of
# Airflow's own constraints file, which cannot be fetched here. A package of ours whose pin differs
# from the base image's is re-installed at our pin, and a preinstalled provider that needs another
# version would fail `pip check` only in the real build.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-python3.11}
scratch=$(mktemp -d "${TMPDIR:-/tmp}/bokslut-image-check.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

echo "==> image requirement set: pyproject.toml + constraints.txt of $root, in a scratch venv ($scratch)"
mkdir -p "$scratch/src"
cp "$root/pyproject.toml" "$root/README.md" "$root/constraints.txt" "$scratch/src/"
cp -r "$root/plugins" "$scratch/src/plugins"
"$python" -m venv "$scratch/venv"
pip=("$scratch/venv/bin/python" -m pip --disable-pip-version-check)
"${pip[@]}" install --quiet --upgrade pip
start=$(date +%s)
(cd "$scratch/src" && "${pip[@]}" install --quiet --constraint constraints.txt .)
echo "==> installed $("${pip[@]}" list --format=freeze | wc -l) packages in $(( $(date +%s) - start )) s"

echo "==> pip check"
"${pip[@]}" check

echo "==> every installed package is pinned by constraints.txt (the freeze is complete)"
"$scratch/venv/bin/python" - "$root/constraints.txt" <<'EOF'
import re, subprocess, sys
norm = lambda n: re.sub(r"[-_.]+", "-", n).lower()
pins = {norm(l.split("==")[0]): l.split("==")[1] for l in open(sys.argv[1]).read().split() if "==" in l}
frozen = subprocess.run([sys.executable, "-m", "pip", "list", "--format=freeze"], check=True,
                        capture_output=True, text=True).stdout.split()
problems = []
for line in frozen:
    name, version = line.split("==")
    if norm(name) in {"pip", "setuptools", "wheel", "bokslut"}:
        continue
    if norm(name) not in pins:
        problems.append(f"{name}=={version} is installed but not pinned in constraints.txt")
    elif pins[norm(name)] != version:
        problems.append(f"{name}: installed {version}, constraints.txt pins {pins[norm(name)]}")
print("\n".join(problems) or "all pinned")
sys.exit(1 if problems else 0)
EOF

echo "==> the image's services import"
home=$scratch/airflow_home
mkdir -p "$home"
AIRFLOW_HOME=$home AIRFLOW__CORE__LOAD_EXAMPLES=False \
AIRFLOW__CORE__AUTH_MANAGER=airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager \
AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT=21600 \
"$scratch/venv/bin/python" -c "
import airflow.providers.celery.executors.celery_executor
import airflow.providers.fab.auth_manager.fab_auth_manager
import airflow.providers.openlineage.plugins.openlineage
import openlineage.client.transport.file
import bokslut.cli
print('CeleryExecutor, FabAuthManager, the OpenLineage provider (file transport) and bokslut.cli import')
"
echo "==> image requirement check passed"
