"""The module navigation: each app registers its menu entries with the permission they need."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    perm: str = ""
    icon: str = ""


@dataclass
class NavSection:
    key: str
    label: str
    icon: str
    order: int
    items: list[NavItem] = field(default_factory=list)


_SECTIONS: dict[str, NavSection] = {}


def register_nav(key: str, label: str, icon: str, order: int, items: list[NavItem]) -> None:
    section = _SECTIONS.setdefault(key, NavSection(key, label, icon, order))
    for item in items:
        if all(i.url_name != item.url_name for i in section.items):
            section.items.append(item)


def navigation_for(user: Any) -> list[dict[str, Any]]:
    """Sections and entries the user may open, in order."""
    result = []
    for section in sorted(_SECTIONS.values(), key=lambda s: s.order):
        items = []
        for item in section.items:
            if item.perm and not user.has_perm(item.perm):
                continue
            try:
                items.append({"label": item.label, "url": reverse(item.url_name), "icon": item.icon})
            except NoReverseMatch:
                continue
        if items:
            result.append({"label": section.label, "icon": section.icon, "items": items})
    return result


register_nav(
    "system",
    "系统管理",
    "gear",
    900,
    [
        NavItem("行政区划", "core:region_tree", "core.view_region", "diagram-3"),
        NavItem("账号管理", "core:user_list", "core.view_user", "people"),
        NavItem("操作日志", "core:oplog_list", "core.view_operationlog", "journal-text"),
        NavItem("修改历史", "core:history_list", "core.view_operationlog", "clock-history"),
        NavItem("附件", "core:attachment_list", "core.view_attachment", "paperclip"),
        NavItem("代码表", "core:code_list", "core.view_codeitem", "list-ol"),
    ],
)
