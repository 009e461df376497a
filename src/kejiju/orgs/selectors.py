"""Region-scoped reads of the organizations registry (house rule 2)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from kejiju.core.permissions import prefix_q
from kejiju.engines.idcodes import normalize
from kejiju.orgs.models import IntellectualProperty, Organization, OrganizationAlias, Qualification

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
    (section letter or division code), qualification (kind held and valid today), archived ("1" shows
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
        qs = qs.filter(industry_code=industry)
    if kind := filters.get("qualification"):
        today = date.today()
        valid = Qualification.objects.filter(
            organization=OuterRef("pk"), kind=kind, is_archived=False, issued_on__lte=today
        ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        qs = qs.filter(Exists(valid))
    return qs


def organization_get(*, user: Any, pk: Any) -> Organization:
    """One organization the user may see, else 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("单位不存在。") from None
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


def organization_by_credit_code(*, user: Any, credit_code: str) -> Organization | None:
    return organization_list(user=user, filters={"archived": "1"}).filter(credit_code=normalize(credit_code)).first()
