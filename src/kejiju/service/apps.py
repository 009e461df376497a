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
    and the month a corrected intake time left (noted by :func:`_request_moving`), after the request row
    was written: in the same transaction, or — for a save outside one — after the write committed, so a
    rebuild can never sum the old row and leave the month clean. Writers thus lock the request row first
    and the month's row second (as the sweep does), which keeps them from deadlocking."""
    from kejiju.service.services import stats_mark_dirty

    moments = [instance.received_at] if instance.received_at is not None else []
    left = instance.__dict__.pop("_stats_left_received_at", None)
    if left is not None:
        moments.append(left)
    stats_mark_dirty(moments)


def _request_moving(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    """``received_at`` is set at intake; should a save move it, the month it leaves is marked dirty too
    (by :func:`_request_changed`, once the row is written)."""
    instance.__dict__.pop("_stats_left_received_at", None)
    if (
        instance.pk is None
        or instance._state.adding
        or (update_fields is not None and "received_at" not in update_fields)
    ):
        return
    before = sender.objects.filter(pk=instance.pk).values_list("received_at", flat=True).first()
    if before is not None and before != instance.received_at:
        instance.__dict__["_stats_left_received_at"] = before


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
