"""Reads of S&T awards, region-scoped (house rule 2)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from kejiju.awards.choices import CycleStatus, NominationStatus
from kejiju.awards.models import AwardCycle, AwardProgramme, HigherAward, Nomination, NominationVote, VoteMeeting


def programme_list(*, user: Any) -> QuerySet[AwardProgramme]:
    return AwardProgramme.objects.restrict(user, "awards.view_awardcycle").filter(is_archived=False)


def cycle_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[AwardCycle]:
    """Cycles of the user's region (staff), or open cycles of the regions above an organization user's
    organizations (so they can nominate). Filters: ``year``, ``status``."""
    filters = filters or {}
    qs: QuerySet[AwardCycle]
    if user.has_perm("awards.view_awardcycle"):
        qs = AwardCycle.objects.restrict(user, "awards.view_awardcycle")
    else:
        from kejiju.orgs.selectors import organizations_of_user

        codes = {o.region_id for o in organizations_of_user(user=user)}
        allowed = Q(pk__in=[])
        for code in codes:
            for length in (2, 4, 6, 9):
                if length <= len(code):
                    allowed |= Q(region_id=code[:length])
        qs = AwardCycle.objects.filter(allowed, status=CycleStatus.OPEN)
    if str(filters.get("year") or "").isdigit():
        qs = qs.filter(year=int(filters["year"]))
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    annotated: QuerySet[AwardCycle] = qs.select_related("programme", "region").annotate(
        nomination_count=Count("nominations")
    )
    return annotated


def cycle_get(*, user: Any, pk: Any) -> AwardCycle:
    try:
        return cycle_list(user=user).get(pk=pk)
    except (AwardCycle.DoesNotExist, ValueError, TypeError):
        raise Http404("奖励年度不存在。") from None


def nomination_list(*, user: Any, cycle: AwardCycle | None = None) -> QuerySet[Nomination]:
    """Staff see nominations in their region; an organization user those of their organizations."""
    qs: QuerySet[Nomination]
    if user.has_perm("awards.view_nomination"):
        qs = Nomination.objects.restrict(user, "awards.view_nomination")
    else:
        from kejiju.orgs.selectors import organizations_of_user

        qs = Nomination.objects.filter(organization__in=organizations_of_user(user=user))
    if cycle is not None:
        qs = qs.filter(cycle=cycle)
    return qs.filter(is_archived=False).select_related("organization", "cycle__programme")


def nomination_get(*, user: Any, pk: Any) -> Nomination:
    try:
        return nomination_list(user=user).get(pk=pk)
    except (Nomination.DoesNotExist, ValueError, TypeError):
        raise Http404("推荐项目不存在。") from None


def publicity_list() -> QuerySet[Nomination]:
    """Public: the nominations proposed for an award in cycles now in publicity."""
    return (
        Nomination.objects.filter(cycle__status=CycleStatus.PUBLICITY, status=NominationStatus.AWARDED)
        .select_related("organization", "cycle__programme", "region")
        .order_by("cycle", "review_rank", "pk")
    )


def winners(
    *, user: Any, q: str = "", person: str = "", organization: str = "", field: str = ""
) -> tuple[QuerySet[Nomination], QuerySet[HigherAward]]:
    """The archive of past winners (local granted awards and higher-level awards) in the user's region,
    searchable by person name, organization name and field (``q`` matches any of them and the title;
    ``person`` — exact name —, ``organization`` and ``field`` narrow further)."""
    local = Nomination.objects.restrict(user, "awards.view_nomination").filter(status=NominationStatus.GRANTED)
    higher = HigherAward.objects.restrict(user, "awards.view_higheraward").filter(is_archived=False)
    person, organization, field = (person or "").strip(), (organization or "").strip(), (field or "").strip()
    if person:
        local = local.filter(members__person__name=person).distinct()
        higher = higher.filter(persons__name=person).distinct()
    if organization:
        local = local.filter(organization__name__icontains=organization)
        higher = higher.filter(organization__name__icontains=organization)
    if field:
        local = local.filter(field_keywords__icontains=field)
        higher = higher.filter(field_keywords__icontains=field)
    q = (q or "").strip()
    if q:
        local = local.filter(
            Q(title__icontains=q)
            | Q(organization__name__icontains=q)
            | Q(members__person__name=q)
            | Q(field_keywords__icontains=q)
        ).distinct()
        higher = higher.filter(
            Q(title__icontains=q)
            | Q(organization__name__icontains=q)
            | Q(persons__name=q)
            | Q(field_keywords__icontains=q)
        ).distinct()
    return (
        local.select_related("organization", "cycle__programme").order_by("-cycle__year", "review_rank"),
        higher.select_related("organization").order_by("-year", "name"),
    )


def higher_award_list(*, user: Any) -> QuerySet[HigherAward]:
    return (
        HigherAward.objects.restrict(user, "awards.view_higheraward")
        .filter(is_archived=False)
        .select_related("organization", "region")
    )


def programme_get(*, user: Any, pk: Any) -> AwardProgramme:
    try:
        return programme_list(user=user).get(pk=pk)
    except (AwardProgramme.DoesNotExist, ValueError, TypeError):
        raise Http404("奖励不存在。") from None


def nominable_cycles(*, user: Any) -> QuerySet[AwardCycle]:
    """Cycles now open for nomination to the organizations the user acts for (their region and above)."""
    from kejiju.orgs.selectors import organizations_of_user

    codes = {o.region_id for o in organizations_of_user(user=user)}
    allowed = Q(pk__in=[])
    for code in codes:
        for length in (2, 4, 6, 9):
            if length <= len(code):
                allowed |= Q(region_id=code[:length])
    return (
        AwardCycle.objects.filter(allowed, status=CycleStatus.OPEN, is_archived=False)
        .select_related("programme", "region")
        .order_by("closes_at", "pk")
    )


def my_nominations(*, user: Any) -> QuerySet[Nomination]:
    """Nominations of the organizations the user acts for (单位用户), whatever their staff permissions."""
    from kejiju.orgs.selectors import organizations_of_user

    return (
        Nomination.objects.filter(organization__in=organizations_of_user(user=user), is_archived=False)
        .select_related("organization", "cycle__programme")
        .order_by("-pk")
    )


def my_nomination_get(*, user: Any, pk: Any) -> Nomination:
    try:
        return my_nominations(user=user).get(pk=pk)
    except (Nomination.DoesNotExist, ValueError, TypeError):
        raise Http404("推荐项目不存在。") from None


def prize_ledger(*, user: Any, cycle: Any = None, nomination: Any = None) -> QuerySet[Any]:
    """奖金台账: prize payments of the granted nominations in the user's region."""
    from kejiju.awards.models import PrizePayment

    qs = PrizePayment.objects.filter(
        nomination__in=Nomination.objects.restrict(user, "awards.view_nomination").values("pk")
    )
    if cycle is not None:
        qs = qs.filter(nomination__cycle_id=cycle)
    if nomination is not None:
        qs = qs.filter(nomination_id=nomination)
    return qs.select_related("nomination__organization", "nomination__cycle__programme").order_by("-paid_on", "-pk")


def meeting_of(*, cycle: AwardCycle) -> VoteMeeting | None:
    """The cycle's 评审委员会会议 (the cycle already read through :func:`cycle_get`), or None."""
    return VoteMeeting.objects.filter(cycle=cycle).first()


def vote_list(*, user: Any, cycle: AwardCycle, history: bool = False) -> QuerySet[NominationVote]:
    """The committee's votes on the cycle's nominations the user may see as staff (current ones; with
    ``history`` also the votes replaced by a re-vote), in review order."""
    qs = NominationVote.objects.filter(
        nomination__in=Nomination.objects.restrict(user, "awards.view_nomination").filter(
            cycle=cycle, is_archived=False
        )
    )
    if not history:
        qs = qs.filter(is_current=True)
    return qs.select_related("nomination__organization", "meeting", "recorded_by", "overridden_by").order_by(
        "nomination__review_rank", "nomination_id", "recorded_at", "pk"
    )


def review_batches(
    *, user: Any, cycle: AwardCycle | None = None, nomination: Nomination | None = None
) -> QuerySet[Any]:
    """The review module's batches (评审批次) that review the cycle's nominations, or one nomination: those
    whose items are the nominations (``awards.nomination:<pk>``, how :mod:`kejiju.awards.review` hands
    them to the review module). Only batches the user may see there (staff with the review module's
    view permission, in their region); newest first, cancelled ones included with their status."""
    from kejiju.awards.review import KEY
    from kejiju.review.selectors import batches_reviewing
    from kejiju.review.sources import make_ref

    if nomination is not None:
        refs = [make_ref(KEY, nomination.pk)]
    elif cycle is not None:
        refs = [make_ref(KEY, pk) for pk in Nomination.objects.filter(cycle=cycle).values_list("pk", flat=True)]
    else:
        raise TypeError("review_batches needs a cycle or a nomination")
    return batches_reviewing(user=user, source_key=KEY, refs=refs)
