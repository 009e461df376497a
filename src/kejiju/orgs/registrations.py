"""What the organizations registry adds to the platform: role permissions, menu, region counters, the
field-history pages, and its own panels of the organization detail page."""

from __future__ import annotations

from datetime import date
from typing import Any

from kejiju.core.audit import register_history_model
from kejiju.core.choices import Role
from kejiju.core.navigation import NavItem, register_nav
from kejiju.core.roles import grant
from kejiju.core.selectors import RegionCounter, register_region_counter
from kejiju.orgs.panels import register_organization_panel

VIEW = ("orgs.view_organization", "orgs.view_qualification", "orgs.view_intellectualproperty")
EDIT = ("orgs.add_organization", "orgs.change_organization", "orgs.import_organization")

IP_VIEW = (
    "orgs.view_ipcustodyagreement",
    "orgs.view_ipcustodyservice",
    "orgs.view_ipcase",
    "orgs.view_regionpopulation",
)
IP_EDIT = (
    "orgs.change_intellectualproperty",
    "orgs.import_intellectualproperty",
    "orgs.subsidize_intellectualproperty",
    "orgs.change_regionpopulation",
    "orgs.add_ipcustodyagreement",
    "orgs.change_ipcustodyagreement",
    "orgs.add_ipcase",
    "orgs.change_ipcase",
)

grant((Role.SYSTEM_ADMIN, Role.BUREAU_ADMIN), *VIEW, *EDIT, *IP_VIEW, *IP_EDIT, "orgs.merge_organization")
grant(Role.BUREAU_STAFF, *VIEW, *EDIT, *IP_VIEW, *IP_EDIT)
grant((Role.BUREAU_LEADER, Role.TOWN_STATION), *VIEW, *IP_VIEW)

register_nav(
    "orgs",
    "主体库",
    "buildings",
    100,
    [
        NavItem("单位列表", "orgs:organization_list", "orgs.view_organization", "building"),
        NavItem("新增单位", "orgs:organization_create", "orgs.add_organization", "plus-circle"),
        NavItem("导入单位", "orgs:organization_import", "orgs.import_organization", "upload"),
        NavItem("合并重复单位", "orgs:organization_merge", "orgs.merge_organization", "intersect"),
    ],
)


def _organizations():  # type: ignore[no-untyped-def]
    from kejiju.orgs.models import Organization

    return Organization.objects.filter(is_archived=False)


def _valid(kind: str):  # type: ignore[no-untyped-def]
    """Qualifications of ``kind`` valid today (one certificate per organization)."""

    def queryset():  # type: ignore[no-untyped-def]
        from datetime import date

        from django.db.models import Q

        from kejiju.orgs.models import Qualification

        today = date.today()
        return Qualification.objects.filter(kind=kind, is_archived=False, issued_on__lte=today).filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=today)
        )

    return queryset


register_region_counter(RegionCounter("organizations", "单位", _organizations, url_name="orgs:organization_list"))
register_region_counter(
    RegionCounter(
        "hnte", "有效高新技术企业", _valid("hnte"), url_name="orgs:organization_list", url_query="qualification=hnte"
    )
)
register_region_counter(
    RegionCounter(
        "tech_sme",
        "科技型中小企业",
        _valid("tech_sme"),
        url_name="orgs:organization_list",
        url_query="qualification=tech_sme",
    )
)

# The history pages (core:history_detail/<key>/<pk>/) browse these models' field history.
register_history_model("organization", "orgs.Organization", "单位")
register_history_model("qualification", "orgs.Qualification", "资质")
register_history_model("intellectualproperty", "orgs.IntellectualProperty", "知识产权")
register_history_model("ipcustodyagreement", "orgs.IpCustodyAgreement", "知识产权托管协议")
register_history_model("ipcase", "orgs.IpCase", "知识产权保护与宣传")

register_nav(
    "ip",
    "知识产权",
    "lightbulb",
    110,
    [
        NavItem("知识产权列表", "orgs:ip_list", "orgs.view_intellectualproperty", "list-ul"),
        NavItem("专利统计", "orgs:ip_stats", "orgs.view_intellectualproperty", "bar-chart"),
        NavItem("导入知识产权", "orgs:ip_import", "orgs.import_intellectualproperty", "upload"),
        NavItem("知识产权托管", "orgs:custody_list", "orgs.view_ipcustodyagreement", "briefcase"),
        NavItem("保护与宣传", "orgs:ip_case_list", "orgs.view_ipcase", "shield-check"),
    ],
)


def _custody_panel(user: Any, organization: Any) -> dict[str, Any] | None:
    from kejiju.orgs import selectors
    from kejiju.orgs.permissions import can_add_custody, can_view_custody

    if not can_view_custody(user):
        return None
    agreements = list(selectors.custody_list(user=user, filters={"enterprise": organization.pk}))
    if not agreements and not can_add_custody(user):
        return None
    return {"agreements": agreements, "can_add": can_add_custody(user)}


def _qualification_panel(user: Any, organization: Any) -> dict[str, Any] | None:
    from kejiju.orgs import selectors
    from kejiju.orgs.permissions import can_change_organization

    if not user.has_perm("orgs.view_qualification"):
        return None
    today = date.today()
    rows = [
        {"q": q, "valid": q.is_valid_on(today)}
        for q in selectors.organization_qualifications(organization=organization)
    ]
    return {"rows": rows, "can_edit": can_change_organization(user, organization)}


def _ip_panel(user: Any, organization: Any) -> dict[str, Any] | None:
    from kejiju.orgs import selectors
    from kejiju.orgs.permissions import can_change_organization

    if not user.has_perm("orgs.view_intellectualproperty"):
        return None
    items = list(selectors.organization_ip(organization=organization))
    counts = {"I": sum(1 for i in items if i.ip_class == "I"), "II": sum(1 for i in items if i.ip_class == "II")}
    return {"items": items, "counts": counts, "can_edit": can_change_organization(user, organization)}


register_organization_panel(
    "资质", "orgs/panel_qualifications.html", _qualification_panel, order=10, key="qualifications"
)
register_organization_panel("知识产权", "orgs/panel_ip.html", _ip_panel, order=20, key="ip")
register_organization_panel("知识产权托管", "orgs/panel_custody.html", _custody_panel, order=25, key="custody")
