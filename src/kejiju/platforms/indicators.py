"""Computed indicators of innovation platforms (area ``platforms``)."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from kejiju.core.indicators import Column, Indicator, register_indicator
from kejiju.core.permissions import prefix_q
from kejiju.platforms.choices import PlatformLevel

COLUMNS = (
    Column("平台名称", "name"),
    Column("类型", "kind.name"),
    Column("级别", "get_level_display"),
    Column("依托单位", "host.name"),
    Column("认定日期", "recognised_on"),
)


def _platforms(region: str) -> Any:
    from kejiju.platforms.models import Platform

    return Platform.objects.filter(prefix_q("region", region), is_archived=False).select_related(
        "kind", "host", "region"
    )


def recognised(level: str | None = None) -> Any:
    """Platforms recognised (认定日期) in the period, optionally of one level."""

    def records(region: str, start: date, end: date) -> Any:
        qs = _platforms(region).filter(recognised_on__gte=start, recognised_on__lte=end)
        return qs.filter(level=level) if level else qs

    return records


def valid_at_end(region: str, start: date, end: date) -> Any:
    """Platforms recognised by the period end and not revoked (status now)."""
    return _platforms(region).filter(recognised_on__lte=end).exclude(status="revoked")


def _list_url(level: str = "") -> Any:
    def url(region: str, start: date, end: date) -> str:
        query = {"region": region}
        if level:
            query["level"] = level
        return reverse("platforms:platform_list") + "?" + urlencode(query)

    return url


register_indicator(
    Indicator(
        "platforms.recognised",
        "新认定创新平台数",
        "认定日期在统计期内的创新平台（载体）数，各级合计。",
        "个",
        "platforms",
        recognised(),
        columns=COLUMNS,
        order=10,
    )
)
for n, (value, label) in enumerate(PlatformLevel.choices, start=1):
    register_indicator(
        Indicator(
            "platforms.recognised_%s" % value,
            "新认定%s创新平台数" % label,
            "认定日期在统计期内的%s创新平台（载体）数。" % label,
            "个",
            "platforms",
            recognised(value),
            columns=COLUMNS,
            order=10 + n,
        )
    )
register_indicator(
    Indicator(
        "platforms.valid",
        "创新平台总数（期末）",
        "统计期末已认定且未撤销的创新平台（载体）数。",
        "个",
        "platforms",
        valid_at_end,
        list_url=_list_url(),
        columns=COLUMNS,
        order=30,
    )
)
