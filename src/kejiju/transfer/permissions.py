"""Permission predicates of the technology-transfer module."""

from __future__ import annotations

from typing import Any

from kejiju.core.permissions import can_act


def acts_for(user: Any, organization: Any) -> bool:
    """Whether ``user`` is an account of ``organization`` (单位用户)."""
    from kejiju.orgs.selectors import organizations_of_user

    if organization is None or not getattr(user, "is_authenticated", False):
        return False
    return organizations_of_user(user=user).filter(pk=organization.pk).exists()


def can_view_transfer(user: Any, obj: Any = None) -> bool:
    return can_act(user, "transfer.view_techdemand", obj)


def can_post_demand(user: Any, enterprise: Any = None) -> bool:
    """Bureau staff for an enterprise in their region, or the enterprise's own account."""
    return can_act(user, "transfer.add_techdemand", enterprise) or acts_for(user, enterprise)


def can_change_demand(user: Any, demand: Any) -> bool:
    return can_act(user, "transfer.change_techdemand", demand) or acts_for(user, demand.enterprise)


def can_save_achievement(user: Any, owner: Any = None) -> bool:
    return can_act(user, "transfer.add_achievement", owner) or acts_for(user, owner)


def can_change_achievement(user: Any, achievement: Any) -> bool:
    return can_act(user, "transfer.change_achievement", achievement) or acts_for(user, achievement.owner)


def can_manage_match(user: Any, obj: Any = None) -> bool:
    return can_act(user, "transfer.change_match", obj)


def can_register_contract(user: Any) -> bool:
    return can_act(user, "transfer.add_techcontract")


def can_save_event(user: Any) -> bool:
    return can_act(user, "transfer.add_matchevent")


def can_change_event(user: Any, event: Any = None) -> bool:
    return can_act(user, "transfer.change_matchevent", event)


def can_change_contract(user: Any, contract: Any = None) -> bool:
    return can_act(user, "transfer.change_techcontract", contract)


def can_save_cooperation(user: Any) -> bool:
    return can_act(user, "transfer.add_cooperation")


def can_change_cooperation(user: Any, cooperation: Any = None) -> bool:
    return can_act(user, "transfer.change_cooperation", cooperation)
