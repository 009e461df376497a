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


class ServiceConfig(AppConfig):
    name = "kejiju.service"
    label = "service"
    verbose_name = "科技服务热线"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kejiju.core.defaults import on_migrated
        from kejiju.service import actions, indicators, registrations  # noqa: F401

        on_migrated(self, ensure_defaults)
