"""Permission predicates of official documents (used by views, templates and services alike)."""

from __future__ import annotations

from typing import Any

from kejiju.core.permissions import can_act
from kejiju.reports.choices import action_allowed


def can_view_document(user: Any, obj: Any = None) -> bool:
    """``reports.view_officialdocument`` and, for a document, its region within the user's."""
    return can_act(user, "reports.view_officialdocument", obj)


def can_add_document(user: Any) -> bool:
    """``reports.add_officialdocument`` (bureau staff, bureau and system administrators)."""
    return can_act(user, "reports.add_officialdocument")


def can_change_document(user: Any, obj: Any = None) -> bool:
    """``reports.change_officialdocument`` within the document's region; archived documents are read-only."""
    return can_act(user, "reports.change_officialdocument", obj) and not getattr(obj, "is_archived", False)


def can_generate_document(user: Any, obj: Any) -> bool:
    """May change it, and its status allows 生成 (a draft)."""
    return can_change_document(user, obj) and action_allowed("generate", obj.status)


def can_retry_document(user: Any, obj: Any) -> bool:
    """May change it, and its status allows 重试 (generation failed)."""
    return can_change_document(user, obj) and action_allowed("retry", obj.status)
