from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "kejiju.people"
    label = "people"
    verbose_name = "人员库"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kejiju.people import actions, registrations  # noqa: F401  (action codes, roles, history pages)
