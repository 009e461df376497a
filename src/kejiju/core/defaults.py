"""Starting data that must exist after every ``migrate`` (infrastructure, like the role groups).

An app registers a function with :func:`on_migrated`; it runs from ``post_migrate`` once the app's
own migrations are all applied (never after a partial or backward migration), and also when the
tables were built straight from the models (``--no-migrations`` in the test suite, where data
migrations do not run). Functions only create what is missing: they never change or re-enable what a
bureau has edited. ``flush`` empties the tables and sends ``post_migrate`` again, so the starting data
comes back then too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def app_migrated(app_label: str, using: str) -> bool:
    """True when every migration of ``app_label`` is applied, or when migrations are disabled."""
    from django.db import connections
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connections[using], ignore_no_migrations=True)
    nodes = {node for node in loader.graph.nodes if node[0] == app_label}
    return not nodes or nodes <= set(loader.applied_migrations)


def on_migrated(app_config: AppConfig, ensure: Callable[[str], None]) -> None:
    """Call ``ensure(using)`` after each ``migrate`` that leaves ``app_config`` fully migrated."""

    def handler(sender: Any, using: str = "default", **kwargs: Any) -> None:
        if app_migrated(app_config.label, using):
            ensure(using)

    post_migrate.connect(handler, sender=app_config, weak=False, dispatch_uid="kejiju_defaults_%s" % app_config.label)
