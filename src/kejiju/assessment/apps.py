from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "kejiju.assessment"
    label = "assessment"
    verbose_name = "目标责任制考核"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kejiju.assessment import actions, registrations  # noqa: F401  (action codes, roles, menus)
