"""Roles a person plays in other apps (expert, commissioner, talent, team member…).

Each app registers a function returning the person's roles there, so the person page can list them
without the people app importing any other app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PersonRole:
    """One role of a person: a Chinese label (“专家”, “科技特派员（2026 年选派）”) and a page to open."""

    label: str
    url: str = ""
    detail: str = ""


RoleProvider = Callable[[Any, Any], list[PersonRole]]
_providers: list[tuple[int, str, RoleProvider]] = []


def register_person_role(key: str, provider: RoleProvider, order: int = 100) -> None:
    """Register ``provider(user, person) -> [PersonRole]`` under ``key`` (re-registering replaces)."""
    _providers[:] = [p for p in _providers if p[1] != key]
    _providers.append((order, key, provider))
    _providers.sort(key=lambda p: (p[0], p[1]))


def person_roles(user: Any, person: Any) -> list[PersonRole]:
    """Every role of ``person`` the ``user`` may see, in registration order."""
    roles: list[PersonRole] = []
    for _order, _key, provider in _providers:
        roles.extend(provider(user, person))
    return roles
