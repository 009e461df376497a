from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_default_kinds(**kwargs: Any) -> None:
    """Create the starting kinds of commissioners and activities that are missing (never changes or
    re-enables existing ones: the bureau edits them on the 类别设置 page)."""
    from kejiju.outreach.choices import DEFAULT_KINDS
    from kejiju.outreach.models import OutreachKind

    using = kwargs.get("using", "default")
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
        from kejiju.outreach import actions, indicators, registrations  # noqa: F401  (codes, figures, roles, menus)

        # the starting code table, like the role groups: after every migrate (also with --nomigrations)
        post_migrate.connect(ensure_default_kinds, sender=self, dispatch_uid="outreach_default_kinds")
