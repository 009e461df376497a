from django.apps import AppConfig


def ensure_default_kinds(using: str) -> None:
    """Create the starting platform kinds and evaluation template that are missing."""
    from kejiju.platforms.choices import DEFAULT_KINDS, DEFAULT_TEMPLATE_ITEMS, DEFAULT_TEMPLATE_NAME
    from kejiju.platforms.models import IndicatorTemplate, PlatformKind

    for order, (code, name) in enumerate(DEFAULT_KINDS, start=1):
        PlatformKind.objects.using(using).get_or_create(code=code, defaults={"name": name, "order": order * 10})
    IndicatorTemplate.objects.using(using).get_or_create(
        name=DEFAULT_TEMPLATE_NAME, defaults={"items": [dict(item) for item in DEFAULT_TEMPLATE_ITEMS]}
    )


class PlatformsConfig(AppConfig):
    name = "kejiju.platforms"
    label = "platforms"
    verbose_name = "创新平台"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kejiju.core.defaults import on_migrated
        from kejiju.platforms import actions, indicators, registrations  # noqa: F401

        on_migrated(self, ensure_default_kinds)
