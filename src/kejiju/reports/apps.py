from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "kejiju.reports"
    label = "reports"
    verbose_name = "公文与报告"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kejiju.reports import registrations  # noqa: F401  (action codes, role grants, menu, history pages)
