"""Permission predicates of innovation platforms."""

from __future__ import annotations

from typing import Any

from kejiju.core.permissions import can_act


def can_view_platform(user: Any, obj: Any = None) -> bool:
    return can_act(user, "platforms.view_platform", obj)


def can_add_platform(user: Any) -> bool:
    return can_act(user, "platforms.add_platform")


def can_change_platform(user: Any, obj: Any = None) -> bool:
    return can_act(user, "platforms.change_platform", obj)


def can_evaluate_platform(user: Any, obj: Any = None) -> bool:
    return can_act(user, "platforms.evaluate_platform", obj)


def can_reward_platform(user: Any, obj: Any = None) -> bool:
    return can_act(user, "cultivation.add_subsidyaward", obj) and can_act(user, "platforms.change_platform", obj)
