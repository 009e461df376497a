"""Permission predicates of the statistics app (used by views, API, templates and services)."""

from __future__ import annotations

from typing import Any

from kejiju.core.permissions import can_act

VIEW = "stats.view_indicatordefinition"


def can_view_stats(user: Any) -> bool:
    """Catalogue, figures, dashboards and the records behind them."""
    return can_act(user, VIEW)


def can_define_indicator(user: Any) -> bool:
    return can_act(user, "stats.add_indicatordefinition")


def can_enter_value(user: Any, obj: Any = None) -> bool:
    return can_act(user, "stats.add_enteredvalue", obj)


def can_save_target(user: Any, obj: Any = None) -> bool:
    return can_act(user, "stats.add_target", obj)


def can_save_layout(user: Any, obj: Any = None) -> bool:
    return can_act(user, "stats.add_tablelayout", obj)


def can_save_template(user: Any, obj: Any = None) -> bool:
    return can_act(user, "stats.add_paragraphtemplate", obj)


def can_view_report(user: Any, obj: Any = None) -> bool:
    return can_act(user, "stats.view_workreport", obj)


def can_change_report(user: Any, obj: Any = None) -> bool:
    perm = "stats.change_workreport" if obj is not None else "stats.add_workreport"
    return can_act(user, perm, obj) and (obj is None or obj.status == "draft")


def can_freeze_report(user: Any, obj: Any = None) -> bool:
    return can_act(user, "stats.freeze_workreport", obj)
