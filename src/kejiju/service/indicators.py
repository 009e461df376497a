"""Computed indicators of the service line (area ``service``) for the statistics app."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Avg
from django.urls import reverse
from django.utils import timezone

from kejiju.core.indicators import Column, Indicator, aggregate_value, count_value, register_indicator, sum_value


def _span(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, datetime.min.time(), tzinfo=tz),
        datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=tz),
    )


def _requests(region: str, start: date, end: date) -> Any:
    from kejiju.service.models import ServiceRequest

    lo, hi = _span(start, end)
    return ServiceRequest.objects.filter(region__code__startswith=region, received_at__gte=lo, received_at__lt=hi)


def _visited(region: str, start: date, end: date) -> Any:
    from kejiju.service.models import ServiceRequest

    lo, hi = _span(start, end)
    return ServiceRequest.objects.filter(region__code__startswith=region, visited_at__gte=lo, visited_at__lt=hi)


def _rated(region: str, start: date, end: date) -> Any:
    return _requests(region, start, end).filter(satisfaction__isnull=False)


def _with_loss(region: str, start: date, end: date) -> Any:
    return _requests(region, start, end).filter(loss_avoided__isnull=False)


def _articles(region: str, start: date, end: date) -> Any:
    from kejiju.service.models import KnowledgeArticle

    lo, hi = _span(start, end)
    return KnowledgeArticle.objects.filter(
        region__code__startswith=region, is_archived=False, created_at__gte=lo, created_at__lt=hi
    )


def _two_places(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01")) if value is not None else Decimal(0)


# a declared aggregate: computed in the same query as the other figures over the requests
_avg_satisfaction = aggregate_value(lambda condition: Avg("satisfaction", filter=condition), _two_places)


def _list_url(region: str, start: date, end: date) -> str:
    return "%s?town=%s&start=%s&end=%s" % (reverse("service:request_list"), region, start, end)


REQUEST_COLUMNS = (
    Column("工单号", "number"),
    Column("受理时间", "received_at"),
    Column("服务领域", "subject.name"),
    Column("问题类别", "category.name"),
    Column("状态", "get_status_display"),
)

register_indicator(
    Indicator(
        code="service.requests_handled",
        name="受理农业科技服务求助",
        definition="统计期内科技服务热线（电话、网上、来访）受理的求助工单数。",
        unit="件",
        area="service",
        records=_requests,
        value=count_value,
        list_url=_list_url,
        columns=REQUEST_COLUMNS,
        order=10,
    )
)
register_indicator(
    Indicator(
        code="service.visits",
        name="专家下乡出诊",
        definition="统计期内首次出诊（下乡服务）的工单数。",
        unit="次",
        area="service",
        records=_visited,
        columns=REQUEST_COLUMNS,
        order=20,
    )
)
register_indicator(
    Indicator(
        code="service.avg_satisfaction",
        name="回访平均满意度",
        definition="统计期内受理、已回访工单的满意度（1–5 分）平均值；不可跨区划相加。",
        unit="分",
        area="service",
        records=_rated,
        value=_avg_satisfaction,
        additive=False,
        decimals=2,
        columns=REQUEST_COLUMNS,
        order=30,
    )
)
register_indicator(
    Indicator(
        code="service.loss_avoided",
        name="挽回经济损失",
        definition="统计期内受理工单经科技局核定的挽回经济损失合计（按面积×亩挽回产量×单价、头数×单价或直接金额测算）。",
        unit="万元",
        area="service",
        records=_with_loss,
        value=sum_value("loss_avoided", Decimal("0.0001")),
        decimals=2,
        columns=(*REQUEST_COLUMNS, Column("挽回损失（元）", "loss_avoided")),
        order=40,
    )
)
register_indicator(
    Indicator(
        code="service.kb_articles",
        name="新增知识库文章",
        definition="统计期内新增且未归档的知识库文章数。",
        unit="篇",
        area="service",
        records=_articles,
        columns=(Column("标题", "title"), Column("服务领域", "subject.name")),
        order=50,
    )
)
