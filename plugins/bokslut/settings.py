"""One place for every setting, with explicit defaults (override through the environment).

Credentials never live here: the warehouse URL, SMTP and Slack come from the environment or
from Airflow connections; ``.env.example`` lists them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from bokslut.problems import EnvironmentProblem

# The source checkout (dags/, include/, expectations/); an image that installs the package
# elsewhere sets BOKSLUT_PROJECT_ROOT.
PROJECT_ROOT = Path(os.environ.get("BOKSLUT_PROJECT_ROOT", Path(__file__).resolve().parents[2]))
INCLUDE_DIR = PROJECT_ROOT / "include"
SQL_DIR = INCLUDE_DIR / "sql"
MAPPINGS_DIR = INCLUDE_DIR / "mappings"
REFERENCE_DIR = INCLUDE_DIR / "reference"
LAYOUTS_DIR = INCLUDE_DIR / "layouts"
TEMPLATES_DIR = INCLUDE_DIR / "templates"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"


def reference_dir() -> Path:
    """The user-editable reference data: ``BOKSLUT_REFERENCE_DIR`` (a mounted folder in
    production, docs/deployment.md), else the shipped ``include/reference``."""
    return Path(os.environ.get("BOKSLUT_REFERENCE_DIR") or REFERENCE_DIR)


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    warehouse_url: str
    landing_dir: Path
    archive_dir: Path
    outbox_dir: Path
    chunk_rows: int
    # Worker processes staging the files of one run side by side (1: one after another).
    stage_workers: int = field(default_factory=lambda: default_stage_workers())

    @classmethod
    def from_env(cls) -> "Settings":
        data_dir = Path(os.environ.get("BOKSLUT_DATA_DIR", PROJECT_ROOT / "data"))
        return cls(
            data_dir=data_dir,
            warehouse_url=os.environ.get(
                "BOKSLUT_WAREHOUSE_URL", f"sqlite:///{data_dir / 'warehouse.sqlite'}"
            ),
            landing_dir=Path(os.environ.get("BOKSLUT_LANDING_DIR", data_dir / "landing")),
            archive_dir=Path(os.environ.get("BOKSLUT_ARCHIVE_DIR", data_dir / "archive")),
            outbox_dir=Path(os.environ.get("BOKSLUT_OUTBOX_DIR", PROJECT_ROOT / "out")),
            chunk_rows=_positive_int("BOKSLUT_CHUNK_ROWS", 200_000),
            stage_workers=_positive_int("BOKSLUT_STAGE_WORKERS", default_stage_workers()),
        )


def default_stage_workers() -> int:
    """Two staging processes where there are two cores: more would only add write-lock waits and
    memory (a chunk per process), one core gains nothing from a second process."""
    return min(2, os.cpu_count() or 1)


class SettingsError(EnvironmentProblem):
    """A setting in the environment has a value the program cannot use (exit 3, Swedish message)."""


def _positive_int(name: str, default: int) -> int:
    text = os.environ.get(name, "").strip().replace("_", "").replace(" ", "")
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise SettingsError(
            f"Inställningen {name} måste vara ett positivt heltal (t.ex. {default}), inte {os.environ[name]!r}; "
            f"rätta eller ta bort miljövariabeln."
        )
    return int(text)


def get_settings() -> Settings:
    return Settings.from_env()
