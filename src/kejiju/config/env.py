"""Every environment variable kejiju reads, in one place (house rule 14)."""

from __future__ import annotations

import os
from pathlib import Path


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


#: Where the database (SQLite), uploaded files and backups live unless configured otherwise.
#: Kept outside the package and the web root.
DATA_DIR = Path(env_str("KEJIJU_DATA_DIR", str(Path.cwd() / "var"))).resolve()
