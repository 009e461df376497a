"""What innovation platforms add: role permissions, menu, region counter, history pages, a panel on the
organization page."""

from __future__ import annotations

from typing import Any

from kejiju.core.audit import register_history_model
from kejiju.core.choices import Role
from kejiju.core.navigation import NavItem, register_nav
from kejiju.core.roles import grant
from kejiju.core.selectors import RegionCounter, register_region_counter
from kejiju.orgs.selectors import register_organization_panel

VIEW = ("platforms.view_platform", "platforms.view_platformreport", "platforms.view_platformevaluation")
EDIT = (
    "platforms.add_platform",
    "platforms.change_platform",
    "platforms.evaluate_platform",
    "platforms.manage_platformkind",
)
grant((Role.SYSTEM_ADMIN, Role.BUREAU_ADMIN, Role.BUREAU_STAFF), *VIEW, *EDIT)
grant((Role.BUREAU_LEADER, Role.TOWN_STATION), *VIEW)

register_nav(
    "platforms",
    "创新平台",
    "bank",
    210,
    [
        NavItem("平台列表", "platforms:platform_list", "platforms.view_platform", "bank"),
        NavItem("登记平台", "platforms:platform_create", "platforms.add_platform", "plus-circle"),
        NavItem("评价指标模板", "platforms:template_list", "platforms.evaluate_platform", "list-check"),
        NavItem("本单位平台年报", "platforms:my_platforms", "", "file-earmark-text"),
    ],
)


def _valid():  # type: ignore[no-untyped-def]
    from kejiju.platforms.models import Platform

    return Platform.objects.filter(is_archived=False).exclude(status="revoked")


register_region_counter(RegionCounter("platforms", "创新平台", _valid, url_name="platforms:platform_list"))
register_history_model("platform", "platforms.Platform", "创新平台")


def _panel(user: Any, organization: Any) -> dict[str, Any] | None:
    from kejiju.platforms import selectors

    if not user.has_perm("platforms.view_platform"):
        return None
    items = list(selectors.platform_list(user=user, filters={"host": organization.pk}))
    return {"platforms": items} if items else None


register_organization_panel("创新平台", "platforms/panel_organization.html", _panel, order=45, key="platforms")
