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


def can_view_ip(user: Any, obj: Any = None) -> bool:
    return can_act(user, "orgs.view_intellectualproperty", obj)


def can_import_ip(user: Any) -> bool:
    return can_act(user, "orgs.import_intellectualproperty")


def can_subsidize_ip(user: Any, obj: Any = None) -> bool:
    return can_act(user, "orgs.subsidize_intellectualproperty", obj)


def can_set_population(user: Any) -> bool:
    return can_act(user, "orgs.change_regionpopulation")


def can_view_custody(user: Any, obj: Any = None) -> bool:
    return can_act(user, "orgs.view_ipcustodyagreement", obj)


def can_add_custody(user: Any) -> bool:
    return can_act(user, "orgs.add_ipcustodyagreement")


def can_change_custody(user: Any, obj: Any = None) -> bool:
    return can_act(user, "orgs.change_ipcustodyagreement", obj)


def can_view_ip_case(user: Any, obj: Any = None) -> bool:
    return can_act(user, "orgs.view_ipcase", obj)


def can_add_ip_case(user: Any) -> bool:
    return can_act(user, "orgs.add_ipcase")
