"""Computed indicators of the talent pool (area ``talents``), read by the statistics app."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse

from kejiju.core.indicators import Column, Indicator, register_indicator

AREA = "talents"


def _memberships(region: str) -> Any:
    from kejiju.people.models import TalentMembership

    return TalentMembership.objects.filter(region__code__startswith=region).select_related("person", "category")


def _in_pool(region: str, start: date, end: date) -> Any:
    """Memberships that count at the end of the period: granted in or before its year, not taken out."""
    return _memberships(region).filter(year__lte=end.year, is_archived=False, person__is_archived=False)


def _selected(region: str, start: date, end: date) -> Any:
    """Memberships granted by a selection round with the year inside the period."""
    return _memberships(region).filter(
        selection_round__isnull=False, year__gte=start.year, year__lte=end.year, is_archived=False
    )


def _new(region: str, start: date, end: date) -> Any:
    return _memberships(region).filter(year__gte=start.year, year__lte=end.year, is_archived=False)


def _honours(region: str, start: date, end: date) -> Any:
    from kejiju.people.models import Honour

    return Honour.objects.filter(
        region__code__startswith=region, year__gte=start.year, year__lte=end.year, is_archived=False
    ).select_related("person")


def _young(region: str, start: date, end: date) -> Any:
    born_after = date(end.year - 35, end.month, min(end.day, 28))
    return _in_pool(region, start, end).filter(person__birth_date__gt=born_after)


def _rounds(region: str, start: date, end: date) -> Any:
    from kejiju.people.models import SelectionRound

    return SelectionRound.objects.filter(
        region__code__startswith=region, status="granted", year__gte=start.year, year__lte=end.year
    ).filter(~Q(is_archived=True))


def _talent_url(region: str, start: date, end: date) -> str:
    return reverse("people:talent_list") + "?" + urlencode({"region": region})


def _year_url(region: str, start: date, end: date) -> str:
    if start.year != end.year:
        return ""
    return reverse("people:talent_list") + "?" + urlencode({"region": region, "year": end.year})


MEMBER_COLUMNS = (
    Column("姓名", "person.name"),
    Column("人才类别", "category.name"),
    Column("入选年度", "year"),
    Column("文件文号", "document_no"),
)

register_indicator(
    Indicator(
        code="people.talents_in_pool",
        name="在库人才人次",
        definition="期末在人才库中的人才类别入库记录数（一人属多个类别的按类别分别计），不含已出库、已归档人员。",
        unit="人次",
        area=AREA,
        records=_in_pool,
        list_url=_talent_url,
        columns=MEMBER_COLUMNS,
        order=10,
    )
)
register_indicator(
    Indicator(
        code="people.talents_new",
        name="新入库人才",
        definition="入选年度在统计期内的人才入库记录数（含评选认定和直接入库）。",
        unit="人次",
        area=AREA,
        records=_new,
        list_url=_year_url,
        columns=MEMBER_COLUMNS,
        order=20,
    )
)
register_indicator(
    Indicator(
        code="people.talents_selected",
        name="评选认定人才",
        definition="经人才评选（拔尖人才评选等）公示期满认定入库、入选年度在统计期内的人数。",
        unit="人",
        area=AREA,
        records=_selected,
        columns=MEMBER_COLUMNS,
        order=30,
    )
)
register_indicator(
    Indicator(
        code="people.young_talents",
        name="35 岁以下在库人才",
        definition="期末在库人才入库记录中，期末时未满 35 周岁者（按身份证出生日期）。",
        unit="人次",
        area=AREA,
        records=_young,
        columns=MEMBER_COLUMNS,
        order=40,
    )
)
register_indicator(
    Indicator(
        code="people.honours",
        name="人才获得荣誉",
        definition="统计期内年度的人才荣誉与入选记录数（各级表彰、人才计划入选）。",
        unit="项",
        area=AREA,
        records=_honours,
        columns=(Column("姓名", "person.name"), Column("荣誉名称", "title"), Column("年度", "year")),
        order=50,
    )
)
register_indicator(
    Indicator(
        code="people.selection_rounds",
        name="完成人才评选",
        definition="统计期内年度、已认定入库的人才评选批次数。",
        unit="次",
        area=AREA,
        records=_rounds,
        columns=(Column("评选名称", "title"), Column("年度", "year")),
        order=60,
    )
)
