"""Region-scoped reads of enterprise cultivation (house rule 2)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from kejiju.core.permissions import active_region_code, prefix_q
from kejiju.cultivation.choices import STAGE_ORDER, AwardStatus, FilingStatus, Stage
from kejiju.cultivation.models import (
    PipelineEntry,
    RdReserveFiling,
    SubsidyAward,
    SubsidyPolicy,
    SubsidyPolicyVersion,
)


def _pk(pk: Any, message: str) -> int:
    try:
        value = int(pk)
    except (TypeError, ValueError):
        raise Http404(message) from None
    if not 0 < value < 2**63:
        raise Http404(message)
    return value


def _year(value: Any) -> int | None:
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return year if 2000 <= year <= 2100 else None


def _common(qs: Any, filters: dict[str, Any]) -> Any:
    if q := str(filters.get("q") or "").replace("\x00", "").strip()[:64]:
        qs = qs.filter(Q(organization__name__contains=q) | Q(organization__credit_code__startswith=q.upper()))
    if (year := _year(filters.get("year"))) is not None:
        qs = qs.filter(year=year)
    region = str(filters.get("region") or "").strip()
    if region.isascii() and region.isdigit() and len(region) <= 12:
        qs = qs.filter(prefix_q("region", region))
    if org := filters.get("organization"):
        try:
            org_id = int(org)
        except (TypeError, ValueError):
            org_id = 0
        qs = qs.filter(organization_id=org_id) if 0 < org_id < 2**63 else qs.none()
    return qs


# ------------------------------------------------------------------------------------------ pipeline


def pipeline_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[PipelineEntry]:
    """Pipeline entries within the user's region. Filters: q (name or credit code), year, stage, region
    (code prefix), organization (pk), closest ("1": 后备/申报 entries ordered by the fewest unmet
    conditions, then the highest possible innovation score)."""
    filters = filters or {}
    qs: Any = PipelineEntry.objects.restrict(user, "cultivation.view_pipelineentry").select_related(
        "organization", "region"
    )
    qs = _common(qs.filter(is_archived=False), filters)
    if (stage := filters.get("stage")) in Stage.values:
        qs = qs.filter(stage=stage)
    if filters.get("closest") == "1":
        qs = qs.filter(stage__in=[Stage.RESERVE, Stage.APPLIED], gap_count__isnull=False).order_by(
            "gap_count", "-innovation_max", "pk"
        )
    return qs


def pipeline_get(*, user: Any, pk: Any) -> PipelineEntry:
    pk = _pk(pk, "培育库记录不存在。")
    obj = pipeline_list(user=user).filter(pk=pk).first()
    if obj is None:
        raise Http404("培育库记录不存在。")
    return obj


def pipeline_closest(*, user: Any, year: int | None = None, limit: int = 10) -> list[PipelineEntry]:
    """The 后备/申报 enterprises closest to qualifying as 高企 (fewest unmet conditions)."""
    filters: dict[str, Any] = {"closest": "1"}
    if year:
        filters["year"] = year
    return list(pipeline_list(user=user, filters=filters)[:limit])


def _reached(stage: str) -> list[str]:
    """Stages at or after ``stage`` (an entry there has passed through ``stage``; lapsed entries were
    recognised)."""
    return STAGE_ORDER[STAGE_ORDER.index(stage) :]


def pipeline_stats(*, user: Any, year: int | None = None, region: str = "") -> dict[str, Any]:
    """Counts per stage (current) and per region (one level below the active region), and the
    conversion rates stage to stage: entries that reached stage n+1 ÷ entries that reached stage n."""
    qs = pipeline_list(user=user, filters={"year": year, "region": region})
    by_stage = {row["stage"]: row["n"] for row in qs.values("stage").annotate(n=Count("pk"))}
    reached = {s: sum(by_stage.get(t, 0) for t in _reached(s)) for s in STAGE_ORDER}
    conversions = []
    flow = STAGE_ORDER[:-1]  # lapsed is not a step forward
    for a, b in zip(flow, flow[1:], strict=False):
        base = reached[a]
        rate = (Decimal(reached[b]) * 100 / base).quantize(Decimal("0.1")) if base else None
        conversions.append(
            {"from": Stage(a).label, "to": Stage(b).label, "base": base, "count": reached[b], "rate": rate}
        )
    scope = region or active_region_code(user) or ""
    length = {0: 2, 2: 4, 4: 6}.get(len(scope), 9)
    regions: dict[str, dict[str, int]] = {}
    from django.db.models.functions import Substr

    rows = qs.annotate(part=Substr("region_id", 1, length)).values("part", "stage").annotate(n=Count("pk"))
    for row in rows:
        regions.setdefault(row["part"], {})[row["stage"]] = row["n"]
    from kejiju.core.models import Region

    names = dict(Region.objects.filter(code__in=list(regions)).values_list("code", "name"))
    region_rows = [
        {
            "code": code,
            "name": names.get(code, code),
            "counts": [counts.get(s, 0) for s in STAGE_ORDER],
            "total": sum(counts.values()),
        }
        for code, counts in sorted(regions.items())
    ]
    years = sorted(
        set(PipelineEntry.objects.restrict(user, "cultivation.view_pipelineentry").values_list("year", flat=True)),
        reverse=True,
    )
    return {
        "stages": [
            {"value": s, "label": Stage(s).label, "count": by_stage.get(s, 0), "reached": reached[s]}
            for s in STAGE_ORDER
        ],
        "conversions": conversions,
        "regions": region_rows,
        "total": sum(by_stage.values()),
        "years": years,
    }


def organization_panel(*, user: Any, organization: Any) -> dict[str, Any]:
    """The organization page's panel: its pipeline entries, filings and subsidies (within scope)."""
    return {
        "entries": list(pipeline_list(user=user, filters={"organization": organization.pk})[:10]),
        "filings": list(filing_list(user=user, filters={"organization": organization.pk})[:10])
        if user.has_perm("cultivation.view_rdreservefiling")
        else [],
        "awards": list(award_list(user=user, filters={"organization": organization.pk})[:10])
        if user.has_perm("cultivation.view_subsidyaward")
        else [],
    }


# ------------------------------------------------------------------------------------------ filings


def filing_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[RdReserveFiling]:
    """R&D reserve filings within the user's region. Filters: q, year, region, organization, status."""
    filters = filters or {}
    qs: Any = RdReserveFiling.objects.restrict(user, "cultivation.view_rdreservefiling").select_related(
        "organization", "region"
    )
    qs = _common(qs.filter(is_archived=False), filters)
    if (status := filters.get("status")) in FilingStatus.values:
        qs = qs.filter(status=status)
    return qs


def filing_get(*, user: Any, pk: Any) -> RdReserveFiling:
    pk = _pk(pk, "备案记录不存在。")
    obj = filing_list(user=user).filter(pk=pk).first()
    if obj is None:
        raise Http404("备案记录不存在。")
    return obj


def filing_totals(*, user: Any, filters: dict[str, Any] | None = None) -> dict[str, Any]:
    """Filed (已备案) count and total reserve and R&D amounts of the listed filings."""
    qs = filing_list(user=user, filters=filters).filter(status=FilingStatus.FILED)
    agg = qs.aggregate(n=Count("pk"), reserve=Sum("reserve_amount"), rd=Sum("rd_expense"))
    return {"count": agg["n"], "reserve": agg["reserve"] or Decimal("0.00"), "rd": agg["rd"] or Decimal("0.00")}


# ------------------------------------------------------------------------------------------ subsidies


def policy_list(*, user: Any) -> QuerySet[SubsidyPolicy]:
    """Subsidy policies (shared by every region; they are rules, not records)."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm("cultivation.view_subsidypolicy"):
        return SubsidyPolicy.objects.none()
    return SubsidyPolicy.objects.prefetch_related("versions").order_by("code")


def policy_get(*, user: Any, pk: Any) -> SubsidyPolicy:
    pk = _pk(pk, "奖补政策不存在。")
    obj = policy_list(user=user).filter(pk=pk).first()
    if obj is None:
        raise Http404("奖补政策不存在。")
    return obj


def policy_versions(*, policy: SubsidyPolicy) -> QuerySet[SubsidyPolicyVersion]:
    return policy.versions.order_by("-effective_from")


def award_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[SubsidyAward]:
    """Subsidy awards within the user's region. Filters: q, year, region, organization, status, policy
    (code)."""
    filters = filters or {}
    qs: Any = SubsidyAward.objects.restrict(user, "cultivation.view_subsidyaward").select_related(
        "organization", "region", "policy_version__policy", "person"
    )
    qs = _common(qs.filter(is_archived=False), filters)
    if (status := filters.get("status")) in AwardStatus.values:
        qs = qs.filter(status=status)
    if policy := str(filters.get("policy") or "").replace("\x00", "").strip()[:40]:
        qs = qs.filter(policy_version__policy__code=policy)
    return qs


def award_get(*, user: Any, pk: Any) -> SubsidyAward:
    pk = _pk(pk, "奖补记录不存在。")
    obj = award_list(user=user).filter(pk=pk).first()
    if obj is None:
        raise Http404("奖补记录不存在。")
    return obj


def award_totals(*, user: Any, filters: dict[str, Any] | None = None, by: str = "policy") -> list[dict[str, Any]]:
    """Totals of the listed awards grouped ``by`` policy, year or region (one level below the active
    region): count and amount calculated (not rejected), and count and amount paid."""
    qs = award_list(user=user, filters=filters).exclude(status=AwardStatus.REJECTED)
    label_of: Any
    if by == "year":
        key, label_of = "year", (lambda v: "%s 年" % v)
        rows = qs.values(key)
    elif by == "region":
        from django.db.models.functions import Substr

        from kejiju.core.models import Region

        scope = active_region_code(user) or ""
        length = {0: 2, 2: 4, 4: 6}.get(len(scope), 9)
        qs = qs.annotate(part=Substr("region_id", 1, length))
        key = "part"
        rows = qs.values(key)
        names = dict(Region.objects.filter(code__in=qs.values(key)).values_list("code", "name"))
        label_of = lambda v: names.get(v, v)  # noqa: E731
    else:
        key = "policy_version__policy__name"
        rows = qs.values(key)
        label_of = str
    data = rows.annotate(
        n=Count("pk"),
        total_amount=Sum("amount"),
        paid_n=Count("pk", filter=Q(status=AwardStatus.PAID)),
        paid_amount=Sum("amount", filter=Q(status=AwardStatus.PAID)),
    ).order_by(key)
    return [
        {
            "label": label_of(r[key]),
            "count": r["n"],
            "amount": r["total_amount"] or Decimal("0.00"),
            "paid_count": r["paid_n"],
            "paid": r["paid_amount"] or Decimal("0.00"),
        }
        for r in data
    ]


def publicity_list(*, region: str = "", year: int | None = None) -> QuerySet[SubsidyAward]:
    """Awards under publicity or paid (公示名单), public: name, policy, amount only."""
    qs = SubsidyAward.objects.filter(
        status__in=[AwardStatus.PUBLICIZED, AwardStatus.PAID], is_archived=False
    ).select_related("organization", "policy_version__policy", "region")
    if region.isascii() and region.isdigit() and len(region) <= 12:
        qs = qs.filter(prefix_q("region", region))
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "region_id", "organization__name")


def ledger(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[SubsidyAward]:
    """The payment ledger: paid awards, newest payment first."""
    return award_list(user=user, filters=filters).filter(status=AwardStatus.PAID).order_by("-paid_on", "-pk")
