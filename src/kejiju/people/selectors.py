"""Reads of the people registry, region-scoped (house rule 2)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404

from kejiju.core.models import Region
from kejiju.core.permissions import active_region_code
from kejiju.people.choices import AGE_BANDS, Education, NominationResult, RoundStatus
from kejiju.people.models import (
    Honour,
    Nomination,
    Objection,
    Person,
    SelectionRound,
    SelectionRoundTransition,
    TalentCategory,
    TalentMembership,
    TrainingRecord,
)


def person_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Person]:
    """People the user may see (``people.view_person`` within their region). Filters: ``q`` (name,
    initials, phone, exact ID number), ``region`` (code prefix), ``archived`` ("1" for archived only)."""
    filters = filters or {}
    qs = Person.objects.restrict(user, "people.view_person").select_related("organization", "region")
    q = str(filters.get("q") or "").strip()
    if q:
        qs = qs.filter(
            Q(name__icontains=q) | Q(name_initials__contains=" " + q.lower()) | Q(phone=q) | Q(id_number=q.upper())
        )
    region = str(filters.get("region") or "").strip()
    if region:
        qs = qs.filter(region__code__startswith=region)
    qs = qs.filter(is_archived=str(filters.get("archived") or "") == "1")
    return qs


def person_get(*, user: Any, pk: Any) -> Person:
    """One person the user may see, else 404 (not yours and not there look the same)."""
    try:
        return person_list(user=user, filters={"archived": ""}).get(pk=pk)
    except (Person.DoesNotExist, ValueError, TypeError):
        try:
            return person_list(user=user, filters={"archived": "1"}).get(pk=pk)
        except (Person.DoesNotExist, ValueError, TypeError):
            raise Http404("人员不存在。") from None


def person_by_document(id_number: str, id_type: str = "resident") -> Person | None:
    """The person holding this document number, unscoped (used by services that must keep one record per
    person, never shown to a user as such)."""
    return Person.objects.filter(id_type=id_type, id_number=id_number.strip().upper()).first()


# ============================================================================================= talent pool


def talent_categories(*, active_only: bool = False) -> QuerySet[TalentCategory]:
    """The talent categories in their display order (code table, not region-scoped)."""
    qs = TalentCategory.objects.all()
    return qs.filter(is_active=True) if active_only else qs


def person_memberships(*, person: Person, include_archived: bool = False) -> QuerySet[TalentMembership]:
    """A person's category memberships (active ones unless ``include_archived``), newest first."""
    qs = TalentMembership.objects.filter(person=person).select_related("category", "selection_round", "attachment")
    return qs if include_archived else qs.filter(is_archived=False)


def person_honours(*, person: Person) -> QuerySet[Honour]:
    return Honour.objects.filter(person=person, is_archived=False).select_related("attachment")


def person_trainings(*, person: Person) -> QuerySet[TrainingRecord]:
    return TrainingRecord.objects.filter(person=person, is_archived=False)


def person_nominations(*, person: Person) -> QuerySet[Nomination]:
    return Nomination.objects.filter(person=person, is_archived=False).select_related("selection_round")


def person_activities(*, person: Person) -> list[Any]:
    """Trainings and activities the person attended, from the outreach module when it is installed
    (``kejiju.outreach.selectors.activities_for_person``); an empty list otherwise. Never re-entered here."""
    try:
        from kejiju.outreach import selectors as outreach_selectors
    except ImportError:
        return []
    finder = getattr(outreach_selectors, "activities_for_person", None)
    if finder is None:
        return []
    try:
        return list(finder(person))
    except Exception:
        return []


def talent_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[TalentMembership]:
    """Active memberships the user may see (``people.view_talentmembership`` in their region). Filters:
    ``q`` (name, initials, phone), ``category`` (code), ``region`` (prefix), ``year``."""
    filters = filters or {}
    qs = (
        TalentMembership.objects.restrict(user, "people.view_talentmembership")
        .filter(is_archived=False, person__is_archived=False)
        .select_related("person", "person__organization", "person__region", "category", "region")
    )
    q = str(filters.get("q") or "").strip()
    if q:
        qs = qs.filter(
            Q(person__name__icontains=q) | Q(person__name_initials__contains=" " + q.lower()) | Q(person__phone=q)
        )
    category = str(filters.get("category") or "").strip()
    if category:
        qs = qs.filter(category__code=category)
    region = str(filters.get("region") or "").strip()
    if region:
        qs = qs.filter(region__code__startswith=region)
    year = str(filters.get("year") or "").strip()
    if year.isdigit() and len(year) == 4:
        qs = qs.filter(year=int(year))
    return qs


#: Title levels of the talents the other demos also make experts or commissioners.
DEMO_TALENT_LEVELS = ("senior", "vice_senior", "intermediate")


def demo_talents(county: str, limit: int) -> list[Person]:
    """The first ``limit`` persons (by id, so the same for every demo) of ``county``'s talent pool with an
    intermediate or higher title: the review and outreach demos make some of them experts, commissioners
    and attendees of training, so that one person carries several roles (one person, one record)."""
    return list(
        Person.objects.filter(
            region__code__startswith=county,
            is_archived=False,
            title_level__in=DEMO_TALENT_LEVELS,
            memberships__is_archived=False,
        )
        .distinct()
        .order_by("pk")[:limit]
    )


def round_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[SelectionRound]:
    """Selection rounds the user may see. Filters: ``status``, ``category`` (code), ``year``."""
    filters = filters or {}
    qs = SelectionRound.objects.restrict(user, "people.view_selectionround").select_related("category", "region")
    status = str(filters.get("status") or "").strip()
    if status:
        qs = qs.filter(status=status)
    category = str(filters.get("category") or "").strip()
    if category:
        qs = qs.filter(category__code=category)
    year = str(filters.get("year") or "").strip()
    if year.isdigit() and len(year) == 4:
        qs = qs.filter(year=int(year))
    return qs.filter(is_archived=False)


def round_get(*, user: Any, pk: Any) -> SelectionRound:
    try:
        return round_list(user=user).get(pk=pk)
    except (SelectionRound.DoesNotExist, ValueError, TypeError):
        raise Http404("评选不存在。") from None


def round_public_get(*, pk: Any) -> SelectionRound:
    """A round on the public publicity page: only while in publicity or after granting."""
    try:
        return SelectionRound.objects.select_related("category", "region").get(
            pk=pk, is_archived=False, status__in=(RoundStatus.PUBLICITY, RoundStatus.GRANTED)
        )
    except (SelectionRound.DoesNotExist, ValueError, TypeError):
        raise Http404("公示不存在。") from None


def public_rounds() -> QuerySet[SelectionRound]:
    """Rounds whose publicity is running today (the public index)."""
    from django.utils import timezone

    today = timezone.localdate()
    return SelectionRound.objects.filter(
        status=RoundStatus.PUBLICITY, is_archived=False, publicity_start__lte=today, publicity_end__gte=today
    ).select_related("category", "region")


def round_nominations(*, selection_round: SelectionRound) -> QuerySet[Nomination]:
    return (
        Nomination.objects.filter(selection_round=selection_round, is_archived=False)
        .select_related("person", "person__organization", "nominator")
        .order_by(F("score").desc(nulls_last=True), "pk")
    )


def review_batches(*, user: Any, selection_round: SelectionRound) -> QuerySet[Any]:
    """The review module's batches (评审批次) over the round's nominees: those whose items are its
    nominations (``people.nomination:<pk>``, how :mod:`kejiju.people.review` hands them over). Only the
    batches the user may see there (the review module's view permission, in their region); newest first,
    cancelled ones included with their status."""
    from kejiju.people.review import KEY
    from kejiju.review.selectors import batches_reviewing
    from kejiju.review.sources import make_ref

    nominations = Nomination.objects.filter(selection_round=selection_round).values_list("pk", flat=True)
    return batches_reviewing(user=user, source_key=KEY, refs=[make_ref(KEY, pk) for pk in nominations])


def round_selected(*, selection_round: SelectionRound) -> QuerySet[Nomination]:
    return round_nominations(selection_round=selection_round).filter(result=NominationResult.SELECTED)


def round_objections(*, selection_round: SelectionRound) -> QuerySet[Objection]:
    return Objection.objects.filter(selection_round=selection_round, is_archived=False).select_related(
        "nomination", "nomination__person"
    )


def round_transitions(*, selection_round: SelectionRound) -> QuerySet[SelectionRoundTransition]:
    return SelectionRoundTransition.objects.filter(selection_round=selection_round).select_related("actor")


def nomination_get(*, user: Any, selection_round: SelectionRound, pk: Any) -> Nomination:
    try:
        return round_nominations(selection_round=selection_round).get(pk=pk)
    except (Nomination.DoesNotExist, ValueError, TypeError):
        raise Http404("推荐人选不存在。") from None


def objection_get(*, selection_round: SelectionRound, pk: Any) -> Objection:
    try:
        return round_objections(selection_round=selection_round).get(pk=pk)
    except (Objection.DoesNotExist, ValueError, TypeError):
        raise Http404("异议不存在。") from None


def membership_get(*, person: Person, pk: Any) -> TalentMembership:
    try:
        return person_memberships(person=person).get(pk=pk)
    except (TalentMembership.DoesNotExist, ValueError, TypeError):
        raise Http404("入库记录不存在。") from None


def honour_get(*, person: Person, pk: Any) -> Honour:
    try:
        return Honour.objects.filter(person=person).get(pk=pk)
    except (Honour.DoesNotExist, ValueError, TypeError):
        raise Http404("荣誉记录不存在。") from None


def training_get(*, person: Person, pk: Any) -> TrainingRecord:
    try:
        return TrainingRecord.objects.filter(person=person).get(pk=pk)
    except (TrainingRecord.DoesNotExist, ValueError, TypeError):
        raise Http404("培训记录不存在。") from None


# ---------------------------------------------------------------------------------------- statistics


def age_band_of(age: int | None) -> str:
    """The label of the age band (:data:`AGE_BANDS`) holding ``age``; "未知" without a birth date."""
    if age is None:
        return "未知"
    for label, low, high in AGE_BANDS:
        if age >= low and (high is None or age < high):
            return label
    return "未知"


def talent_stats(*, user: Any, filters: dict[str, Any] | None = None, today: date | None = None) -> dict[str, Any]:
    """Counts of the talent pool the user may see: persons (each once) by category, age band, main
    subject (first two digits of GB/T 13745, the 一级学科), region (the level below the scope) and
    gender, plus the share under 35 and over 55 — the age structure the bureau watches (知识老化,
    青黄不接). Aggregated in the database except the age bands (computed from birth dates, one query)."""
    from django.utils import timezone

    today = today or timezone.localdate()
    memberships = talent_list(user=user, filters={k: v for k, v in (filters or {}).items() if k != "q"})
    by_category = {
        row["category__name"]: row["n"]
        for row in memberships.values("category__name", "category__order")
        .annotate(n=Count("person", distinct=True))
        .order_by("category__order")
    }
    persons = Person.objects.filter(pk__in=memberships.values("person_id"))
    total = persons.count()
    bands = {label: 0 for label, _low, _high in AGE_BANDS}
    bands["未知"] = 0
    for born in persons.values_list("birth_date", flat=True).iterator(chunk_size=5000):
        age = None
        if born is not None:
            age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        bands[age_band_of(age)] += 1
    if not bands["未知"]:
        del bands["未知"]
    by_subject: dict[str, int] = {}
    for subjects in persons.values_list("subjects", flat=True).iterator(chunk_size=5000):
        key = str(subjects[0])[:3] if subjects else "未填"
        by_subject[key] = by_subject.get(key, 0) + 1
    scope = active_region_code(user) or ""
    depth = {2: 4, 4: 6, 6: 9, 9: 12}.get(len(scope), 6)
    by_region: dict[str, int] = {}
    for code in persons.values_list("region_id", flat=True).iterator(chunk_size=5000):
        key = str(code)[:depth]
        by_region[key] = by_region.get(key, 0) + 1
    names = dict(Region.objects.filter(code__in=list(by_region)).values_list("code", "name"))
    young = sum(n for label, n in bands.items() if label == AGE_BANDS[0][0])
    old = sum(n for label, n in bands.items() if label in (AGE_BANDS[3][0], AGE_BANDS[4][0]))
    by_education = {
        str(Education(row["education"]).label) if row["education"] else "未填": row["n"]
        for row in persons.values("education").annotate(n=Count("pk")).order_by("education")
    }
    return {
        "total": total,
        "by_category": by_category,
        "by_age": bands,
        "by_subject": dict(sorted(by_subject.items(), key=lambda kv: (-kv[1], kv[0]))),
        "by_region": {names.get(code, code): n for code, n in sorted(by_region.items())},
        "by_education": by_education,
        "young_share": round(young * 100 / total, 1) if total else 0.0,
        "old_share": round(old * 100 / total, 1) if total else 0.0,
    }
