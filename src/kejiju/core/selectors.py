"""Region-scoped reads of the core app (house rule 2)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import Substr
from django.http import Http404

from kejiju.core.models import Attachment, CodeItem, OperationLog, Region, User
from kejiju.core.permissions import active_region_code, can_see, code_column, prefix_q


@dataclass(frozen=True)
class RegionCounter:
    """A kind of record counted per region on the region tree and the home page."""

    key: str
    label: str
    queryset: Callable[[], QuerySet[Any]]
    region_field: str = "region"
    url_name: str = ""


_COUNTERS: list[RegionCounter] = []


def register_region_counter(counter: RegionCounter) -> None:
    """Apps add the records they own to the region tree and home page counts."""
    if all(c.key != counter.key for c in _COUNTERS):
        _COUNTERS.append(counter)


def region_counters() -> list[RegionCounter]:
    return list(_COUNTERS)


register_region_counter(RegionCounter("users", "账号", lambda: User.objects.filter(is_active=True), url_name="core:user_list"))
register_region_counter(RegionCounter("attachments", "附件", lambda: Attachment.objects.filter(is_archived=False)))


def region_get(*, user: Any, code: str) -> Region:
    """A region within the user's active region, else 404."""
    scope = active_region_code(user)
    region = Region.objects.filter(code=code).select_related("parent").first()
    if region is None or scope is None or not region.code.startswith(scope):
        raise Http404("区划不存在。")
    return region


def region_children(*, user: Any, parent: Region | None) -> QuerySet[Region]:
    """The regions directly below ``parent`` (or the user's top regions), within scope."""
    scope = active_region_code(user)
    if scope is None:
        return Region.objects.none()
    qs = Region.objects.filter(parent=parent) if parent else (
        Region.objects.filter(code=scope) if scope else Region.objects.filter(parent__isnull=True))
    return qs.filter(code__startswith=scope).order_by("code")


def region_counts_below(*, nodes: list[Region]) -> dict[str, dict[str, int]]:
    """For each node, how many records of each registered kind lie at or below it.

    One grouped query per kind: records are grouped by the prefix of their region code whose
    length is the nodes' level, so the cost does not grow with the number of nodes."""
    result: dict[str, dict[str, int]] = {n.code: {} for n in nodes}
    by_length: dict[int, list[str]] = {}
    for node in nodes:
        by_length.setdefault(len(node.code), []).append(node.code)
    for counter in _COUNTERS:
        for length, codes in by_length.items():
            prefix = os.path.commonprefix(codes)
            qs = counter.queryset()
            if prefix:
                qs = qs.filter(prefix_q(counter.region_field, prefix))
            rows = (
                qs.annotate(_node=Substr(code_column(counter.region_field), 1, length))
                .values("_node")
                .annotate(n=Count("pk"))
                .filter(_node__in=codes)
            )
            for row in rows:
                result[row["_node"]][counter.key] = row["n"]
    return result


def region_search(*, user: Any, q: str, limit: int = 20) -> QuerySet[Region]:
    scope = active_region_code(user)
    if scope is None:
        return Region.objects.none()
    qs = Region.objects.filter(code__startswith=scope)
    if q:
        qs = qs.filter(code__startswith=q) if q.isdigit() else qs.filter(name__contains=q)
    return qs.order_by("code")[:limit]


def switchable_regions(*, user: Any) -> QuerySet[Region]:
    """Regions a user above county level may switch to: their own region and the cities and
    counties below it."""
    from kejiju.core.permissions import account_region_code

    own = account_region_code(user)
    if own is None or len(own) >= 6:
        return Region.objects.none()
    qs = Region.objects.filter(level__lte=6, is_active=True)
    if own:
        qs = qs.filter(code__startswith=own)
    return qs.order_by("code")


def user_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[User]:
    qs = User.objects.restrict(user, "core.view_user").select_related("region", "department")
    filters = filters or {}
    if q := filters.get("q"):
        from django.db.models import Q

        qs = qs.filter(Q(username__icontains=q) | Q(full_name__icontains=q) | Q(phone__contains=q))
    if role := filters.get("role"):
        qs = qs.filter(role=role)
    if filters.get("active") in ("1", "0"):
        qs = qs.filter(is_active=filters["active"] == "1")
    return qs


def user_get(*, user: Any, pk: int) -> User:
    obj = User.objects.restrict(user, "core.view_user").select_related("region", "department").filter(pk=pk).first()
    if obj is None:
        raise Http404("账号不存在。")
    return obj


def operation_log_list(*, user: Any) -> QuerySet[OperationLog]:
    return OperationLog.objects.restrict(user, "core.view_operationlog").select_related("actor", "target_type", "region")


def attachment_get(*, user: Any, pk: Any) -> Attachment:
    """An attachment the user may see, else 404 (existence never leaks)."""
    obj = Attachment.objects.filter(pk=pk, is_archived=False).first()
    if obj is None or not user.has_perm("core.view_attachment") or not can_see(user, obj):
        raise Http404("附件不存在。")
    return obj


def code_items(*, kind: str, active_only: bool = True) -> QuerySet[CodeItem]:
    qs = CodeItem.objects.filter(kind=kind)
    return qs.filter(is_active=True) if active_only else qs
