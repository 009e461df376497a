"""Region-scoped reads of the outreach app (house rule 2)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, ExtractMonth, Substr
from django.http import Http404

from kejiju.core.permissions import prefix_q
from kejiju.outreach.choices import ActivityStatus, KindGroup
from kejiju.outreach.models import (
    Activity,
    ActivityTransition,
    Assessment,
    AssessmentTemplate,
    Assignment,
    Commissioner,
    OutreachKind,
    ServiceDiary,
)


def _int_pk(pk: Any, message: str) -> int:
    try:
        value = int(str(pk))
    except (TypeError, ValueError):
        raise Http404(message) from None
    if not 0 < value < 2**63:
        raise Http404(message)
    return value


def _year(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if re.fullmatch(r"\d{4}", text) else None


def kind_list(*, group: str, active_only: bool = True) -> QuerySet[OutreachKind]:
    """The configurable kinds of a group, in their order."""
    qs = OutreachKind.objects.filter(group=group)
    return qs.filter(is_active=True) if active_only else qs


# --------------------------------------------------------------------------- commissioners


def commissioner_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Commissioner]:
    """Commissioners within the user's region. Filters: q (name of the person or organization), kind
    (code), year (selection year), region (prefix of the selecting region), archived ("1")."""
    filters = filters or {}
    qs = Commissioner.objects.restrict(user, "outreach.view_commissioner").select_related(
        "kind", "person", "organization", "region", "user"
    )
    if filters.get("archived") != "1":
        qs = qs.filter(is_archived=False)
    if q := str(filters.get("q") or "").strip():
        qs = qs.filter(Q(person__name__contains=q) | Q(organization__name__contains=q) | Q(expertise__contains=q))
    if kind := str(filters.get("kind") or "").strip():
        qs = qs.filter(kind__code=kind)
    if year := _year(filters.get("year")):
        qs = qs.filter(selection_year=year)
    if region := str(filters.get("region") or "").strip():
        qs = qs.filter(Q(region__code__startswith=region) | Q(assignments__region__code__startswith=region)).distinct()
    return qs


def commissioner_get(*, user: Any, pk: Any) -> Commissioner:
    """One commissioner the user may see (staff scope), else 404."""
    obj = commissioner_list(user=user, filters={"archived": "1"}).filter(pk=_int_pk(pk, "特派员不存在。")).first()
    if obj is None:
        raise Http404("特派员不存在。")
    return obj


def commissioners_of_user(*, user: Any) -> QuerySet[Commissioner]:
    """The commissioner records whose account is ``user`` (their own pages)."""
    if not getattr(user, "is_authenticated", False):
        return Commissioner.objects.none()
    return Commissioner.objects.filter(user=user, is_archived=False).select_related("kind", "person", "organization")


def own_commissioner_get(*, user: Any, pk: Any) -> Commissioner:
    """One of the user's own commissioner records, else 404."""
    obj = commissioners_of_user(user=user).filter(pk=_int_pk(pk, "特派员不存在。")).first()
    if obj is None:
        raise Http404("特派员不存在。")
    return obj


def commissioner_assignments(*, commissioner: Commissioner) -> QuerySet[Assignment]:
    return commissioner.assignments.filter(is_archived=False).select_related(
        "target_region", "target_organization", "agreement"
    )


def active_assignments(*, commissioner: Commissioner, day: date | None = None) -> list[Assignment]:
    day = day or date.today()
    return [
        a
        for a in commissioner_assignments(commissioner=commissioner)
        if a.start_on <= day and (a.end_on is None or a.end_on >= day)
    ]


def commissioner_diaries(*, commissioner: Commissioner) -> QuerySet[ServiceDiary]:
    return commissioner.diaries.filter(is_archived=False).select_related("region", "assignment", "activity")


def commissioner_assessments(*, commissioner: Commissioner) -> QuerySet[Assessment]:
    return commissioner.assessments.select_related("assessed_by", "template").order_by("-year")


def commissioner_activities(*, commissioner: Commissioner) -> QuerySet[Activity]:
    """Trainings and activities the commissioner took part in (linked, not re-entered)."""
    condition = Q(commissioners=commissioner)
    if commissioner.person_id:
        condition |= Q(trainers=commissioner.person_id)
    return Activity.objects.filter(condition, is_archived=False).select_related("kind", "region").distinct()


def commissioner_summary(*, commissioner: Commissioner, year: int | None = None) -> dict[str, Any]:
    """Diary entries, hours, requests and trainings of a commissioner (in ``year`` when given)."""
    diaries = commissioner_diaries(commissioner=commissioner)
    activities = commissioner_activities(commissioner=commissioner).filter(status=ActivityStatus.HELD)
    if year:
        diaries = diaries.filter(served_on__year=year)
        activities = activities.filter(start_on__year=year)
    totals = diaries.aggregate(n=Count("id"), hours=Sum("hours"))
    refs: set[str] = set()
    for row in diaries.values_list("request_refs", flat=True):
        refs.update(row or [])
    return {
        "diaries": totals["n"] or 0,
        "hours": totals["hours"] or Decimal(0),
        "requests": len(refs),
        "activities": activities.count(),
    }


def diary_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[ServiceDiary]:
    """Service diary entries within the user's region (by the place served). Filters: q, commissioner (id),
    region (prefix), year, month."""
    filters = filters or {}
    qs = ServiceDiary.objects.restrict(user, "outreach.view_servicediary").filter(is_archived=False)
    qs = qs.select_related("commissioner__person", "commissioner__organization", "commissioner__kind", "region")
    if q := str(filters.get("q") or "").strip():
        qs = qs.filter(Q(content__contains=q) | Q(served__contains=q) | Q(commissioner__person__name__contains=q))
    if (pk := str(filters.get("commissioner") or "").strip()).isdigit() and len(pk) < 19:
        qs = qs.filter(commissioner_id=int(pk))
    if region := str(filters.get("region") or "").strip():
        qs = qs.filter(prefix_q("region", region))
    if year := _year(filters.get("year")):
        qs = qs.filter(served_on__year=year)
    month = str(filters.get("month") or "").strip()
    if month.isdigit() and 1 <= int(month) <= 12:
        qs = qs.filter(served_on__month=int(month))
    return qs


def template_list(*, user: Any) -> QuerySet[AssessmentTemplate]:
    """Assessment templates usable by the user: those of their region and of the regions above it."""
    from kejiju.core.permissions import active_region_code

    code = active_region_code(user)
    if code is None or not user.has_perm("outreach.view_assessmenttemplate"):
        return AssessmentTemplate.objects.none()
    qs = AssessmentTemplate.objects.filter(is_archived=False)
    if code:
        above = [code[:n] for n in (2, 4, 6, 9, 12) if n <= len(code)]
        qs = qs.filter(Q(region_id__in=above) | Q(region__code__startswith=code))
    return qs.select_related("region")


def template_get(*, user: Any, pk: Any) -> AssessmentTemplate:
    obj = template_list(user=user).filter(pk=_int_pk(pk, "考核模板不存在。")).first()
    if obj is None:
        raise Http404("考核模板不存在。")
    return obj


# --------------------------------------------------------------------------- activities


def activity_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Activity]:
    """Activities within the user's region. Filters: q (title/topic), kind (code), status, year (of the
    planned start), month, region (prefix), training ("1": training kinds only), person (trainer or
    attendee id), commissioner (id)."""
    filters = filters or {}
    qs = Activity.objects.restrict(user, "outreach.view_activity").filter(is_archived=False)
    qs = qs.select_related("kind", "region", "organizer_organization", "organizer_department")
    if q := str(filters.get("q") or "").strip():
        qs = qs.filter(Q(title__contains=q) | Q(topic__contains=q) | Q(venue__contains=q))
    if kind := str(filters.get("kind") or "").strip():
        qs = qs.filter(kind__code=kind)
    if (status := str(filters.get("status") or "").strip()) in ActivityStatus.values:
        qs = qs.filter(status=status)
    if year := _year(filters.get("year")):
        qs = qs.filter(planned_start__year=year)
    month = str(filters.get("month") or "").strip()
    if month.isdigit() and 1 <= int(month) <= 12:
        qs = qs.filter(planned_start__month=int(month))
    if region := str(filters.get("region") or "").strip():
        qs = qs.filter(prefix_q("region", region))
    if filters.get("training") == "1":
        qs = qs.filter(kind__is_training=True)
    if (pk := str(filters.get("person") or "").strip()).isdigit() and len(pk) < 19:
        qs = qs.filter(Q(trainers=int(pk)) | Q(attendee_rows__person=int(pk))).distinct()
    if (pk := str(filters.get("commissioner") or "").strip()).isdigit() and len(pk) < 19:
        qs = qs.filter(commissioners=int(pk))
    return qs


def activity_get(*, user: Any, pk: Any) -> Activity:
    obj = activity_list(user=user).filter(pk=_int_pk(pk, "活动不存在。")).first()
    if obj is None:
        raise Http404("活动不存在。")
    return obj


def activity_pick_list(
    *, user: Any, since: date | None = None, first_words: tuple[str, ...] = ()
) -> QuerySet[Activity]:
    """Activities another module may link a record to (a picker): within the user's region, not archived
    or cancelled, held (or planned) on or after ``since`` (the actual start, else the planned start); those
    whose kind, title or topic contains one of ``first_words`` come first, then the newest. Each row
    carries ``day`` (actual start, else planned start)."""
    qs = (
        activity_list(user=user)
        .exclude(status=ActivityStatus.CANCELLED)
        .annotate(day=Coalesce("start_on", "planned_start"))
    )
    if since is not None:
        qs = qs.filter(day__gte=since)
    words = [w for w in first_words if w]
    if words:
        match = Q()
        for word in words:
            match |= Q(title__contains=word) | Q(topic__contains=word) | Q(kind__name__contains=word)
        qs = qs.annotate(rank=Case(When(match, then=Value(0)), default=Value(1), output_field=IntegerField()))
        return qs.order_by("rank", "-day", "-id")
    return qs.order_by("-day", "-id")


def activities_for_person(person: Any) -> QuerySet[Activity]:
    """Held activities a person attended or taught (a talent's training record), newest first. Not
    region-scoped: the caller has already checked that its user may see ``person``."""
    pk = getattr(person, "pk", person)
    return (
        Activity.objects.filter(
            Q(attendee_rows__person=pk) | Q(trainers=pk), status=ActivityStatus.HELD, is_archived=False
        )
        .select_related("kind", "region")
        .distinct()
        .order_by("-start_on", "-id")
    )


def activity_transitions(*, activity: Activity) -> QuerySet[ActivityTransition]:
    return activity.transitions.select_related("actor").order_by("at", "id")


def attachments_of(obj: Any, purpose: str = "") -> Any:
    """The live attachments of a record (optionally of one purpose), oldest first."""
    from django.contrib.contenttypes.models import ContentType

    from kejiju.core.models import Attachment

    qs = Attachment.objects.filter(
        owner_type=ContentType.objects.get_for_model(type(obj)), owner_id=str(obj.pk), is_archived=False
    )
    if purpose:
        qs = qs.filter(purpose=purpose)
    return qs.order_by("created_at")


def activity_stats(*, user: Any, year: int, region: str = "") -> dict[str, Any]:
    """Yearly plan vs done and held activities by town, month and kind (aggregate queries only)."""
    base: Any = activity_list(user=user, filters={"region": region}).filter(planned_start__year=year)
    plan = base.aggregate(
        planned=Count("id"),
        held=Count("id", filter=Q(status=ActivityStatus.HELD)),
        cancelled=Count("id", filter=Q(status=ActivityStatus.CANCELLED)),
        planned_attendance=Sum("planned_attendance"),
    )
    held: Any = activity_list(user=user, filters={"region": region}).filter(
        status=ActivityStatus.HELD, start_on__year=year
    )
    totals = held.aggregate(n=Count("id"), attendance=Sum("attendance"), materials=Sum("materials"), cost=Sum("cost"))
    measures = {
        "n": Count("id"),
        "attendance": Sum("attendance"),
        "materials": Sum("materials"),
    }
    by_kind: list[dict[str, Any]] = list(held.values("kind__name").annotate(**measures).order_by("-n", "kind__name"))
    plan_by_kind = {r["kind__name"]: r["n"] for r in base.values("kind__name").annotate(n=Count("id")).order_by()}
    for row in by_kind:
        row["planned"] = plan_by_kind.get(row["kind__name"], 0)
    by_month = {
        r["m"]: r for r in held.annotate(m=ExtractMonth("start_on")).values("m").annotate(**measures).order_by()
    }
    months = [
        {"month": m, **{k: (by_month.get(m) or {}).get(k) or 0 for k in ("n", "attendance", "materials")}}
        for m in range(1, 13)
    ]
    town_rows: list[dict[str, Any]] = list(
        held.annotate(town=Substr("region_id", 1, 9)).values("town").annotate(**measures).order_by("town")
    )
    from kejiju.core.models import Region

    names = dict(Region.objects.filter(code__in=[r["town"] for r in town_rows]).values_list("code", "name"))
    for row in town_rows:
        row["name"] = names.get(row["town"], row["town"])
    return {
        "year": year,
        "plan": plan,
        "totals": totals,
        "by_kind": by_kind,
        "by_month": months,
        "by_town": town_rows,
    }


def kinds_for_forms() -> dict[str, list[tuple[str, str]]]:
    return {
        "commissioner": [(k.code, k.name) for k in kind_list(group=KindGroup.COMMISSIONER)],
        "activity": [(k.code, k.name) for k in kind_list(group=KindGroup.ACTIVITY)],
    }
