from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "kejiju.orgs"
    label = "orgs"
    verbose_name = "主体库"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kejiju.orgs import actions, importers, indicators, registrations  # noqa: F401  (codes, import, figures, menus)
