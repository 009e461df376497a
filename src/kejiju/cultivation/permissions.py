"""Permission predicates of enterprise cultivation (views, API, templates and services)."""

from __future__ import annotations

from typing import Any

from kejiju.core.permissions import can_act


def can_view_pipeline(user: Any, obj: Any = None) -> bool:
    return can_act(user, "cultivation.view_pipelineentry", obj)


def can_add_pipeline(user: Any, obj: Any = None) -> bool:
    return can_act(user, "cultivation.add_pipelineentry", obj)


def can_change_pipeline(user: Any, obj: Any = None) -> bool:
    return can_act(user, "cultivation.change_pipelineentry", obj)


def can_view_filing(user: Any, obj: Any = None) -> bool:
    return can_act(user, "cultivation.view_rdreservefiling", obj)


def can_add_filing(user: Any, obj: Any = None) -> bool:
    return can_act(user, "cultivation.add_rdreservefiling", obj)


def can_review_filing(user: Any, obj: Any = None) -> bool:
    return can_act(user, "cultivation.review_rdreservefiling", obj)


def can_view_award(user: Any, obj: Any = None) -> bool:
    return can_act(user, "cultivation.view_subsidyaward", obj)


def can_add_award(user: Any, obj: Any = None) -> bool:
    return can_act(user, "cultivation.add_subsidyaward", obj)


def can_approve_award(user: Any, obj: Any = None) -> bool:
    return can_act(user, "cultivation.approve_subsidyaward", obj)


def can_pay_award(user: Any, obj: Any = None) -> bool:
    return can_act(user, "cultivation.pay_subsidyaward", obj)


def can_manage_policy(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm("cultivation.manage_subsidypolicy")


def can_run_batch(user: Any) -> bool:
    """Batch evaluation tools: bureau staff who may view the pipeline."""
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm("cultivation.view_pipelineentry")
