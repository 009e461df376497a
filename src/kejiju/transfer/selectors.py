"""Region-scoped reads of the technology-transfer module (house rule 2), the public achievement listing,
and the ranked suggestions of the matcher (:mod:`kejiju.engines.textmatch`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404

from kejiju.core.permissions import prefix_q
from kejiju.engines.textmatch import rank
from kejiju.transfer import matching
from kejiju.transfer.choices import DemandStatus, TechField
from kejiju.transfer.models import Achievement, Cooperation, Match, MatchEvent, TechContract, TechDemand

#: GB/T 13745 subject-code prefixes of each technology field, to compare an expert's subjects with a
#: demand's field.
FIELD_SUBJECTS: dict[str, tuple[str, ...]] = {
    TechField.AGRICULTURE: ("210", "220", "230", "240", "180"),
    TechField.FOOD: ("550",),
    TechField.BIOMED: ("180", "310", "320", "330", "350", "360"),
    TechField.MATERIALS: ("430",),
    TechField.MANUFACTURING: ("460", "590"),
    TechField.ELECTRONICS: ("510", "520", "413"),
    TechField.ENERGY: ("470", "480"),
    TechField.ENVIRONMENT: ("610", "620"),
    TechField.CHEMICAL: ("530", "150"),
}


def _pk(pk: Any, message: str) -> int:
    try:
        value = int(pk)
    except (TypeError, ValueError):
        raise Http404(message) from None
    if not 0 < value < 2**63:
        raise Http404(message)
    return value


def _year(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and 1900 <= int(text) <= 2100 else None


def _common(qs: QuerySet[Any], filters: dict[str, Any]) -> QuerySet[Any]:
    if filters.get("archived") != "1":
        qs = qs.filter(is_archived=False)
    if region := str(filters.get("region") or "").strip():
        qs = qs.filter(prefix_q("region", region))
    return qs


def achievement_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Achievement]:
    """Achievements within the user's region. Filters: q (title, summary, keywords, owner), field,
    maturity, transfer_form, region, archived."""
    filters = filters or {}
    qs = _common(
        Achievement.objects.restrict(user, "transfer.view_achievement").select_related("owner", "region"), filters
    )
    return _achievement_filters(qs, filters)


def _achievement_filters(qs: QuerySet[Achievement], filters: dict[str, Any]) -> QuerySet[Achievement]:
    if q := str(filters.get("q") or "").strip()[:64]:
        qs = qs.filter(
            Q(title__contains=q) | Q(summary__contains=q) | Q(keywords__contains=q) | Q(owner__name__contains=q)
        )
    for fld in ("field", "maturity", "transfer_form"):
        if value := filters.get(fld):
            qs = qs.filter(**{fld: value})
    return qs


def public_achievements(*, filters: dict[str, Any] | None = None) -> QuerySet[Achievement]:
    """The public listing (成果展示, no login): published, not archived, searchable."""
    qs = Achievement.objects.filter(is_public=True, is_archived=False).select_related("owner", "region")
    return _achievement_filters(qs, filters or {})


def public_achievement_get(*, pk: Any) -> Achievement:
    obj = public_achievements().filter(pk=_pk(pk, "科技成果不存在。")).first()
    if obj is None:
        raise Http404("科技成果不存在。")
    return obj


def achievement_get(*, user: Any, pk: Any) -> Achievement:
    """An achievement the user may see: in their region with the permission, or their organization's own."""
    value = _pk(pk, "科技成果不存在。")
    obj = achievement_list(user=user, filters={"archived": "1"}).filter(pk=value).first()
    if obj is None:
        obj = own_achievements(user=user).filter(pk=value).first()
    if obj is None:
        raise Http404("科技成果不存在。")
    return obj


def own_achievements(*, user: Any) -> QuerySet[Achievement]:
    from kejiju.orgs.selectors import organizations_of_user

    return Achievement.objects.filter(owner__in=organizations_of_user(user=user)).select_related("owner", "region")


def demand_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[TechDemand]:
    """Demands within the user's region. Filters: q, field, status, region, archived."""
    filters = filters or {}
    qs = _common(
        TechDemand.objects.restrict(user, "transfer.view_techdemand").select_related("enterprise", "region"), filters
    )
    if q := str(filters.get("q") or "").strip()[:64]:
        qs = qs.filter(Q(title__contains=q) | Q(problem__contains=q) | Q(enterprise__name__contains=q))
    for fld in ("field", "status"):
        if value := filters.get(fld):
            qs = qs.filter(**{fld: value})
    return qs


def own_demands(*, user: Any) -> QuerySet[TechDemand]:
    """The demands of the organizations the account acts for (单位用户)."""
    from kejiju.orgs.selectors import organizations_of_user

    return TechDemand.objects.filter(enterprise__in=organizations_of_user(user=user)).select_related(
        "enterprise", "region"
    )


def demand_get(*, user: Any, pk: Any) -> TechDemand:
    """A demand the user may see: in their region with the permission, or their organization's own."""
    value = _pk(pk, "技术需求不存在。")
    obj = demand_list(user=user, filters={"archived": "1"}).filter(pk=value).first()
    if obj is None:
        obj = own_demands(user=user).filter(pk=value).first()
    if obj is None:
        raise Http404("技术需求不存在。")
    return obj


@dataclass(frozen=True)
class Suggestion:
    """A ranked candidate for a demand, with the matcher's explanation and whether it is already listed."""

    obj: Any
    score: float
    explanation: str
    shared_terms: tuple[str, ...]
    field_match: bool
    listed: bool


#: How many candidates the matcher reads (newest first); enough for a county, bounded at province scale.
CANDIDATE_LIMIT = 3000


def achievement_suggestions(*, demand: TechDemand, limit: int = 10) -> list[Suggestion]:
    """Public achievements ranked for ``demand`` by text similarity and field (the public listing is open
    to everyone, so the enterprise sees the same suggestions as staff). Ranks the tokens stored on each
    record when it was saved (:mod:`kejiju.transfer.matching`), read without building model instances;
    then reads the ``limit`` best with whether each is already listed: two queries whatever the count."""
    rows = matching.achievement_rows(public_achievements().order_by("-created_at"))[:CANDIDATE_LIMIT]
    ranked = rank(matching.demand_doc(demand), [matching.doc(*row) for row in rows], limit=limit)
    listed = Match.objects.filter(demand=demand, achievement=OuterRef("pk"))
    found = public_achievements().filter(pk__in=[int(m.key) for m in ranked]).annotate(listed=Exists(listed))
    by_key = {str(a.pk): a for a in found}
    return [
        Suggestion(by_key[m.key], m.score, m.explain(), m.shared_terms, m.field_match, by_key[m.key].listed)
        for m in ranked
        if m.key in by_key  # withdrawn between the two reads
    ]


def expert_suggestions(*, user: Any, demand: TechDemand, limit: int = 10) -> list[Suggestion]:
    """Persons (experts) the user may see, ranked for ``demand`` by their keywords, title and major (the
    tokens the people registry stores with each person, :func:`kejiju.transfer.matching.expert_rows`); a
    subject within the demand's field counts as a field match. Empty without the people permission.
    Two queries whatever the count, as for achievements."""
    from kejiju.people.selectors import person_list

    try:
        persons = person_list(user=user).exclude(keywords="")
        rows = list(matching.expert_rows(persons.order_by("-pk"))[:CANDIDATE_LIMIT])
    except Exception:  # no right to read the people registry → no expert suggestions
        return []
    prefixes = FIELD_SUBJECTS.get(demand.field, ())
    docs = []
    for pk, subjects, stored, text in rows:
        in_field = bool(prefixes) and any(str(s).startswith(prefixes) for s in (subjects or []))
        docs.append(matching.expert_doc(pk, demand.field if in_field else None, stored, text))
    ranked = rank(matching.demand_doc(demand), docs, limit=limit)
    listed = Match.objects.filter(demand=demand, expert=OuterRef("pk"))
    found = persons.filter(pk__in=[int(m.key) for m in ranked]).annotate(listed=Exists(listed))
    by_key = {str(p.pk): p for p in found}
    return [
        Suggestion(by_key[m.key], m.score, m.explain(), m.shared_terms, m.field_match, by_key[m.key].listed)
        for m in ranked
        if m.key in by_key
    ]


def match_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Match]:
    """Matches within the user's region. Filters: status, kind, demand (pk), region."""
    filters = filters or {}
    qs = _common(
        Match.objects.restrict(user, "transfer.view_match").select_related(
            "demand", "demand__enterprise", "achievement", "achievement__owner", "expert", "region"
        ),
        filters,
    )
    for fld in ("status", "kind"):
        if value := filters.get(fld):
            qs = qs.filter(**{fld: value})
    if demand := filters.get("demand"):
        qs = qs.filter(demand_id=demand)
    return qs


def match_get(*, user: Any, pk: Any) -> Match:
    obj = match_list(user=user, filters={"archived": "1"}).filter(pk=_pk(pk, "对接不存在。")).first()
    if obj is None:
        raise Http404("对接不存在。")
    return obj


def demand_matches_for_owner(*, demand: TechDemand) -> QuerySet[Match]:
    """The matches of a demand shown to its enterprise (already checked as the demand's owner)."""
    return demand.matches.filter(is_archived=False).select_related("achievement", "achievement__owner", "expert")


def event_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[MatchEvent]:
    filters = filters or {}
    qs = _common(MatchEvent.objects.restrict(user, "transfer.view_matchevent").select_related("region"), filters)
    if (year := _year(filters.get("year"))) is not None:
        qs = qs.filter(held_on__year=year)
    return qs.annotate(pair_count=Count("pairs"))


def event_get(*, user: Any, pk: Any) -> MatchEvent:
    obj = event_list(user=user, filters={"archived": "1"}).filter(pk=_pk(pk, "对接活动不存在。")).first()
    if obj is None:
        raise Http404("对接活动不存在。")
    return obj


def contract_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[TechContract]:
    """Technology contracts within the user's region. Filters: q, contract_type, year, region."""
    filters = filters or {}
    qs = _common(TechContract.objects.restrict(user, "transfer.view_techcontract").select_related("region"), filters)
    if q := str(filters.get("q") or "").strip()[:64]:
        qs = qs.filter(
            Q(title__contains=q)
            | Q(registration_no__contains=q.upper())
            | Q(seller_name__contains=q)
            | Q(buyer_name__contains=q)
        )
    if value := filters.get("contract_type"):
        qs = qs.filter(contract_type=value)
    if (year := _year(filters.get("year"))) is not None:
        qs = qs.filter(registered_on__year=year)
    return qs


def contract_get(*, user: Any, pk: Any) -> TechContract:
    obj = contract_list(user=user, filters={"archived": "1"}).filter(pk=_pk(pk, "技术合同不存在。")).first()
    if obj is None:
        raise Http404("技术合同不存在。")
    return obj


def contract_totals(*, user: Any, region: str, year: int) -> list[dict[str, Any]]:
    """Contracts registered in ``year`` by child region: count and amount (元 and 万元), then a row for
    contracts registered at ``region`` itself (本级, when there are any) and the total (合计). One query."""
    from django.db.models.functions import Substr

    from kejiju.core.models import Region

    children = list(Region.objects.filter(parent_id=region, is_active=True).order_by("code"))
    depth = len(children[0].code) if children else len(region)
    rows = (
        contract_list(user=user, filters={"region": region, "year": year})
        .annotate(area=Substr("region_id", 1, depth))
        .values("area")
        .annotate(n=Count("id"), total=Sum("amount"))
    )
    found = {r["area"]: (r["n"], r["total"] or Decimal(0)) for r in rows}

    def row(code: str, name: str, n: int, total: Decimal) -> dict[str, Any]:
        wan = (total / 10000).quantize(Decimal("0.01"))
        return {"code": code, "name": name, "count": n, "amount": total, "amount_wan": wan}

    out = [row(child.code, child.name, *found.get(child.code, (0, Decimal(0)))) for child in children]
    if children and region in found:
        out.append(row(region, "本级", *found[region]))
    out.append(row(region, "合计", sum(n for n, _ in found.values()), sum((t for _, t in found.values()), Decimal(0))))
    return out


def cooperation_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Cooperation]:
    filters = filters or {}
    qs = _common(Cooperation.objects.restrict(user, "transfer.view_cooperation").select_related("region"), filters)
    if q := str(filters.get("q") or "").strip()[:64]:
        qs = qs.filter(Q(title__contains=q) | Q(partner_name__contains=q))
    return qs


def cooperation_get(*, user: Any, pk: Any) -> Cooperation:
    obj = cooperation_list(user=user, filters={"archived": "1"}).filter(pk=_pk(pk, "合作协议不存在。")).first()
    if obj is None:
        raise Http404("合作协议不存在。")
    return obj


def open_demand_count(*, user: Any) -> int:
    return demand_list(user=user, filters={"status": DemandStatus.OPEN}).count()


def today() -> date:
    return date.today()
