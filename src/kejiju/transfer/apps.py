from django.apps import AppConfig


class TransferConfig(AppConfig):
    name = "kejiju.transfer"
    label = "transfer"
    verbose_name = "成果转化"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kejiju.transfer import actions, indicators, registrations  # noqa: F401  (codes, indicators, roles, menus)
