from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "kejiju.stats"
    label = "stats"
    verbose_name = "统计与报表"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kejiju.stats import actions, demo, registrations  # noqa: F401
