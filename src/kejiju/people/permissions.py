"""Permission predicates of the people registry."""

from __future__ import annotations

from typing import Any

from kejiju.core.permissions import can_act


def can_view_person(user: Any, obj: Any = None) -> bool:
    return can_act(user, "people.view_person", obj)


def can_add_person(user: Any) -> bool:
    return can_act(user, "people.add_person")


def can_change_person(user: Any, obj: Any = None) -> bool:
    return can_act(user, "people.change_person", obj)


def can_view_id_number(user: Any, obj: Any = None) -> bool:
    """Whole ID numbers are personal data: only staff who may change the record see them unmasked."""
    return can_change_person(user, obj)


def can_view_talent(user: Any, obj: Any = None) -> bool:
    """Talent-pool records (memberships, honours, training, selection rounds)."""
    return can_act(user, "people.view_talentmembership", obj)


def can_manage_categories(user: Any) -> bool:
    return can_act(user, "people.change_talentcategory")


def can_view_round(user: Any, obj: Any = None) -> bool:
    return can_act(user, "people.view_selectionround", obj)


def can_manage_round(user: Any, obj: Any = None) -> bool:
    """Set up a selection round and move it along (nominations, results, publicity, granting)."""
    return can_act(user, "people.change_selectionround", obj)


def can_add_round(user: Any) -> bool:
    return can_act(user, "people.add_selectionround")
