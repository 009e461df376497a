"""Permission predicates of the organizations registry (used by views, API, templates and services)."""

from __future__ import annotations

from typing import Any

from kejiju.core.permissions import can_act


def can_view_organization(user: Any, obj: Any = None) -> bool:
    return can_act(user, "orgs.view_organization", obj)


def can_add_organization(user: Any) -> bool:
    return can_act(user, "orgs.add_organization")


def can_change_organization(user: Any, obj: Any = None) -> bool:
    return can_act(user, "orgs.change_organization", obj) and not getattr(obj, "merged_into_id", None)


def can_merge_organization(user: Any) -> bool:
    return can_act(user, "orgs.merge_organization")


def can_import_organization(user: Any) -> bool:
    return can_act(user, "orgs.import_organization")
