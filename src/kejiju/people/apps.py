from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "kejiju.people"
    label = "people"
    verbose_name = "人员库"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # action codes, import, roles, menus, history pages, review source, indicators
        from kejiju.people import actions, importers, indicators, registrations  # noqa: F401
