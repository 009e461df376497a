"""What the organizations registry adds to the platform: role permissions, menu, region counters."""

from __future__ import annotations

from kejiju.core.choices import Role
from kejiju.core.navigation import NavItem, register_nav
from kejiju.core.roles import grant
from kejiju.core.selectors import RegionCounter, register_region_counter

VIEW = ("orgs.view_organization", "orgs.view_qualification", "orgs.view_intellectualproperty")
EDIT = ("orgs.add_organization", "orgs.change_organization", "orgs.import_organization")

grant((Role.SYSTEM_ADMIN, Role.BUREAU_ADMIN), *VIEW, *EDIT, "orgs.merge_organization")
grant(Role.BUREAU_STAFF, *VIEW, *EDIT)
grant((Role.BUREAU_LEADER, Role.TOWN_STATION), *VIEW)

register_nav("orgs", "主体库", "buildings", 100, [
    NavItem("单位列表", "orgs:organization_list", "orgs.view_organization", "building"),
    NavItem("新增单位", "orgs:organization_create", "orgs.add_organization", "plus-circle"),
    NavItem("导入单位", "orgs:organization_import", "orgs.import_organization", "upload"),
])


def _organizations():  # type: ignore[no-untyped-def]
    from kejiju.orgs.models import Organization

    return Organization.objects.filter(is_archived=False)


register_region_counter(RegionCounter("organizations", "单位", _organizations, url_name="orgs:organization_list"))
