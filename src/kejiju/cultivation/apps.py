from django.apps import AppConfig


class CultivationConfig(AppConfig):
    name = "kejiju.cultivation"
    label = "cultivation"
    verbose_name = "企业培育"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kejiju.cultivation import actions, indicators, registrations  # noqa: F401
