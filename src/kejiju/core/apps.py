from django.apps import AppConfig
from django.db.models.signals import post_migrate


def load_code_tables(using: str) -> None:
    """Fill the national code tables from the shipped JSON when one of them is empty."""
    from django.db import DEFAULT_DB_ALIAS

    if using != DEFAULT_DB_ALIAS:
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
        from kejiju.core.defaults import on_migrated
        from kejiju.core.roles import sync_roles

        # Groups follow the granted permissions after every migrate, the way Django creates
        # permissions themselves (infrastructure, not domain logic).
        post_migrate.connect(sync_roles, dispatch_uid="kejiju_sync_roles")
        # The shipped code tables are loaded once the core tables exist.
        on_migrated(self, load_code_tables)
