from django.apps import AppConfig


class PlatformsConfig(AppConfig):
    name = "kejiju.platforms"
    label = "platforms"
    verbose_name = "创新平台"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kejiju.platforms import actions, indicators, registrations  # noqa: F401
