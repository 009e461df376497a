from django.apps import AppConfig


class AwardsConfig(AppConfig):
    name = "kejiju.awards"
    label = "awards"
    verbose_name = "科技奖励"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kejiju.awards import actions, indicators, registrations  # noqa: F401  (codes, roles, menus, figures)
