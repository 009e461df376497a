"""Region-scoped reads of the core app (house rule 2)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.db.models.functions import Substr
from django.http import Http404

from kejiju.core.models import Attachment, Bureau, CodeItem, Department, OperationLog, Region, User
from kejiju.core.permissions import active_region_code, can_see, code_column, prefix_q


@dataclass(frozen=True)
class RegionCounter:
    """A kind of record counted per region on the region tree and the home page."""

    key: str
    label: str
    queryset: Callable[[], QuerySet[Any]]
    region_field: str = "region"
    url_name: str = ""
    url_query: str = ""  # e.g. "qualification=hnte": the list the count drills down to


_COUNTERS: list[RegionCounter] = []


def register_region_counter(counter: RegionCounter) -> None:
    """Apps add the records they own to the region tree and home page counts."""
    if all(c.key != counter.key for c in _COUNTERS):
        _COUNTERS.append(counter)


def region_counters() -> list[RegionCounter]:
    return list(_COUNTERS)


register_region_counter(
    RegionCounter("users", "账号", lambda: User.objects.filter(is_active=True), url_name="core:user_list")
)
register_region_counter(RegionCounter("attachments", "附件", lambda: Attachment.objects.filter(is_archived=False)))


def region_get(*, user: Any, code: str) -> Region:
    """A region within the user's active region, else 404 (also for a code that does not exist,
    so existence never leaks)."""
    scope = active_region_code(user)
    if scope is None or not code.startswith(scope):
        raise Http404("区划不存在。")
    region = Region.objects.filter(code=code).select_related("parent").first()
    if region is None:
        raise Http404("区划不存在。")
    return region


def region_children(*, user: Any, parent: Region | None) -> QuerySet[Region]:
    """The regions directly below ``parent`` within the user's active region; without a parent,
    the user's top region (or, for a system administrator without a region, the regions that
    have no parent)."""
    scope = active_region_code(user)
    if scope is None:
        return Region.objects.none()
    if parent is not None:
        qs = Region.objects.filter(parent=parent)
    elif scope:
        qs = Region.objects.filter(code=scope)
    else:
        qs = Region.objects.filter(parent__isnull=True)
    return qs.filter(code__startswith=scope).order_by("code")


def region_ancestors(*, user: Any, region: Region) -> list[Region]:
    """The regions above ``region``, top first, that the user may open (the breadcrumb): the
    chain stops at the user's active region."""
    scope = active_region_code(user)
    if scope is None:
        return []
    codes = [c for c in region.ancestor_codes() if c != region.code and c.startswith(scope)]
    return list(Region.objects.filter(code__in=codes).order_by("code"))


def region_bureau(*, user: Any, region: Region) -> Bureau | None:
    """The bureau (科技局) of a region with its departments, when the user may see bureaus."""
    return (
        Bureau.objects.restrict(user, "core.view_bureau")
        .filter(region=region)
        .prefetch_related(Prefetch("departments", queryset=Department.objects.order_by("name")))
        .first()
    )


def region_counts_below(*, nodes: list[Region]) -> dict[str, dict[str, int]]:
    """For each node, how many records of each registered kind lie at or below it (0 when none).

    One grouped query per kind whatever the nodes' levels: records within the nodes' common
    prefix are grouped by the first ``L`` characters of their region code, ``L`` being the
    longest node code, and each node adds up the groups that start with its code. The cost does
    not grow with the number of nodes, and a region of a lower level (a record on the county
    itself) still counts for the county."""
    result: dict[str, dict[str, int]] = {n.code: {c.key: 0 for c in _COUNTERS} for n in nodes}
    if not nodes:
        return result
    codes = sorted({n.code for n in nodes})
    lengths = sorted({len(c) for c in codes})
    longest = lengths[-1]
    prefix = os.path.commonprefix(codes)
    for counter in _COUNTERS:
        qs = counter.queryset()
        if prefix:
            qs = qs.filter(prefix_q(counter.region_field, prefix))
        rows = (
            qs.exclude(**{f"{code_column(counter.region_field)}__isnull": True})
            .annotate(_node=Substr(code_column(counter.region_field), 1, longest))
            .values("_node")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in rows:
            key = row["_node"] or ""
            for length in lengths:
                node = key[:length]
                if len(node) == length and node in result:
                    result[node][counter.key] += row["n"]
    return result


def region_search(*, user: Any, q: str, limit: int = 20) -> QuerySet[Region]:
    """Regions within the user's active region whose code starts with ``q`` (when ``q`` is
    ASCII digits) or whose name contains ``q``."""
    scope = active_region_code(user)
    if scope is None:
        return Region.objects.none()
    qs = Region.objects.filter(code__startswith=scope).select_related("parent")
    q = (q or "").strip()
    if q:
        qs = qs.filter(code__startswith=q) if q.isascii() and q.isdigit() else qs.filter(name__contains=q)
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
    """Accounts within the user's active region (none without ``core.view_user``), narrowed by
    ``filters``: ``q`` (user name, 姓名 or phone contains), ``role``, ``status`` (``active``,
    ``inactive`` or ``locked``; ``active`` = ``1``/``0`` also works) and ``region`` (a region code:
    accounts of that region and below; a code outside the scope simply finds nothing)."""
    from django.db.models import Q
    from django.utils import timezone

    qs = User.objects.restrict(user, "core.view_user").select_related("region", "department")
    filters = filters or {}
    if q := str(filters.get("q") or "").strip():
        qs = qs.filter(Q(username__icontains=q) | Q(full_name__icontains=q) | Q(phone__contains=q))
    if role := filters.get("role"):
        qs = qs.filter(role=role)
    status = filters.get("status") or {"1": "active", "0": "inactive"}.get(str(filters.get("active") or ""), "")
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "inactive":
        qs = qs.filter(is_active=False)
    elif status == "locked":
        qs = qs.filter(locked_until__gt=timezone.now())
    region = str(filters.get("region") or "").strip()
    if region.isascii() and region.isdigit():
        qs = qs.filter(prefix_q("region", region))
    return qs


def user_get(*, user: Any, pk: int, perm: str = "core.view_user") -> User:
    """One account within the user's active region that ``perm`` lets them reach, else 404
    ("not yours" and "does not exist" answer alike)."""
    obj = User.objects.restrict(user, perm).select_related("region", "department").filter(pk=pk).first()
    if obj is None:
        raise Http404("账号不存在。")
    return obj


def user_operations(*, user: Any, account: User, limit: int = 20) -> list[OperationLog]:
    """The latest operation-log rows done by or done to ``account`` that ``user`` may see
    (``core.view_operationlog``, within the active region); empty without the permission."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q

    user_type = ContentType.objects.get_for_model(User)
    return list(
        OperationLog.objects.restrict(user, "core.view_operationlog")
        .filter(Q(actor=account) | Q(target_type=user_type, target_id=str(account.pk)))
        .select_related("actor")[:limit]
    )


def user_region_options(*, code: str | None, max_level: int = 9, include: str | None = None) -> QuerySet[Region]:
    """Regions an account may be placed in: active regions within ``code`` ("" = everywhere,
    ``None`` = nowhere) down to ``max_level`` (towns by default, so a big tree stays a usable
    list), plus ``include`` (an account's current region) when it lies within ``code``."""
    from django.db.models import Q

    if code is None:
        return Region.objects.none()
    condition = Q(is_active=True, level__lte=max_level)
    if include and include.startswith(code):
        condition |= Q(code=include)
    return Region.objects.filter(condition, code__startswith=code).order_by("code")


def operation_log_list(*, user: Any) -> QuerySet[OperationLog]:
    return OperationLog.objects.restrict(user, "core.view_operationlog").select_related(
        "actor", "target_type", "region"
    )


def attachment_get(*, user: Any, pk: Any) -> Attachment:
    """An attachment the user may see, else 404 (existence never leaks)."""
    obj = Attachment.objects.filter(pk=pk, is_archived=False).first()
    if obj is None or not user.has_perm("core.view_attachment") or not can_see(user, obj):
        raise Http404("附件不存在。")
    return obj


def code_items(*, kind: str, active_only: bool = True) -> QuerySet[CodeItem]:
    qs = CodeItem.objects.filter(kind=kind)
    return qs.filter(is_active=True) if active_only else qs
