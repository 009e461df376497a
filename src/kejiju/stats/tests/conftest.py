"""Fixtures of the statistics tests: test-only indicators over the orgs records."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kejiju.stats.tests.factories import register_test_indicators, unregister


@pytest.fixture
def test_indicators(db: Any) -> Iterator[list[str]]:
    """Only the test indicators are registered during the test (other apps' indicators are set aside)."""
    from kejiju.core import indicators
    from kejiju.stats.services import catalogue_sync

    saved = dict(indicators._registry)
    indicators._registry.clear()
    codes = register_test_indicators()
    catalogue_sync()
    yield codes
    unregister(codes)
    indicators._registry.update(saved)


@pytest.fixture
def staff(regions: dict[str, Any], make_user: Any) -> Any:
    return make_user("bureau_staff", "341181")


@pytest.fixture
def city_staff(regions: dict[str, Any], make_user: Any) -> Any:
    return make_user("bureau_staff", "3411")
