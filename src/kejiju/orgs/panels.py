"""Panels of the organization detail page: each module shows its records about an organization
(projects, platforms, service tickets…) by registering a panel here, instead of the orgs page
knowing every module.

A panel is a title, a template (rendered with the page's context plus what ``context_func`` returns)
and an order; ``context_func(user, organization)`` reads through the module's own region-scoped
selectors and returns ``None`` to hide the panel (no permission, nothing to show)::

    register_organization_panel("科技项目", "programs/org_panel.html", project_panel_context, order=100)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PanelContext = Callable[[Any, Any], dict[str, Any] | None]


@dataclass(frozen=True)
class OrganizationPanel:
    """One panel of the organization detail page."""

    key: str
    title: str
    template: str
    context_func: PanelContext
    order: int = 100


_PANELS: dict[str, OrganizationPanel] = {}


def register_organization_panel(
    title: str, template: str, context_func: PanelContext, order: int = 100, key: str = ""
) -> OrganizationPanel:
    """Add (or replace, by ``key`` — default the template name) a panel of the organization detail
    page; panels show in ``order``."""
    panel = OrganizationPanel(key or template, title, template, context_func, order)
    _PANELS[panel.key] = panel
    return panel


def organization_panels() -> list[OrganizationPanel]:
    return sorted(_PANELS.values(), key=lambda p: (p.order, p.title))


def panels_for(user: Any, organization: Any) -> list[dict[str, Any]]:
    """The panels to show ``user`` on ``organization``'s page, each with its own context."""
    shown = []
    for panel in organization_panels():
        context = panel.context_func(user, organization)
        if context is None:
            continue
        shown.append({"key": panel.key, "title": panel.title, "template": panel.template, "context": context})
    return shown
