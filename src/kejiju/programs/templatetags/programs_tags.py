"""Small template filters of the programs pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """``{{ errors|get:"title" }}``: a mapping's value or an empty string."""
    if not mapping:
        return ""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def yuan(value: Any) -> str:
    return "" if value in (None, "") else f"{value:,.2f}"


@register.filter
def wan(value: Any) -> str:
    return "" if value in (None, "") else f"{value / 10000:,.2f}"
