from typing import Any

from django.apps import AppConfig


def ensure_defaults(using: str) -> None:
    """The knowledge base's full-text table (idempotent SQL) and the starting subjects and problem
    categories that are missing (existing ones are left as the bureau edited them)."""
    from django.db import connections

    from kejiju.service.choices import DEFAULT_CATEGORIES, DEFAULT_SUBJECTS
    from kejiju.service.models import ProblemCategory, ServiceSubject
    from kejiju.service.textsearch import ensure_schema

    ensure_schema(connections[using])
    for i, (code, name) in enumerate(DEFAULT_SUBJECTS):
        ServiceSubject.objects.using(using).get_or_create(code=code, defaults={"name": name, "order": i})
    for i, (code, name, response, visit, closure) in enumerate(DEFAULT_CATEGORIES):
        ProblemCategory.objects.using(using).get_or_create(
            code=code,
            defaults={
                "name": name,
                "response_hours": response,
                "visit_hours": visit,
                "closure_hours": closure,
                "order": i,
            },
        )


def _request_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Any save or deletion of a request (every service) marks its month of the statistics roll-up dirty,
    in the same transaction."""
    from kejiju.service.services import stats_mark_dirty

    if instance.received_at is not None:
        stats_mark_dirty([instance.received_at])


def _request_moving(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    """``received_at`` is set at intake; should a full save move it, the month it leaves is dirty too."""
    if (
        instance.pk is None
        or instance._state.adding
        or (update_fields is not None and "received_at" not in update_fields)
    ):
        return
    from kejiju.service.services import stats_mark_dirty

    before = sender.objects.filter(pk=instance.pk).values_list("received_at", flat=True).first()
    if before is not None and before != instance.received_at:
        stats_mark_dirty([before])


class ServiceConfig(AppConfig):
    name = "kejiju.service"
    label = "service"
    verbose_name = "科技服务热线"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kejiju.core.defaults import on_migrated
        from kejiju.service import actions, indicators, registrations  # noqa: F401

        on_migrated(self, ensure_defaults)
        from django.db.models.signals import post_delete, post_save, pre_save

        from kejiju.service.models import ServiceRequest

        pre_save.connect(_request_moving, sender=ServiceRequest, dispatch_uid="service-stats-moving")
        post_save.connect(_request_changed, sender=ServiceRequest, dispatch_uid="service-stats-dirty")
        post_delete.connect(_request_changed, sender=ServiceRequest, dispatch_uid="service-stats-dirty-delete")
