"""Computed indicators of the outreach app (area ``outreach``): activities and trainings held, 人次 trained,
materials distributed, commissioners active, service diary entries and hours, 科技活动周 events."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse

from kejiju.core.indicators import Column, Indicator, register_indicator, sum_value
from kejiju.core.permissions import prefix_q

AREA = "outreach"


def _held(region: str, start: date, end: date) -> Any:
    from kejiju.outreach.models import Activity

    return (
        Activity.objects.filter(prefix_q("region", region))
        .filter(status="held", is_archived=False, start_on__gte=start, start_on__lte=end)
        .select_related("kind", "region")
    )


def _trainings(region: str, start: date, end: date) -> Any:
    return _held(region, start, end).filter(kind__is_training=True)


def _sci_week(region: str, start: date, end: date) -> Any:
    return _held(region, start, end).filter(kind__code="sci_week")


def _diaries(region: str, start: date, end: date) -> Any:
    from kejiju.outreach.models import ServiceDiary

    return (
        ServiceDiary.objects.filter(prefix_q("region", region))
        .filter(is_archived=False, served_on__gte=start, served_on__lte=end)
        .select_related("commissioner__person", "commissioner__organization", "region")
    )


def _commissioners_active(region: str, start: date, end: date) -> Any:
    """Commissioners selected in the region with an assignment in force during the period."""
    from kejiju.outreach.models import Assignment, Commissioner

    serving = Assignment.objects.filter(is_archived=False, start_on__lte=end).filter(
        Q(end_on__isnull=True) | Q(end_on__gte=start)
    )
    return (
        Commissioner.objects.filter(prefix_q("region", region))
        .filter(is_archived=False, pk__in=serving.values("commissioner_id"))
        .select_related("kind", "person", "organization")
    )


def _activity_url(extra: dict[str, str]) -> Any:
    def url(region: str, start: date, end: date) -> str:
        query = {"status": "held", "region": region, **extra}
        if start.year == end.year:
            query["year"] = str(start.year)
        return reverse("outreach:activity_list") + "?" + urlencode(query)

    return url


def _diary_url(region: str, start: date, end: date) -> str:
    query = {"region": region}
    if start.year == end.year:
        query["year"] = str(start.year)
    return reverse("outreach:diary_list") + "?" + urlencode(query)


ACTIVITY_COLUMNS = (
    Column("活动名称", "title"),
    Column("类型", "kind.name"),
    Column("乡镇", "region.name"),
    Column("开始日期", "start_on"),
    Column("参加人次", "attendance"),
    Column("发放资料（份）", "materials"),
)
DIARY_COLUMNS = (
    Column("特派员", "commissioner.display_name"),
    Column("服务日期", "served_on"),
    Column("地点", "region.name"),
    Column("服务对象", "served"),
    Column("时长（小时）", "hours"),
)

register_indicator(
    Indicator(
        "outreach.activities_held",
        "举办培训与科普活动",
        "统计期内实际开始、状态为“已举办”的培训和科普活动场次（按举办乡镇归属）。",
        "场",
        AREA,
        _held,
        list_url=_activity_url({}),
        columns=ACTIVITY_COLUMNS,
        order=10,
    )
)
register_indicator(
    Indicator(
        "outreach.trainings_held",
        "举办技术培训",
        "已举办活动中类型计入培训的场次（培训班、科技讲座、现场示范等，可在类别设置中调整）。",
        "期",
        AREA,
        _trainings,
        list_url=_activity_url({"training": "1"}),
        columns=ACTIVITY_COLUMNS,
        order=20,
    )
)
register_indicator(
    Indicator(
        "outreach.people_trained",
        "培训人次",
        "已举办培训的参加人次之和（以签到表为据）。",
        "人次",
        AREA,
        _trainings,
        value=sum_value("attendance"),
        list_url=_activity_url({"training": "1"}),
        columns=ACTIVITY_COLUMNS,
        order=30,
    )
)
register_indicator(
    Indicator(
        "outreach.materials_distributed",
        "发放技术资料",
        "已举办的培训和科普活动发放资料份数之和。",
        "份",
        AREA,
        _held,
        value=sum_value("materials"),
        list_url=_activity_url({}),
        columns=ACTIVITY_COLUMNS,
        order=40,
    )
)
register_indicator(
    Indicator(
        "outreach.sci_week_events",
        "科技活动周活动",
        "已举办的“科技活动周”类型活动场次。",
        "场",
        AREA,
        _sci_week,
        list_url=_activity_url({"kind": "sci_week"}),
        columns=ACTIVITY_COLUMNS,
        order=50,
    )
)
register_indicator(
    Indicator(
        "outreach.commissioners_active",
        "在岗科技特派员",
        "本区划选派、统计期内有服务协议在期的科技特派员（含科技副乡镇长、三区科技人才、法人特派员）。",
        "人",
        AREA,
        _commissioners_active,
        list_url=lambda region, start, end: reverse("outreach:commissioner_list") + "?" + urlencode({"region": region}),
        columns=(Column("特派员", "display_name"), Column("类别", "kind.name"), Column("选派年度", "selection_year")),
        order=60,
    )
)
register_indicator(
    Indicator(
        "outreach.service_diaries",
        "特派员服务次数",
        "统计期内特派员服务日志条数（按服务地点归属）。",
        "次",
        AREA,
        _diaries,
        list_url=_diary_url,
        columns=DIARY_COLUMNS,
        order=70,
    )
)
register_indicator(
    Indicator(
        "outreach.service_hours",
        "特派员服务时长",
        "统计期内特派员服务日志的服务时长之和。",
        "小时",
        AREA,
        _diaries,
        value=sum_value("hours"),
        decimals=1,
        list_url=_diary_url,
        columns=DIARY_COLUMNS,
        order=80,
    )
)
