"""Every service test starts with the default subjects and categories and the full-text table (created by
the migration; recreated here when the test database was built without migrations)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _service_defaults(request: Any) -> None:
    if "django_db_setup" not in request.fixturenames and not request.node.get_closest_marker("django_db"):
        return
    from django.db import connection

    from kejiju.service import textsearch
    from kejiju.service.services import ensure_defaults

    class _Editor:
        """Enough of a schema editor for ``create_schema`` inside the test's transaction."""

        def __init__(self) -> None:
            self.connection = connection

        def execute(self, sql: str) -> None:
            with connection.cursor() as cur:
                cur.execute(sql)

    textsearch.create_schema(_Editor())
    ensure_defaults()
