"""What enterprise cultivation adds to the platform: role permissions, menu, region counters, history pages
and a panel on the organization page."""

from __future__ import annotations

from typing import Any

from kejiju.core.audit import register_history_model
from kejiju.core.choices import Role
from kejiju.core.navigation import NavItem, register_nav
from kejiju.core.roles import grant
from kejiju.core.selectors import RegionCounter, register_region_counter
from kejiju.orgs.selectors import register_organization_panel

VIEW = (
    "cultivation.view_pipelineentry",
    "cultivation.view_rdreservefiling",
    "cultivation.view_subsidyaward",
    "cultivation.view_subsidypolicy",
)
EDIT = (
    "cultivation.add_pipelineentry",
    "cultivation.change_pipelineentry",
    "cultivation.remind_pipelineentry",
    "cultivation.add_rdreservefiling",
    "cultivation.change_rdreservefiling",
    "cultivation.review_rdreservefiling",
    "cultivation.add_subsidyaward",
    "cultivation.approve_subsidyaward",
    "cultivation.pay_subsidyaward",
    "cultivation.manage_subsidypolicy",
)

grant((Role.SYSTEM_ADMIN, Role.BUREAU_ADMIN, Role.BUREAU_STAFF), *VIEW, *EDIT)
grant((Role.BUREAU_LEADER, Role.TOWN_STATION), *VIEW)

register_nav(
    "cultivation",
    "企业培育",
    "graph-up-arrow",
    200,
    [
        NavItem("培育库", "cultivation:pipeline_list", "cultivation.view_pipelineentry", "diagram-3"),
        NavItem("培育统计", "cultivation:pipeline_stats", "cultivation.view_pipelineentry", "bar-chart"),
        NavItem("批量测算", "cultivation:batch", "cultivation.view_pipelineentry", "calculator"),
        NavItem("企业自评", "cultivation:self_assess", "", "clipboard-check"),
        NavItem("研发准备金备案", "cultivation:filing_list", "cultivation.view_rdreservefiling", "piggy-bank"),
        NavItem("奖补政策", "cultivation:policy_list", "cultivation.view_subsidypolicy", "journal-text"),
        NavItem("奖补测算与拨付", "cultivation:award_list", "cultivation.view_subsidyaward", "cash-coin"),
        NavItem("拨付台账", "cultivation:ledger", "cultivation.view_subsidyaward", "journal-check"),
    ],
)


def _reserve():  # type: ignore[no-untyped-def]
    from kejiju.cultivation.models import PipelineEntry

    return PipelineEntry.objects.filter(stage__in=["reserve", "applied"], is_archived=False)


register_region_counter(
    RegionCounter(
        "hnte_reserve", "高企后备企业", _reserve, url_name="cultivation:pipeline_list", url_query="stage=reserve"
    )
)

register_history_model("pipelineentry", "cultivation.PipelineEntry", "培育库企业")
register_history_model("rdreservefiling", "cultivation.RdReserveFiling", "研发准备金备案")
register_history_model("subsidyaward", "cultivation.SubsidyAward", "奖补")


def _panel(user: Any, organization: Any) -> dict[str, Any] | None:
    from kejiju.cultivation import selectors

    if not user.has_perm("cultivation.view_pipelineentry"):
        return None
    return selectors.organization_panel(user=user, organization=organization)


register_organization_panel("企业培育", "cultivation/panel_organization.html", _panel, order=40, key="cultivation")
