from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "kejiju.orgs"
    label = "orgs"
    verbose_name = "主体库"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kejiju.orgs import actions, importers, registrations  # noqa: F401  (action codes, import, roles, menus)
