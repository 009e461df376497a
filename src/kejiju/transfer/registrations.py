"""What the technology-transfer module adds to the platform: role permissions, menu, region counters,
history pages, the organization page panel and the person-page role."""

from __future__ import annotations

from typing import Any

from kejiju.core.audit import register_history_model
from kejiju.core.choices import Role
from kejiju.core.navigation import NavItem, register_nav
from kejiju.core.roles import grant
from kejiju.core.selectors import RegionCounter, register_region_counter

MODELS = ("achievement", "techdemand", "match", "matchevent", "techcontract", "cooperation")
VIEW = tuple(f"transfer.view_{m}" for m in MODELS)
EDIT = tuple(f"transfer.{verb}_{m}" for m in MODELS for verb in ("add", "change"))

grant((Role.SYSTEM_ADMIN, Role.BUREAU_ADMIN, Role.BUREAU_STAFF), *VIEW, *EDIT)
grant((Role.BUREAU_LEADER, Role.TOWN_STATION), *VIEW)
grant(Role.ORG_USER, "transfer.post_techdemand")

register_nav(
    "transfer",
    "成果转化",
    "arrow-left-right",
    120,
    [
        NavItem("技术需求", "transfer:demand_list", "transfer.view_techdemand", "question-circle"),
        NavItem("科技成果", "transfer:achievement_list", "transfer.view_achievement", "award"),
        NavItem("成果对接", "transfer:match_list", "transfer.view_match", "link-45deg"),
        NavItem("对接活动", "transfer:event_list", "transfer.view_matchevent", "people"),
        NavItem("技术合同登记", "transfer:contract_list", "transfer.view_techcontract", "file-earmark-text"),
        NavItem("合作协议", "transfer:cooperation_list", "transfer.view_cooperation", "bank"),
        NavItem("本单位需求与成果", "transfer:my_list", "transfer.post_techdemand", "send"),
        NavItem("成果展示（公开）", "transfer:public_list", "", "globe"),
    ],
)


def _open_demands():  # type: ignore[no-untyped-def]
    from kejiju.transfer.models import TechDemand

    return TechDemand.objects.filter(is_archived=False, status="open")


def _contracts():  # type: ignore[no-untyped-def]
    from kejiju.transfer.models import TechContract

    return TechContract.objects.filter(is_archived=False)


register_region_counter(
    RegionCounter("transfer_demands", "征集中的技术需求", _open_demands, url_name="transfer:demand_list")
)
register_region_counter(
    RegionCounter("transfer_contracts", "登记技术合同", _contracts, url_name="transfer:contract_list")
)

for key, model, label in (
    ("achievement", "transfer.Achievement", "科技成果"),
    ("techdemand", "transfer.TechDemand", "技术需求"),
    ("match", "transfer.Match", "成果对接"),
    ("matchevent", "transfer.MatchEvent", "对接活动"),
    ("techcontract", "transfer.TechContract", "技术合同"),
    ("cooperation", "transfer.Cooperation", "合作协议"),
):
    register_history_model(key, model, label)


def _org_panel(user: Any, organization: Any) -> dict[str, Any] | None:
    from kejiju.transfer import selectors

    if not user.has_perm("transfer.view_techdemand"):
        return None
    demands = list(selectors.demand_list(user=user).filter(enterprise=organization)[:20])
    achievements = list(selectors.achievement_list(user=user).filter(owner=organization)[:20])
    if not demands and not achievements:
        return None
    return {"demands": demands, "achievements": achievements}


def _register_panels() -> None:
    from kejiju.orgs.selectors import register_organization_panel

    register_organization_panel("成果转化", "transfer/org_panel.html", _org_panel, order=60, key="transfer")


def _person_roles(user: Any, person: Any) -> list[Any]:
    from django.urls import reverse

    from kejiju.people.registry import PersonRole
    from kejiju.transfer.models import Match

    n = Match.objects.filter(expert=person, is_archived=False).exclude(status="declined").count()
    if not n:
        return []
    return [PersonRole("成果对接专家", reverse("transfer:match_list") + "?kind=expert", "%d 项对接" % n)]


def _register_person_role() -> None:
    from kejiju.people.registry import register_person_role

    register_person_role("transfer_expert", _person_roles, order=80)


_register_panels()
_register_person_role()
