"""Computed indicators of technology transfer (area ``transfer``), registered for the statistics app."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.urls import reverse

from kejiju.core.indicators import Column, Indicator, register_indicator, sum_value


def _in(model: str, date_field: str, **extra: Any) -> Any:
    def records(region: str, start: date, end: date) -> Any:
        from django.apps import apps

        from kejiju.core.permissions import prefix_q

        qs = apps.get_model(model).objects.filter(is_archived=False, **extra)
        return qs.filter(prefix_q("region", region), **{f"{date_field}__gte": start, f"{date_field}__lte": end})

    return records


def _list(name: str, extra: str = "") -> Any:
    def url(region: str, start: date, end: date) -> str:
        query = f"region={region}"
        if start.year == end.year:
            query += f"&year={start.year}"
        return reverse(name) + "?" + query + extra

    return url


register_indicator(
    Indicator(
        "transfer.achievements_registered",
        "登记科技成果",
        "期内登记（创建）且未撤回的科技成果项数。",
        "项",
        "transfer",
        _in("transfer.Achievement", "created_at__date"),
        columns=(
            Column("成果名称", "title"),
            Column("成果单位", "owner.name"),
            Column("技术领域", "get_field_display"),
        ),
        order=10,
    )
)
register_indicator(
    Indicator(
        "transfer.demands_posted",
        "征集技术需求",
        "期内企业发布（或代为登记）的技术需求项数。",
        "项",
        "transfer",
        _in("transfer.TechDemand", "created_at__date"),
        columns=(
            Column("需求名称", "title"),
            Column("需求单位", "enterprise.name"),
            Column("状态", "get_status_display"),
        ),
        order=20,
    )
)
register_indicator(
    Indicator(
        "transfer.matches_confirmed",
        "促成成果对接",
        "期内经工作人员确认（含已达成合作）的成果—需求、专家—需求对接数，以确认时间计。",
        "对",
        "transfer",
        lambda region, start, end: _confirmed(region, start, end),
        columns=(
            Column("需求", "demand.title"),
            Column("对接类型", "get_kind_display"),
            Column("状态", "get_status_display"),
        ),
        order=30,
    )
)


def _confirmed(region: str, start: date, end: date) -> Any:
    from kejiju.core.permissions import prefix_q
    from kejiju.transfer.models import Match, MatchTransition

    ids = MatchTransition.objects.filter(action="confirm", at__date__gte=start, at__date__lte=end).values("match_id")
    return Match.objects.filter(prefix_q("region", region), pk__in=ids, is_archived=False)


register_indicator(
    Indicator(
        "transfer.contracts_registered",
        "登记技术合同",
        "期内登记的技术合同份数（按登记日期）。",
        "份",
        "transfer",
        _in("transfer.TechContract", "registered_on"),
        list_url=_list("transfer:contract_list"),
        columns=(Column("登记编号", "registration_no"), Column("合同名称", "title"), Column("成交额（元）", "amount")),
        order=40,
    )
)
register_indicator(
    Indicator(
        "transfer.contract_amount",
        "技术合同成交额",
        "期内登记的技术合同成交额合计（按登记日期），单位万元。",
        "万元",
        "transfer",
        _in("transfer.TechContract", "registered_on"),
        value=sum_value("amount", Decimal("0.0001")),
        decimals=2,
        list_url=_list("transfer:contract_list"),
        columns=(Column("登记编号", "registration_no"), Column("合同名称", "title"), Column("成交额（元）", "amount")),
        order=50,
    )
)
