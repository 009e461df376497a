"""Region-scoped reads of the organizations registry (house rule 2)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from kejiju.core.permissions import prefix_q
from kejiju.engines.idcodes import normalize
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
