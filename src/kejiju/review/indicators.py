"""Computed indicators of the review app (area "programs": expert review serves the programmes)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.utils import timezone

from kejiju.core.indicators import Column, Indicator, register_indicator
from kejiju.core.permissions import prefix_q


def _span(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return datetime.combine(start, time.min, tz), datetime.combine(end, time.max, tz)


def _experts_active(region_code: str, start: date, end: date) -> Any:
    from kejiju.review.models import Expert

    return Expert.objects.filter(prefix_q("region", region_code), status="active", is_archived=False)


def _reviews_completed(region_code: str, start: date, end: date) -> Any:
    from kejiju.review.models import ScoreSheet

    lo, hi = _span(start, end)
    return ScoreSheet.objects.filter(
        prefix_q("assignment__batch__region", region_code), submitted_at__gte=lo, submitted_at__lte=hi
    ).select_related("assignment__expert", "assignment__item")


def _batches_drawn(region_code: str, start: date, end: date) -> Any:
    from kejiju.review.models import DrawRecord

    lo, hi = _span(start, end)
    return DrawRecord.objects.filter(
        prefix_q("batch__region", region_code), ok=True, created_at__gte=lo, created_at__lte=hi
    ).select_related("batch")


def _items_reviewed(region_code: str, start: date, end: date) -> Any:
    from kejiju.review.models import BatchItem

    lo, hi = _span(start, end)
    return BatchItem.objects.filter(
        prefix_q("batch__region", region_code), outcome_applied_at__gte=lo, outcome_applied_at__lte=hi
    ).select_related("batch")


register_indicator(
    Indicator(
        code="review.experts_active",
        name="在库评审专家",
        definition="专家库中状态为“在库”的专家人数（统计时点数，不按期间）。",
        unit="人",
        area="programs",
        records=_experts_active,
        columns=(Column("姓名", "name"), Column("职称", "title"), Column("工作单位", "org_label")),
        order=300,
    )
)
register_indicator(
    Indicator(
        code="review.reviews_completed",
        name="专家评审完成份数",
        definition="期间内评审专家提交的评分表份数（每位专家对每个评审对象一份）。",
        unit="份",
        area="programs",
        records=_reviews_completed,
        columns=(
            Column("专家", "assignment.expert.name"),
            Column("评审对象", "assignment.item.title"),
            Column("总分", "total"),
        ),
        order=310,
    )
)
register_indicator(
    Indicator(
        code="review.panels_drawn",
        name="专家抽取次数",
        definition="期间内成功完成并生成抽取记录的评审批次专家抽取（分配）次数。",
        unit="次",
        area="programs",
        records=_batches_drawn,
        columns=(Column("评审批次", "batch.title"), Column("随机种子摘要", "seed_digest")),
        order=320,
    )
)
register_indicator(
    Indicator(
        code="review.items_reviewed",
        name="完成专家评审的项目（申报）数",
        definition="期间内评审结果已汇总并回传的评审对象数（同一对象在不同批次分别计）。",
        unit="项",
        area="programs",
        records=_items_reviewed,
        columns=(Column("评审对象", "title"), Column("评审批次", "batch.title"), Column("排名", "rank")),
        order=330,
    )
)
