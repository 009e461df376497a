from django.apps import AppConfig


def ensure_default_categories(using: str) -> None:
    """Create the starting talent categories that are missing (existing ones are left as edited)."""
    from kejiju.people.choices import DEFAULT_CATEGORIES
    from kejiju.people.models import TalentCategory

    for order, (code, name, description) in enumerate(DEFAULT_CATEGORIES, start=1):
        TalentCategory.objects.using(using).get_or_create(
            code=code, defaults={"name": name, "description": description, "order": order * 10}
        )


class PeopleConfig(AppConfig):
    name = "kejiju.people"
    label = "people"
    verbose_name = "人员库"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # action codes, import, roles, menus, history pages, review source, indicators
        from kejiju.core.defaults import on_migrated
        from kejiju.people import actions, importers, indicators, registrations  # noqa: F401

        on_migrated(self, ensure_default_categories)
