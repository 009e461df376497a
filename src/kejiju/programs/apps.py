from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "kejiju.programs"
    label = "programs"
    verbose_name = "科技计划与项目"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kejiju.programs import actions, indicators, registrations  # noqa: F401
