"""Fixtures shared by every module's tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true", help="also run the tests marked slow (province scale)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="province scale: make bench runs it (pytest --run-slow)")
    for item in items:
        if item.get_closest_marker("slow"):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _files_dir(settings: Any, tmp_path: Any) -> None:
    """Each test stores attachments in its own temporary directory."""
    settings.KEJIJU_FILES_DIR = tmp_path / "files"


@pytest.fixture
def regions(db: Any) -> dict[str, Any]:
    """A small tree: province 34, city 3411, counties 341181 and 341182, a town and a village."""
    from kejiju.core.testing.factories import region

    return {
        "province": region("34", "安徽省"),
        "city": region("3411", "滁州市"),
        "county": region("341181", "天长市"),
        "other_county": region("341182", "明光市"),
        "town": region("341181100", "天长街道"),
        "village": region("341181100001", "测试村"),
    }


@pytest.fixture
def make_user(db: Any) -> Callable[..., Any]:
    """``make_user(role, region_code, **fields)`` → a user with the role's group permissions."""
    from kejiju.core.testing.factories import role_user

    return role_user


@pytest.fixture
def password() -> str:
    from kejiju.core.testing.factories import TEST_PASSWORD

    return TEST_PASSWORD


@pytest.fixture
def keep_connection() -> Any:
    """For tests that call the real WSGI handler (schemathesis): it closes the database connection
    when a request ends, which inside the test's transaction would lose it on PostgreSQL. Django's
    test client disconnects the same handlers."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
