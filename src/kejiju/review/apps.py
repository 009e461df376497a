from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "kejiju.review"
    label = "review"
    verbose_name = "专家评审"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kejiju.review import actions, importers, indicators, registrations  # noqa: F401
