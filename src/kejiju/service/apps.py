from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "kejiju.service"
    label = "service"
    verbose_name = "科技服务热线"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kejiju.service import actions, indicators, registrations  # noqa: F401
