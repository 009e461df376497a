"""Permission predicates of the review app (used by views, API, templates and services).

Staff act on experts and batches by model permission within their region (``can_act``). An expert acts on
their own assignments only: :func:`is_own_assignment` (anything else answers 404)."""

from __future__ import annotations

from typing import Any

from kejiju.core.permissions import can_act


def can_view_expert(user: Any, obj: Any = None) -> bool:
    return can_act(user, "review.view_expert", obj)


def can_add_expert(user: Any) -> bool:
    return can_act(user, "review.add_expert")


def can_change_expert(user: Any, obj: Any = None) -> bool:
    return can_act(user, "review.change_expert", obj)


def can_import_expert(user: Any) -> bool:
    return can_act(user, "review.import_expert")


def can_view_batch(user: Any, obj: Any = None) -> bool:
    return can_act(user, "review.view_reviewbatch", obj)


def can_add_batch(user: Any) -> bool:
    return can_act(user, "review.add_reviewbatch")


def can_change_batch(user: Any, obj: Any = None) -> bool:
    return can_act(user, "review.change_reviewbatch", obj)


def can_draw_batch(user: Any, obj: Any = None) -> bool:
    return can_act(user, "review.draw_reviewbatch", obj)


def expert_of(user: Any) -> Any:
    """The expert profile of an account (None for anyone else)."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.expert
    except Exception:  # RelatedObjectDoesNotExist
        return None


def is_own_assignment(user: Any, assignment: Any) -> bool:
    expert = expert_of(user)
    return expert is not None and assignment.expert_id == expert.pk
