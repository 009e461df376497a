"""Permission predicates of the service line (used by views, API, templates and services)."""

from __future__ import annotations

from typing import Any

from kejiju.core.permissions import can_act


def is_assignee(user: Any, obj: Any) -> bool:
    """The signed-in account is the person the request is assigned to (``Person.user``)."""
    if obj is None or not getattr(user, "is_authenticated", False):
        return False
    assignee = getattr(obj, "assignee", None)
    return bool(assignee is not None and assignee.user_id and assignee.user_id == user.pk)


def can_view_request(user: Any, obj: Any = None) -> bool:
    return can_act(user, "service.view_servicerequest", obj) or is_assignee(user, obj)


def can_add_request(user: Any) -> bool:
    return can_act(user, "service.add_servicerequest")


def can_handle_request(user: Any, obj: Any = None) -> bool:
    """Answer, wait, close, reopen: the service line staff of the request's region."""
    return can_act(user, "service.change_servicerequest", obj)


def can_dispatch_request(user: Any, obj: Any = None) -> bool:
    return can_act(user, "service.dispatch_servicerequest", obj)


def can_work_request(user: Any, obj: Any = None) -> bool:
    """Accept, record a visit: the assignee, or staff handling the request for them."""
    return is_assignee(user, obj) or can_handle_request(user, obj)


def can_check_loss(user: Any, obj: Any = None) -> bool:
    return can_act(user, "service.check_loss", obj)


def can_view_stats(user: Any) -> bool:
    return can_act(user, "service.view_service_stats")


def can_view_article(user: Any, obj: Any = None) -> bool:
    return can_act(user, "service.view_knowledgearticle", obj)


def can_add_article(user: Any) -> bool:
    return can_act(user, "service.add_knowledgearticle")


def can_change_article(user: Any, obj: Any = None) -> bool:
    return can_act(user, "service.change_knowledgearticle", obj)


def can_manage_duty(user: Any, obj: Any = None) -> bool:
    return can_act(user, "service.change_dutyslot", obj)
