"""Permission predicates of S&T awards."""

from __future__ import annotations

from typing import Any

from kejiju.core.permissions import can_act


def can_view_awards(user: Any, obj: Any = None) -> bool:
    return can_act(user, "awards.view_awardcycle", obj)


def can_manage_awards(user: Any, obj: Any = None) -> bool:
    """Set up programmes and cycles, check, decide, publicize, grant, pay (bureau staff of the region)."""
    return can_act(user, "awards.change_awardcycle", obj)


def can_nominate_for(user: Any, organization: Any) -> bool:
    """A 单位用户 acting for the organization, or staff who may nominate within the organization's region."""
    if not getattr(user, "is_authenticated", False) or organization is None:
        return False
    from kejiju.orgs.selectors import organizations_of_user

    if organizations_of_user(user=user).filter(pk=organization.pk).exists():
        return True
    return can_act(user, "awards.add_nomination", organization)


def can_edit_nomination(user: Any, nomination: Any) -> bool:
    """The nominating side may change a nomination while it is a draft or returned for correction."""
    return nomination.status in ("draft", "returned") and can_nominate_for(user, nomination.organization)


def can_view_nomination(user: Any, nomination: Any) -> bool:
    return can_view_awards(user, nomination) or can_nominate_for(user, nomination.organization)
