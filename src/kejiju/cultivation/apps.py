from django.apps import AppConfig


def ensure_default_policies(using: str) -> None:
    """Create the shipped subsidy policies (with their first version) whose code is missing; a policy a
    bureau already has — edited, deactivated or with later versions — is left as it is."""
    from datetime import date

    from kejiju.cultivation.choices import DEFAULT_POLICIES
    from kejiju.cultivation.models import SubsidyPolicy, SubsidyPolicyVersion
    from kejiju.engines import subsidy

    for code, name, kind, params, since in DEFAULT_POLICIES:
        if SubsidyPolicy.objects.using(using).filter(code=code).exists():
            continue
        policy = SubsidyPolicy.objects.using(using).create(code=code, name=name)
        SubsidyPolicyVersion.objects.using(using).create(
            policy=policy,
            effective_from=date.fromisoformat(since),
            kind=kind,
            params=subsidy.validate_params(kind, params),
        )


class CultivationConfig(AppConfig):
    name = "kejiju.cultivation"
    label = "cultivation"
    verbose_name = "企业培育"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kejiju.core.defaults import on_migrated
        from kejiju.cultivation import actions, indicators, registrations  # noqa: F401

        on_migrated(self, ensure_default_policies)
