"""Fixtures of the official-document tests."""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest

from kejiju.engines.gbt9704 import sample_document
from kejiju.engines.gbt9704.jsonio import to_dict

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_tools(*names: str) -> dict[str, str]:
    """The named programs (``soffice`` means soffice or libreoffice), or skip naming what is missing —
    except under CI=true, where a missing tool fails the test so a broken CI image cannot pass."""
    found = {
        name: (shutil.which("soffice") or shutil.which("libreoffice")) if name == "soffice" else shutil.which(name)
        for name in names
    }
    missing = [name for name, path in found.items() if path is None]
    if missing:
        reason = "missing %s (apt-get install libreoffice-writer-nogui poppler-utils)" % ", ".join(missing)
        if IN_CI:
            pytest.fail(f"{reason} — CI=true, so the PDF tests must run, not skip.", pytrace=False)
        pytest.skip(reason)
    return {name: path for name, path in found.items() if path}


def sample_payload(**changes: Any) -> dict[str, Any]:
    """The engine's sample 通知 in its JSON form, with ``changes``."""
    data = to_dict(sample_document())
    data.update(changes)
    return data


@pytest.fixture
def no_libreoffice(monkeypatch: pytest.MonkeyPatch) -> None:
    """Generation without PDF (fast): the services see no LibreOffice."""
    monkeypatch.setattr("kejiju.reports.services.find_soffice", lambda: None)


@pytest.fixture
def staff(regions: Any, make_user: Any) -> Any:
    return make_user("bureau_staff", "341181", full_name="王晓明")


@pytest.fixture
def leader(regions: Any, make_user: Any) -> Any:
    return make_user("bureau_leader", "341181")


@pytest.fixture
def other_staff(regions: Any, make_user: Any) -> Any:
    return make_user("bureau_staff", "341182")
