from django.apps import AppConfig
from django.db.models.signals import post_migrate


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
