"""Permission predicates of programmes and projects (used by views, API, templates and services).

Staff act within their region (``can_act``); the issuing bureau (the call's region or above) checks,
reviews, approves and manages projects; the county below a city call recommends. Organization users
(单位用户) act only for the organizations they are bound to."""

from __future__ import annotations

from typing import Any

from kejiju.core.permissions import active_region_code, can_act


def _at_issuer(user: Any, call_region: str) -> bool:
    """The user works at the call's issuing bureau (or above it)."""
    scope = active_region_code(user)
    return scope is not None and call_region.startswith(scope)


def user_organization_ids(user: Any) -> set[int]:
    from kejiju.orgs.selectors import organizations_of_user

    if not getattr(user, "is_authenticated", False):
        return set()
    cached: set[int] | None = getattr(user, "_programs_org_ids", None)
    if cached is None:
        cached = set(organizations_of_user(user=user).values_list("pk", flat=True))
        user._programs_org_ids = cached
    return cached


def can_view_call(user: Any, obj: Any = None) -> bool:
    return can_act(user, "programs.view_call", obj)


def can_manage_call(user: Any, obj: Any = None) -> bool:
    return can_act(user, "programs.change_call", obj)


def can_apply(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm("programs.apply_application"))


def is_applicant(user: Any, application: Any) -> bool:
    """The user acts for the application's (or project's) organization."""
    return can_apply(user) and application.organization_id in user_organization_ids(user)


def can_view_application(user: Any, obj: Any = None) -> bool:
    return can_act(user, "programs.view_application", obj)


def can_recommend_application(user: Any, obj: Any) -> bool:
    """属地推荐: a bureau below the call's level whose region contains the applicant."""
    if not can_act(user, "programs.recommend_application", obj):
        return False
    scope = active_region_code(user) or ""
    return bool(obj.call.needs_recommendation) and len(scope) > len(obj.call.region_id)


def can_check_application(user: Any, obj: Any) -> bool:
    return can_act(user, "programs.check_application", obj) and _at_issuer(user, obj.call.region_id)


def can_review_application(user: Any, obj: Any) -> bool:
    return can_act(user, "programs.review_application", obj) and _at_issuer(user, obj.call.region_id)


def can_approve_call(user: Any, call: Any) -> bool:
    return can_act(user, "programs.approve_application", call) and _at_issuer(user, call.region_id)


def can_view_project(user: Any, obj: Any = None) -> bool:
    return can_act(user, "programs.view_project", obj)


def can_manage_project(user: Any, obj: Any) -> bool:
    return can_act(user, "programs.manage_project", obj) and _at_issuer(user, obj.call.region_id)


def can_pay_project(user: Any, obj: Any) -> bool:
    return can_act(user, "programs.pay_project", obj) and _at_issuer(user, obj.call.region_id)
