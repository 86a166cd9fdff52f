"""Generated sets shared by the generator tests (each generated once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bokslut.generator import GeneratedSet, generate
from tests.generator.aggregate import Extract


@pytest.fixture(scope="session")
def set_2024(tmp_path_factory) -> GeneratedSet:
    return generate(2024, tmp_path_factory.mktemp("gen2024"))


@pytest.fixture(scope="session")
def set_2020(tmp_path_factory) -> GeneratedSet:
    return generate(2020, tmp_path_factory.mktemp("gen2020"))


@pytest.fixture(scope="session")
def x2024(set_2024) -> Extract:
    return Extract(_root(set_2024), 2024)


@pytest.fixture(scope="session")
def x2020(set_2020) -> Extract:
    return Extract(_root(set_2020), 2020)


@pytest.fixture(scope="session")
def x2024_scaled(tmp_path_factory) -> Extract:
    out = tmp_path_factory.mktemp("gen2024_200k")
    generated = generate(2024, out, rows=200_000)
    extract = Extract(out, 2024)
    extract.generated = generated
    return extract


@pytest.fixture(params=[2024, 2020])
def extract(request) -> Extract:
    """Both years, for the rules that hold in any year."""
    return request.getfixturevalue(f"x{request.param}")


def _root(generated: GeneratedSet) -> Path:
    return generated.files["ledger"][0].parent.parent
