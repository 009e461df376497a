"""Region-scoped reads of the review app (house rule 2). Staff read experts and batches within their
region; an expert reads only their own assignments (anything else: 404)."""

from __future__ import annotations

from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.http import Http404

from kejiju.core.permissions import prefix_q
from kejiju.review.models import Assignment, BatchItem, DrawRecord, Expert, ReviewBatch
from kejiju.review.permissions import expert_of


def _pk(pk: Any, what: str) -> int:
    try:
        value = int(pk)
    except (TypeError, ValueError):
        raise Http404("%s不存在。" % what) from None
    if not 0 < value < 2**63:
        raise Http404("%s不存在。" % what)
    return value


def expert_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Expert]:
    """Experts within the user's region. Filters: q (name, organization, keywords), status, subject (code
    prefix, any of the expert's subjects), region (code prefix)."""
    qs = Expert.objects.restrict(user, "review.view_expert").select_related("region", "organization")
    filters = filters or {}
    if q := str(filters.get("q") or "").strip():
        qs = qs.filter(Q(name__contains=q) | Q(organization_name__contains=q) | Q(keywords__contains=q))
    if status := filters.get("status"):
        qs = qs.filter(status=status)
    if subject := str(filters.get("subject") or "").strip():
        qs = qs.filter(subjects__icontains='"%s' % subject)
    if region := str(filters.get("region") or "").strip():
        qs = qs.filter(prefix_q("region", region))
    return qs


def expert_get(*, user: Any, pk: Any) -> Expert:
    obj = expert_list(user=user).filter(pk=_pk(pk, "专家")).first()
    if obj is None:
        raise Http404("专家不存在。")
    return obj


def expert_stats(*, expert: Expert) -> dict[str, Any]:
    """Review history counts and the mean staff rating of an expert."""
    counts = dict(
        Assignment.objects.filter(expert=expert, panel=True).values_list("status").annotate(n=Count("pk")).order_by()
    )
    rating = expert.ratings.aggregate(avg=Avg("stars"), n=Count("pk"))
    return {"by_status": counts, "rating": rating["avg"], "ratings": rating["n"]}


def expert_history(*, expert: Expert) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(expert=expert, panel=True)
        .select_related("batch", "item", "sheet")
        .order_by("-batch__created_at", "item_id")
    )


def batch_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[ReviewBatch]:
    qs: QuerySet[ReviewBatch] = ReviewBatch.objects.restrict(user, "review.view_reviewbatch").select_related("region")
    filters = filters or {}
    if q := str(filters.get("q") or "").strip():
        qs = qs.filter(title__contains=q)
    if status := filters.get("status"):
        qs = qs.filter(status=status)
    return qs.annotate(item_count=Count("items"))


def batch_get(*, user: Any, pk: Any) -> ReviewBatch:
    obj = ReviewBatch.objects.restrict(user, "review.view_reviewbatch").filter(pk=_pk(pk, "评审批次")).first()
    if obj is None:
        raise Http404("评审批次不存在。")
    return obj


def batch_items(*, batch: ReviewBatch) -> QuerySet[BatchItem]:
    return batch.items.order_by("rank", "pk")


def batch_assignments(*, batch: ReviewBatch) -> QuerySet[Assignment]:
    return batch.assignments.select_related("expert", "item", "sheet").order_by("item_id", "-panel", "rank", "pk")


def batch_draws(*, batch: ReviewBatch) -> QuerySet[DrawRecord]:
    return batch.draws.select_related("actor").order_by("-created_at", "-pk")


def draw_get(*, batch: ReviewBatch, pk: Any) -> DrawRecord:
    obj = batch.draws.filter(pk=_pk(pk, "抽取记录")).first()
    if obj is None:
        raise Http404("抽取记录不存在。")
    return obj


def my_assignments(*, user: Any) -> QuerySet[Assignment]:
    """The expert's own invitations and tasks (panel members, not reserves waiting)."""
    expert = expert_of(user)
    if expert is None:
        return Assignment.objects.none()
    return (
        Assignment.objects.filter(expert=expert, panel=True)
        .select_related("batch", "item", "sheet")
        .order_by("-invited_at", "-pk")
    )


def my_assignment_get(*, user: Any, pk: Any) -> Assignment:
    """One of the expert's own assignments, else 404 (also for another expert's or a reserve's)."""
    obj = my_assignments(user=user).filter(pk=_pk(pk, "评审任务")).first()
    if obj is None:
        raise Http404("评审任务不存在。")
    return obj


def experts_by_names(*, names: Any) -> dict[str, list[tuple[int, str]]]:
    """The pool's experts (any region, any status) whose names are among ``names`` (blanks inside a name
    ignored), in one query: name → [(person id, work unit text)], the work unit text being what matching
    a typed 工作单位 looks into (the unit as entered and the registry organization's name)."""
    wanted = {"".join(str(n or "").split()) for n in names} - {""}
    out: dict[str, list[tuple[int, str]]] = {}
    if not wanted:
        return out
    rows = (
        Expert.objects.filter(name__in=wanted)
        .order_by("person_id")
        .values_list("name", "person_id", "organization_name", "organization__name")
    )
    for name, person_id, unit, org_name in rows:
        out.setdefault(name, []).append((person_id, "%s %s" % (unit or "", org_name or "")))
    return out


def batches_reviewing(*, user: Any, source_key: str, refs: list[str]) -> QuerySet[ReviewBatch]:
    """The batches (评审批次) whose items include any of ``refs`` of the source ``source_key`` — how another
    module lists the reviews of its records. Only batches the user may see (the review module's view
    permission, in their region); newest first, cancelled ones included with their status, archived ones
    left out."""
    visible = batch_list(user=user)
    if not refs:
        return visible.none()
    # the ids first: filtering the counted list on its items would count them twice
    ids = set(visible.filter(source_key=source_key, items__ref__in=refs).values_list("pk", flat=True))
    return visible.filter(pk__in=ids, is_archived=False).order_by("-created_at", "-pk")
