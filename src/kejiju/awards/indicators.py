"""Computed indicators of S&T awards (area ``awards``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from kejiju.core.indicators import Column, Indicator, register_indicator, sum_value


def _granted(code: str, start: date, end: date) -> Any:
    from kejiju.awards.models import Nomination

    return Nomination.objects.filter(
        region__code__startswith=code, status="granted", cycle__year__gte=start.year, cycle__year__lte=end.year
    )


def _higher(code: str, start: date, end: date) -> Any:
    from kejiju.awards.models import HigherAward

    return HigherAward.objects.filter(
        region__code__startswith=code, is_archived=False, year__gte=start.year, year__lte=end.year
    )


register_indicator(
    Indicator(
        code="awards.local_granted",
        name="本级科技奖励授奖项目",
        definition="本级奖励年度已正式授奖（公示无异议）的项目数，按奖励年度计。",
        unit="项",
        area="awards",
        records=_granted,
        columns=(Column("成果名称", "title"), Column("等级", "grade"), Column("第一完成单位", "organization.name")),
        order=10,
    )
)
register_indicator(
    Indicator(
        code="awards.local_prize",
        name="本级科技奖励奖金",
        definition="已授奖项目的奖金合计（万元），按奖励年度计。",
        unit="万元",
        area="awards",
        records=_granted,
        value=sum_value("prize", Decimal("0.0001")),
        decimals=2,
        order=20,
    )
)
register_indicator(
    Indicator(
        code="awards.higher_awards",
        name="获上级科技奖励",
        definition="本地单位或个人获得的市（州）级及以上科技奖励项数，按授奖年度计。",
        unit="项",
        area="awards",
        records=_higher,
        columns=(Column("奖励", "name"), Column("级别", "get_level_display"), Column("成果", "title")),
        order=30,
    )
)
