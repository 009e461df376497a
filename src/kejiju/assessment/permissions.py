"""Permission predicates of the assessment module."""

from __future__ import annotations

from typing import Any

from kejiju.core.permissions import can_act


def can_view_assessment(user: Any, obj: Any = None) -> bool:
    return can_act(user, "assessment.view_assessmentscheme", obj)


def can_manage_assessment(user: Any, obj: Any = None) -> bool:
    """Create schemes, issue targets, compute and publish results, decide appeals (bureau staff)."""
    return can_act(user, "assessment.change_assessmentscheme", obj)


def can_self_assess(user: Any, target: Any) -> bool:
    """The assessee's own account (a town station of that town) or bureau staff filling in for it."""
    return can_act(user, "assessment.change_assessmenttarget", target)


def is_own_assessee(user: Any, target: Any) -> bool:
    """Whether ``user`` belongs to the assessee: a town account inside the target's town, or a member
    of the assessed department. Such a user may never score that target."""
    code = getattr(user, "region_id", None) or ""
    if target.department_id is not None:
        return bool(getattr(user, "department_id", None) == target.department_id)
    return len(code) >= 9 and (target.region_id or "").startswith(code[:9])


def can_score_target(user: Any, target: Any) -> bool:
    """Named assessors of the scheme with the scoring permission, never on their own town or department.
    Being named by the bureau is what lets an assessor from another town (交叉考核) see and score a target
    outside their own region."""
    return (
        bool(getattr(user, "is_authenticated", False))
        and user.has_perm("assessment.score_assessment")
        and target.scheme.assessors.filter(pk=user.pk).exists()
        and not is_own_assessee(user, target)
    )
