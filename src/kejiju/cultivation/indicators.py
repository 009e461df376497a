"""Computed indicators of enterprise cultivation (area ``cultivation``): each ``records`` queryset lists
exactly the enterprises (records) behind the figure."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from kejiju.core.indicators import Column, Indicator, count_value, register_indicator, sum_value
from kejiju.core.permissions import prefix_q

WAN = Decimal("0.0001")


def _entries(region: str) -> Any:
    from kejiju.cultivation.models import PipelineEntry

    return PipelineEntry.objects.filter(prefix_q("region", region), is_archived=False).select_related(
        "organization", "region"
    )


def tech_sme_registered(region: str, start: date, end: date) -> Any:
    """科技型中小企业入库: entries whose 入库 date falls in the period."""
    return _entries(region).filter(registered_on__gte=start, registered_on__lte=end)


def hnte_new(region: str, start: date, end: date) -> Any:
    """新认定高企: entries recognised (certificate date) in the period."""
    return _entries(region).filter(recognised_on__gte=start, recognised_on__lte=end)


def hnte_valid(region: str, start: date, end: date) -> Any:
    """有效高企 at period end: certificate issued on or before ``end`` and expiring on or after it."""
    return _entries(region).filter(recognised_on__lte=end, expires_on__gte=end)


def hnte_reserve(region: str, start: date, end: date) -> Any:
    """高企后备 entries of the period's years (stage 后备 or 申报 now)."""
    return _entries(region).filter(year__gte=start.year, year__lte=end.year, stage__in=["reserve", "applied"])


def filings(region: str, start: date, end: date) -> Any:
    """研发准备金备案: filings accepted (已备案) in the period."""
    from kejiju.cultivation.models import RdReserveFiling

    return RdReserveFiling.objects.filter(
        prefix_q("region", region), is_archived=False, status="filed", filed_on__gte=start, filed_on__lte=end
    ).select_related("organization", "region")


def subsidies_paid(region: str, start: date, end: date) -> Any:
    """奖补拨付: awards paid in the period."""
    from kejiju.cultivation.models import SubsidyAward

    return SubsidyAward.objects.filter(
        prefix_q("region", region), is_archived=False, status="paid", paid_on__gte=start, paid_on__lte=end
    ).select_related("organization", "region", "policy_version__policy")


def _url(name: str, **query: str) -> Any:
    def url(region: str, start: date, end: date) -> str:
        params = {"region": region, **query}
        if start.year == end.year:
            params["year"] = str(start.year)
        return reverse(name) + "?" + urlencode(params)

    return url


ORG = (
    Column("企业", "organization.name"),
    Column("统一社会信用代码", "organization.credit_code"),
    Column("所属区划", "region.name"),
)

register_indicator(
    Indicator(
        "cultivation.tech_sme_registered",
        "科技型中小企业入库数",
        "培育库中入库日期在统计期内的企业数。",
        "家",
        "cultivation",
        tech_sme_registered,
        columns=(*ORG, Column("入库编号", "tech_sme_number"), Column("入库日期", "registered_on")),
        order=10,
    )
)
register_indicator(
    Indicator(
        "cultivation.hnte_new",
        "新认定高新技术企业数",
        "培育库中认定（发证）日期在统计期内的企业数。",
        "家",
        "cultivation",
        hnte_new,
        columns=(*ORG, Column("证书编号", "certificate_no"), Column("认定日期", "recognised_on")),
        order=20,
    )
)
register_indicator(
    Indicator(
        "cultivation.hnte_valid",
        "有效高新技术企业数（期末）",
        "统计期末证书在有效期内的高企数（培育库登记）。",
        "家",
        "cultivation",
        hnte_valid,
        columns=(*ORG, Column("证书编号", "certificate_no"), Column("有效期至", "expires_on")),
        order=30,
    )
)
register_indicator(
    Indicator(
        "cultivation.hnte_reserve",
        "高企后备企业数",
        "统计年度培育库中处于高企后备或申报阶段的企业数。",
        "家",
        "cultivation",
        hnte_reserve,
        list_url=_url("cultivation:pipeline_list", stage="reserve"),
        columns=ORG,
        order=40,
    )
)
register_indicator(
    Indicator(
        "cultivation.rd_filings",
        "研发准备金备案企业数",
        "统计期内审核通过（已备案）的研发准备金备案数。",
        "家",
        "cultivation",
        filings,
        columns=(*ORG, Column("年度", "year"), Column("计提金额（元）", "reserve_amount")),
        order=50,
    )
)
register_indicator(
    Indicator(
        "cultivation.rd_filed_total",
        "研发准备金备案金额",
        "统计期内已备案的计提研发准备金合计。",
        "万元",
        "cultivation",
        filings,
        value=sum_value("reserve_amount", WAN),
        decimals=2,
        columns=(*ORG, Column("年度", "year"), Column("计提金额（元）", "reserve_amount")),
        order=60,
    )
)
register_indicator(
    Indicator(
        "cultivation.subsidies_paid",
        "奖补资金拨付",
        "统计期内已拨付的奖补金额合计。",
        "万元",
        "cultivation",
        subsidies_paid,
        value=sum_value("amount", WAN),
        decimals=2,
        columns=(
            *ORG,
            Column("政策", "policy_version.policy.name"),
            Column("金额（元）", "amount"),
            Column("拨付日期", "paid_on"),
        ),
        order=70,
    )
)
register_indicator(
    Indicator(
        "cultivation.subsidies_paid_count",
        "奖补拨付笔数",
        "统计期内已拨付的奖补笔数。",
        "笔",
        "cultivation",
        subsidies_paid,
        value=count_value,
        columns=(*ORG, Column("政策", "policy_version.policy.name"), Column("金额（元）", "amount")),
        order=80,
    )
)
