from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def load_code_tables(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """Fill the national code tables from the shipped JSON when one of them is empty, right after
    ``migrate`` (infrastructure like ``sync_roles``, not domain logic). Skipped until every core
    migration is applied, so a partial or backward migration never touches the tables."""
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.loader import MigrationLoader

    if using != DEFAULT_DB_ALIAS:
        return
    connection = connections[using]
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    core_nodes = {node for node in loader.graph.nodes if node[0] == "core"}
    if not core_nodes or not core_nodes <= set(loader.applied_migrations):
        return
    from kejiju.core.models import CodeItem
    from kejiju.core.services.codes import CODE_FILES, codes_load

    if any(not CodeItem.objects.filter(kind=kind).exists() for kind in CODE_FILES):
        # one call, one operation-log row: only missing entries are created
        codes_load(actor=None)


class CoreConfig(AppConfig):
    name = "kejiju.core"
    label = "core"
    verbose_name = "平台基础"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kejiju.core import actions, checks  # noqa: F401  (register action codes and checks)
        from kejiju.core.roles import sync_roles

        # Groups follow the granted permissions after every migrate, the way Django creates
        # permissions themselves (infrastructure, not domain logic).
        post_migrate.connect(sync_roles, dispatch_uid="kejiju_sync_roles")
        # The shipped code tables are loaded once the core tables exist (sender: this app only).
        post_migrate.connect(load_code_tables, sender=self, dispatch_uid="kejiju_load_code_tables")
