"""Permission predicates of the outreach app (used by views, API, templates and services)."""

from __future__ import annotations

from typing import Any

from kejiju.core.permissions import can_act


def can_view_commissioner(user: Any, obj: Any = None) -> bool:
    return can_act(user, "outreach.view_commissioner", obj)


def can_add_commissioner(user: Any) -> bool:
    return can_act(user, "outreach.add_commissioner")


def can_change_commissioner(user: Any, obj: Any = None) -> bool:
    return can_act(user, "outreach.change_commissioner", obj)


def can_assess_commissioner(user: Any, obj: Any = None) -> bool:
    return can_act(user, "outreach.assess_commissioner", obj)


def can_log_service(user: Any, commissioner: Any) -> bool:
    """The commissioner's own account (with ``outreach.add_servicediary``) or staff who manage them."""
    if not getattr(user, "is_authenticated", False):
        return False
    if commissioner.user_id == user.pk and user.has_perm("outreach.add_servicediary"):
        return True
    return can_act(user, "outreach.change_commissioner", commissioner)


def can_view_activity(user: Any, obj: Any = None) -> bool:
    return can_act(user, "outreach.view_activity", obj)


def can_add_activity(user: Any) -> bool:
    return can_act(user, "outreach.add_activity")


def can_change_activity(user: Any, obj: Any = None) -> bool:
    return can_act(user, "outreach.change_activity", obj)


def can_manage_templates(user: Any) -> bool:
    return can_act(user, "outreach.add_assessmenttemplate")


def can_manage_kinds(user: Any) -> bool:
    return can_act(user, "outreach.change_outreachkind")
