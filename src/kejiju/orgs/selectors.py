"""Region-scoped reads of the organizations registry (house rule 2)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from kejiju.core.permissions import prefix_q
from kejiju.engines.idcodes import normalize
from kejiju.orgs import ipnumbers
from kejiju.orgs.models import IntellectualProperty, Organization, OrganizationAlias, Qualification

# The detail page's panel registry belongs to the public read surface: other modules add their panels
# with ``kejiju.orgs.selectors.register_organization_panel`` (see :mod:`kejiju.orgs.panels`).
from kejiju.orgs.panels import OrganizationPanel as OrganizationPanel
from kejiju.orgs.panels import organization_panels as organization_panels
from kejiju.orgs.panels import panels_for as panels_for
from kejiju.orgs.panels import register_organization_panel as register_organization_panel

_INITIALS = re.compile(r"^[a-zA-Z]{2,}$")
_CODE_LIKE = re.compile(r"^[0-9A-Za-z]{6,18}$")


def organization_search_q(q: str) -> Q:
    """Search by name (or former name), credit code prefix, or pinyin initials (ahkj → 安徽科技…)."""
    q = q.strip()
    condition = Q(name__contains=q) | Q(aliases__name__contains=q)
    if _CODE_LIKE.match(q) and any(c.isdigit() for c in q):
        condition |= Q(credit_code__startswith=normalize(q))
    if _INITIALS.match(q):
        condition |= Q(name_initials__contains=" " + q.lower())
    return condition


def organization_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Organization]:
    """Organizations within the user's region. Filters: q, org_type, region (code prefix), industry
    (a section letter, which includes its divisions, or a division code), qualification (kind held and valid today), archived ("1" shows
    archived and merged records)."""
    qs = Organization.objects.restrict(user, "orgs.view_organization").select_related("region")
    filters = filters or {}
    if filters.get("archived") != "1":
        qs = qs.filter(is_archived=False)
    if q := (filters.get("q") or "").strip():
        # a former-name match joins the alias table: one row per organization
        qs = qs.filter(pk__in=Organization.objects.filter(organization_search_q(q)).values("pk"))
    if org_type := filters.get("org_type"):
        qs = qs.filter(org_type=org_type)
    if region := (filters.get("region") or "").strip():
        qs = qs.filter(prefix_q("region", region))
    if industry := (filters.get("industry") or "").strip().upper():
        if industry.isalpha():
            # a section (门类) covers the organizations filed under its divisions (大类) too
            from kejiju.core.models import CodeItem

            divisions = CodeItem.objects.filter(kind="industry", parent_code=industry).values("code")
            qs = qs.filter(Q(industry_code=industry) | Q(industry_code__in=divisions))
        else:
            qs = qs.filter(industry_code=industry.lstrip("ABCDEFGHIJKLMNOPQRST"))
    if kind := filters.get("qualification"):
        today = date.today()
        # an IN over the (few) valid certificates of that kind: one pass over the kind index, where a
        # correlated EXISTS per organization costs a scan per row at province scale
        valid = Qualification.objects.filter(kind=kind, is_archived=False, issued_on__lte=today).filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=today)
        )
        qs = qs.filter(pk__in=valid.values("organization_id"))
    return qs


def organization_get(*, user: Any, pk: Any) -> Organization:
    """One organization the user may see, else 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("单位不存在。") from None
    if not 0 < pk < 2**63:  # beyond a 64-bit key the database driver would raise instead of answering 404
        raise Http404("单位不存在。")
    obj = organization_list(user=user, filters={"archived": "1"}).filter(pk=pk).first()
    if obj is None:
        raise Http404("单位不存在。")
    return obj


def organization_aliases(*, organization: Organization) -> QuerySet[OrganizationAlias]:
    return organization.aliases.all()


def organization_qualifications(*, organization: Organization) -> QuerySet[Qualification]:
    return organization.qualifications.filter(is_archived=False).order_by("-issued_on")


def organization_ip(*, organization: Organization) -> QuerySet[IntellectualProperty]:
    return organization.intellectual_property.filter(is_archived=False).order_by("-applied_on", "-id")


def ip_number_key(number: str) -> str:
    """A comparison key of an IP number as people write it: normalized, without the dot and the ``ZL``
    prefix, so ``ZL 2024 1 0123456.7`` and ``202410123456.7`` meet."""
    value = ipnumbers.normalize_ip_number(number).replace(".", "")
    return value[2:] if value.startswith("ZL") else value


def ip_held_by_number(*, organization: Organization) -> dict[str, IntellectualProperty]:
    """The organization's live IP records keyed by :func:`ip_number_key` of their numbers."""
    records = IntellectualProperty.objects.filter(organization=organization, is_archived=False).order_by("pk")
    return {ip_number_key(ip.number): ip for ip in records}


def organization_by_credit_code(*, user: Any, credit_code: str) -> Organization | None:
    return organization_list(user=user, filters={"archived": "1"}).filter(credit_code=normalize(credit_code)).first()


def organization_operations(*, user: Any, organization: Organization, limit: int = 20) -> list[Any]:
    """The latest operation-log rows about an organization and its qualifications and IP (those
    services record the organization in ``extra``), newest first; empty without
    ``core.view_operationlog``, and only rows within the user's active region."""
    from django.contrib.contenttypes.models import ContentType

    from kejiju.core.models import OperationLog

    types = ContentType.objects.get_for_models(Organization, Qualification, IntellectualProperty)
    condition = Q(target_type=types[Organization], target_id=str(organization.pk)) | Q(
        target_type__in=[types[Qualification], types[IntellectualProperty]], extra__organization=organization.pk
    )
    return list(
        OperationLog.objects.restrict(user, "core.view_operationlog")
        .filter(condition)
        .select_related("actor")
        .order_by("-created_at", "-pk")[:limit]
    )


def qualification_get(*, user: Any, organization: Organization, pk: Any) -> Qualification:
    """A qualification of ``organization`` (already checked visible), else 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("资质不存在。") from None
    if not 0 < pk < 2**63:
        raise Http404("资质不存在。")
    obj = organization.qualifications.filter(pk=pk).first()
    if obj is None:
        raise Http404("资质不存在。")
    return obj


def ip_get(*, user: Any, organization: Organization, pk: Any) -> IntellectualProperty:
    """An intellectual-property record of ``organization`` (already checked visible), else 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("知识产权记录不存在。") from None
    if not 0 < pk < 2**63:
        raise Http404("知识产权记录不存在。")
    obj = organization.intellectual_property.filter(pk=pk).first()
    if obj is None:
        raise Http404("知识产权记录不存在。")
    return obj


def organizations_of_user(*, user: Any) -> QuerySet[Organization]:
    """The organizations an account acts for (单位用户), not archived, unmerged."""
    if not getattr(user, "is_authenticated", False):
        return Organization.objects.none()
    return Organization.objects.filter(members__user=user, is_archived=False, merged_into__isnull=True).order_by("name")


def organization_member_ids(*, organization: Any) -> list[int]:
    """Account ids acting for an organization (to notify them)."""
    from kejiju.orgs.models import OrganizationMember

    return list(OrganizationMember.objects.filter(organization=organization).values_list("user_id", flat=True))


# ------------------------------------------------------------------ IP records, counts, custody, cases


def _int_pk(pk: Any, message: str) -> int:
    try:
        value = int(pk)
    except (TypeError, ValueError):
        raise Http404(message) from None
    if not 0 < value < 2**63:
        raise Http404(message)
    return value


def ip_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[IntellectualProperty]:
    """IP records within the user's region (organizations' and individuals'). Filters: q (title, number,
    owner name), ip_type, status, region (code prefix), year (application year), granted_year,
    organization (pk), archived ("1" includes archived)."""
    qs = IntellectualProperty.objects.restrict(user, "orgs.view_intellectualproperty").select_related(
        "organization", "person", "region"
    )
    filters = filters or {}
    if filters.get("archived") != "1":
        qs = qs.filter(is_archived=False)
    if q := str(filters.get("q") or "").strip()[:64]:
        qs = qs.filter(
            Q(title__contains=q)
            | Q(number__contains=q.upper())
            | Q(organization__name__contains=q)
            | Q(person__name__contains=q)
            | Q(owners__contains=q)
        )
    if ip_type := filters.get("ip_type"):
        qs = qs.filter(ip_type=ip_type)
    if status := filters.get("status"):
        qs = qs.filter(status=status)
    if region := str(filters.get("region") or "").strip():
        qs = qs.filter(prefix_q("region", region))
    if (year := _year(filters.get("year"))) is not None:
        qs = qs.filter(applied_on__year=year)
    if (granted := _year(filters.get("granted_year"))) is not None:
        qs = qs.filter(granted_on__year=granted)
    if org := filters.get("organization"):
        qs = qs.filter(organization_id=org)
    return qs


def _year(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and 1900 <= int(text) <= 2100 else None


def ip_record_get(*, user: Any, pk: Any) -> IntellectualProperty:
    """One IP record the user may see (archived included), else 404."""
    value = _int_pk(pk, "知识产权记录不存在。")
    obj = ip_list(user=user, filters={"archived": "1"}).filter(pk=value).first()
    if obj is None:
        raise Http404("知识产权记录不存在。")
    return obj


def population_of(*, region_codes: list[str], year: int) -> dict[str, int]:
    """Resident population by region code for ``year`` (only regions with a figure entered)."""
    from kejiju.orgs.models import RegionPopulation

    return dict(
        RegionPopulation.objects.filter(region_id__in=region_codes, year=year).values_list("region_id", "population")
    )


def ip_counts(*, user: Any, region: str, year: int) -> dict[str, Any]:
    """专利申请量 / 授权量 of ``year`` by child region (the towns of a county, the counties of a city…) and
    by type, with 每万人 figures where a population is entered. Two aggregate queries, whatever the size.

    Returns ``{"types": [(code, label)], "rows": [{"code", "name", "applied": {type: n}, "granted": {type: n},
    "applied_total", "granted_total", "population", "applied_per_10k", "granted_per_10k"}], "total": {...}}``.
    """
    from decimal import ROUND_HALF_UP, Decimal

    from django.db.models import Count
    from django.db.models.functions import Substr

    from kejiju.core.models import Region
    from kejiju.orgs.choices import IpType

    base = ip_list(user=user, filters={"region": region})
    children = list(Region.objects.filter(parent_id=region, is_active=True).order_by("code"))
    depth = len(children[0].code) if children else len(region)
    types = [(str(t.value), str(t.label)) for t in IpType]

    def grouped(field: str) -> dict[tuple[str, str], int]:
        rows = (
            base.filter(**{f"{field}__year": year})
            .annotate(area=Substr("region_id", 1, depth))
            .values("area", "ip_type")
            .annotate(n=Count("id"))
        )
        return {(r["area"], r["ip_type"]): r["n"] for r in rows}

    applied, granted = grouped("applied_on"), grouped("granted_on")
    population = population_of(region_codes=[c.code for c in children] + [region], year=year)

    def per_10k(count: int, people: int | None) -> Decimal | None:
        if not people:
            return None
        return (Decimal(count) * 10000 / Decimal(people)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    def row(code: str, name: str) -> dict[str, Any]:
        a = {t: applied.get((code, t), 0) for t, _ in types}
        g = {t: granted.get((code, t), 0) for t, _ in types}
        people = population.get(code)
        return {
            "code": code,
            "name": name,
            "applied": a,
            "granted": g,
            "applied_total": sum(a.values()),
            "granted_total": sum(g.values()),
            "population": people,
            "applied_per_10k": per_10k(sum(a.values()), people),
            "granted_per_10k": per_10k(sum(g.values()), people),
        }

    rows = [row(c.code, c.name) for c in children]
    # the total counts every record of the region, including those filed on the region itself
    total_a = {t: sum(v for (_, kind), v in applied.items() if kind == t) for t, _ in types}
    total_g = {t: sum(v for (_, kind), v in granted.items() if kind == t) for t, _ in types}
    people = population.get(region) or (
        sum(r["population"] or 0 for r in rows) if rows and all(r["population"] for r in rows) else None
    )
    total: dict[str, Any] = {"applied": total_a, "granted": total_g, "population": people}
    total["applied_total"] = sum(total["applied"].values())
    total["granted_total"] = sum(total["granted"].values())
    total["applied_per_10k"] = per_10k(total["applied_total"], people)
    total["granted_per_10k"] = per_10k(total["granted_total"], people)
    used = {t for t, _ in types if total_a[t] or total_g[t]}
    return {"types": [t for t in types if t[0] in used] or types[:3], "rows": rows, "total": total, "year": year}


def custody_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Any]:
    """IP custody agreements within the user's region. Filters: q (enterprise or provider name), year
    (agreements in force during that year), region, enterprise (pk), archived."""
    from kejiju.orgs.models import IpCustodyAgreement

    qs = IpCustodyAgreement.objects.restrict(user, "orgs.view_ipcustodyagreement").select_related(
        "provider", "enterprise", "region"
    )
    filters = filters or {}
    if filters.get("archived") != "1":
        qs = qs.filter(is_archived=False)
    if q := str(filters.get("q") or "").strip()[:64]:
        qs = qs.filter(Q(enterprise__name__contains=q) | Q(provider__name__contains=q) | Q(number__contains=q))
    if (year := _year(filters.get("year"))) is not None:
        qs = qs.filter(starts_on__lte=date(year, 12, 31), ends_on__gte=date(year, 1, 1))
    if region := str(filters.get("region") or "").strip():
        qs = qs.filter(prefix_q("region", region))
    if enterprise := filters.get("enterprise"):
        qs = qs.filter(enterprise_id=enterprise)
    return qs


def custody_get(*, user: Any, pk: Any) -> Any:
    """One custody agreement the user may see, else 404."""
    value = _int_pk(pk, "托管协议不存在。")
    obj = custody_list(user=user, filters={"archived": "1"}).filter(pk=value).first()
    if obj is None:
        raise Http404("托管协议不存在。")
    return obj


def custody_services(*, agreement: Any) -> QuerySet[Any]:
    return agreement.services.filter(is_archived=False).select_related("ip").order_by("-served_on", "-id")


def custody_report(*, user: Any, year: int, region: str = "") -> list[dict[str, Any]]:
    """The yearly service report (托管服务年度报告): per agreement in force that year, the services
    delivered by kind, the applications filed and granted for the enterprise in the year."""
    from django.db.models import Count

    from kejiju.orgs.choices import CustodyServiceKind
    from kejiju.orgs.models import IpCustodyService

    agreements = list(custody_list(user=user, filters={"year": year, "region": region}).order_by("enterprise__name"))
    ids = [a.pk for a in agreements]
    counts: dict[tuple[int, str], int] = {}
    for r in (
        IpCustodyService.objects.filter(agreement_id__in=ids, served_on__year=year, is_archived=False)
        .values("agreement_id", "kind")
        .annotate(n=Count("id"))
    ):
        counts[(r["agreement_id"], r["kind"])] = r["n"]
    enterprise_ids = [a.enterprise_id for a in agreements]
    filed: dict[int, int] = {}
    granted: dict[int, int] = {}
    for r in (
        IntellectualProperty.objects.filter(
            organization_id__in=enterprise_ids, applied_on__year=year, is_archived=False
        )
        .values("organization_id")
        .annotate(n=Count("id"))
    ):
        filed[r["organization_id"]] = r["n"]
    for r in (
        IntellectualProperty.objects.filter(
            organization_id__in=enterprise_ids, granted_on__year=year, is_archived=False
        )
        .values("organization_id")
        .annotate(n=Count("id"))
    ):
        granted[r["organization_id"]] = r["n"]
    rows = []
    for a in agreements:
        by_kind = {str(k.value): counts.get((a.pk, str(k.value)), 0) for k in CustodyServiceKind}
        rows.append(
            {
                "agreement": a,
                "by_kind": by_kind,
                "services": sum(by_kind.values()),
                "filed": filed.get(a.enterprise_id, 0),
                "granted": granted.get(a.enterprise_id, 0),
            }
        )
    return rows


def enterprise_portfolio(*, organization: Organization) -> dict[str, Any]:
    """An enterprise's IP portfolio (知识产权数据库): records by type and status, Class I/II counts."""
    items = list(organization_ip(organization=organization).select_related("person"))
    by_type: dict[str, dict[str, int]] = {}
    for ip in items:
        cell = by_type.setdefault(ip.get_ip_type_display(), {"applied": 0, "granted": 0, "lapsed": 0})
        cell[ip.status] = cell.get(ip.status, 0) + 1
    return {
        "items": items,
        "by_type": by_type,
        "class_i": sum(1 for i in items if i.ip_class == "I" and i.status == "granted"),
        "class_ii": sum(1 for i in items if i.ip_class == "II" and i.status == "granted"),
    }


def ip_case_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Any]:
    """IP enforcement and promotion records within the user's region. Filters: kind, year, q."""
    from kejiju.orgs.models import IpCase

    qs = IpCase.objects.restrict(user, "orgs.view_ipcase").select_related("organization", "region")
    filters = filters or {}
    if filters.get("archived") != "1":
        qs = qs.filter(is_archived=False)
    if kind := filters.get("kind"):
        qs = qs.filter(kind=kind)
    if (year := _year(filters.get("year"))) is not None:
        qs = qs.filter(occurred_on__year=year)
    if q := str(filters.get("q") or "").strip()[:64]:
        qs = qs.filter(Q(title__contains=q) | Q(referred_to__contains=q))
    return qs


def ip_case_get(*, user: Any, pk: Any) -> Any:
    value = _int_pk(pk, "记录不存在。")
    obj = ip_case_list(user=user, filters={"archived": "1"}).filter(pk=value).first()
    if obj is None:
        raise Http404("记录不存在。")
    return obj


# A promotion event held through the outreach module is linked, not re-entered: ``IpCase.activity_ref``
# keeps "outreach.activity:<id>"; the activity is read through the outreach module's selectors, so a user
# only ever picks or sees activities within their own region.

#: Words marking an outreach activity as IP promotion: such activities head the picker.
IP_ACTIVITY_WORDS = ("知识产权", "专利", "商标")
#: How far back the picker reaches (days): the last two years.
IP_ACTIVITY_PICK_DAYS = 731
_ACTIVITY_REF = re.compile(r"outreach\.activity:(\d{1,18})")


def activity_ref_of(activity: Any) -> str:
    """The stored reference of an outreach activity (``outreach.activity:12``)."""
    return "outreach.activity:%d" % activity.pk


def activity_ref_pk(ref: Any) -> int | None:
    """The activity id in a reference, or ``None`` when the text is not one."""
    match = _ACTIVITY_REF.fullmatch(str(ref or "").strip())
    if match is None:
        return None
    value = int(match.group(1))
    return value if 0 < value < 2**63 else None


def activity_label(activity: Any) -> str:
    """``日期 标题（地点/区划）``: the held date (the planned one, marked 计划, before it is held)."""
    day = activity.start_on or activity.planned_start
    region_name = activity.region.name if activity.region_id else ""
    place = "/".join(p for p in (activity.venue, region_name) if p)
    text = "%s %s" % (day.isoformat() if day else "", activity.title)
    if place:
        text += "（%s）" % place
    if activity.start_on is None:
        text += " [计划]"
    return text


def ip_activity_options(*, user: Any, today: date | None = None) -> list[tuple[str, str]]:
    """The outreach activities a promotion record may be linked to, as (reference, label): within the
    user's region, not cancelled, of the last two years, IP-related ones (知识产权/专利/商标 in the kind,
    title or topic) first, then the newest."""
    from kejiju.outreach import selectors as outreach_selectors

    since = (today or date.today()) - timedelta(days=IP_ACTIVITY_PICK_DAYS)
    rows = outreach_selectors.activity_pick_list(user=user, since=since, first_words=IP_ACTIVITY_WORDS)
    return [(activity_ref_of(a), activity_label(a)) for a in rows[:500]]


def ip_case_activity(*, user: Any, ref: Any, linkable: bool = False) -> Any | None:
    """The outreach activity a reference names, if ``user`` may see it (their region); else ``None``.
    ``linkable``: only one a record may be linked to now (not cancelled)."""
    from kejiju.outreach import selectors as outreach_selectors

    pk = activity_ref_pk(ref)
    if pk is None:
        return None
    qs = outreach_selectors.activity_pick_list(user=user) if linkable else outreach_selectors.activity_list(user=user)
    return qs.filter(pk=pk).first()


def ip_case_activities(*, user: Any, refs: Any) -> dict[str, Any]:
    """The activities named by ``refs`` that ``user`` may see, by reference (one query)."""
    from kejiju.outreach import selectors as outreach_selectors

    pks = {pk for ref in refs if (pk := activity_ref_pk(ref)) is not None}
    if not pks:
        return {}
    return {activity_ref_of(a): a for a in outreach_selectors.activity_list(user=user).filter(pk__in=pks)}


def custody_attachments(*, agreement: Any) -> list[Any]:
    """The files attached to a custody agreement (the signed agreement), not archived."""
    from django.contrib.contenttypes.models import ContentType

    from kejiju.core.models import Attachment

    return list(
        Attachment.objects.filter(
            owner_type=ContentType.objects.get_for_model(agreement), owner_id=str(agreement.pk), is_archived=False
        ).order_by("-pk")
    )
