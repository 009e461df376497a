"""Fixtures of the programmes and projects tests."""

from __future__ import annotations

from typing import Any

import pytest

from kejiju.programs.tests.factories import World, world


@pytest.fixture(autouse=True)
def _no_libreoffice(monkeypatch: pytest.MonkeyPatch) -> None:
    """Documents are typeset as .docx only (fast); the PDF path is the reports app's to test."""
    monkeypatch.setattr("kejiju.reports.services.find_soffice", lambda: None)


@pytest.fixture
def w(db: Any) -> World:
    return world()
