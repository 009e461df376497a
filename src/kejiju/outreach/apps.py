from django.apps import AppConfig


def ensure_default_kinds(using: str) -> None:
    """Create the starting kinds of commissioners and activities that are missing (never changes or
    re-enables existing ones: the bureau edits them on the 类别设置 page)."""
    from kejiju.outreach.choices import DEFAULT_KINDS
    from kejiju.outreach.models import OutreachKind

    for sort, (group, code, name, is_training) in enumerate(DEFAULT_KINDS, start=1):
        OutreachKind.objects.using(using).get_or_create(
            group=group, code=code, defaults={"name": name, "is_training": is_training, "sort": sort * 10}
        )


class OutreachConfig(AppConfig):
    name = "kejiju.outreach"
    label = "outreach"
    verbose_name = "科技特派员与科普培训"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kejiju.core.defaults import on_migrated
        from kejiju.outreach import actions, indicators, registrations  # noqa: F401  (codes, figures, roles, menus)

        # the starting code table, like the role groups: after every migrate (also with --no-migrations)
        on_migrated(self, ensure_default_kinds)
