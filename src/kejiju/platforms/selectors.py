"""Region-scoped reads of innovation platforms (house rule 2)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from kejiju.core.permissions import prefix_q
from kejiju.platforms.choices import PlatformLevel, PlatformStatus
from kejiju.platforms.models import IndicatorTemplate, Platform, PlatformEvaluation, PlatformKind, PlatformReport


def platform_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Platform]:
    """Platforms within the user's region. Filters: q (name or host), kind (code), level, status,
    region (code prefix), host (organization pk)."""
    filters = filters or {}
    qs = Platform.objects.restrict(user, "platforms.view_platform").select_related("kind", "host", "region")
    qs = qs.filter(is_archived=False)
    if q := str(filters.get("q") or "").replace("\x00", "").strip()[:64]:
        qs = qs.filter(Q(name__contains=q) | Q(host__name__contains=q))
    if kind := str(filters.get("kind") or "").replace("\x00", "").strip()[:40]:
        qs = qs.filter(kind__code=kind)
    if (level := filters.get("level")) in PlatformLevel.values:
        qs = qs.filter(level=level)
    if (status := filters.get("status")) in PlatformStatus.values:
        qs = qs.filter(status=status)
    if (region := str(filters.get("region") or "").strip()).isascii() and region.isdigit() and len(region) <= 12:
        qs = qs.filter(prefix_q("region", region))
    if host := filters.get("host"):
        try:
            host_id = int(host)
        except (TypeError, ValueError):
            host_id = 0
        qs = qs.filter(host_id=host_id) if 0 < host_id < 2**63 else qs.none()
    return qs


def platform_get(*, user: Any, pk: Any) -> Platform:
    try:
        value = int(pk)
    except (TypeError, ValueError):
        raise Http404("平台不存在。") from None
    if not 0 < value < 2**63:
        raise Http404("平台不存在。")
    obj = platform_list(user=user).filter(pk=value).first()
    if obj is None:
        raise Http404("平台不存在。")
    return obj


def platform_reports(*, platform: Platform) -> QuerySet[PlatformReport]:
    return platform.reports.order_by("-year")


def platform_evaluations(*, platform: Platform) -> QuerySet[PlatformEvaluation]:
    return platform.evaluations.select_related("template", "evaluated_by").order_by("-year")


def platform_history(*, platform: Platform) -> QuerySet[Any]:
    return platform.transitions.select_related("actor").order_by("at", "pk")


def platform_kinds(*, active_only: bool = True) -> QuerySet[PlatformKind]:
    qs = PlatformKind.objects.all()
    return qs.filter(is_active=True) if active_only else qs


def indicator_templates(*, active_only: bool = True) -> QuerySet[IndicatorTemplate]:
    qs = IndicatorTemplate.objects.all()
    return qs.filter(is_active=True) if active_only else qs


def platforms_of_user(*, user: Any) -> QuerySet[Platform]:
    """Platforms hosted by organizations the account acts for (they file the yearly report)."""
    from kejiju.orgs.selectors import organizations_of_user

    return Platform.objects.filter(host__in=organizations_of_user(user=user), is_archived=False).select_related(
        "kind", "host"
    )


def platform_counts(*, user: Any, filters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Not revoked platforms by kind and level (the registry's summary table)."""
    qs = platform_list(user=user, filters=filters).exclude(status=PlatformStatus.REVOKED)
    rows: dict[str, dict[str, Any]] = {}
    for row in qs.values("kind__name", "level").annotate(n=Count("pk")):
        rows.setdefault(row["kind__name"], {"kind": row["kind__name"], **{lv: 0 for lv in PlatformLevel.values}})
        rows[row["kind__name"]][row["level"]] = row["n"]
    return sorted(rows.values(), key=lambda r: r["kind"])
