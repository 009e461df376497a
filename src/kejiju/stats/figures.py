"""Figures with provenance: the value of an indicator for a region and period, where it came from, and the
records behind it. Reads only (house rule 2); built on the indicator registry (``kejiju.core.indicators``)
and on the entered values, never on another app's models."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.utils import timezone

from kejiju.core.errors import BusinessError
from kejiju.core.indicators import Indicator, count_value, get_indicator
from kejiju.stats.choices import IndicatorSource
from kejiju.stats.models import EnteredValue, IndicatorDefinition
from kejiju.stats.periods import Period

logger = logging.getLogger(__name__)


@dataclass
class Figure:
    """One figure: the indicator's catalogue data, the value (``None`` = no data), and its provenance —
    the query and record count of a computed figure, or who entered it from which document."""

    code: str
    name: str
    unit: str
    definition: str
    area: str
    source: str
    decimals: int
    additive: bool
    region: str
    period: str
    value: Decimal | None
    record_count: int | None
    query: str = ""
    computed_at: datetime | None = None
    record_ids: list[Any] | None = None
    entered_by: str = ""
    entered_value_id: int | None = None
    source_document_id: str = ""
    source_note: str = ""
    frozen: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def has_data(self) -> bool:
        return self.value is not None


def to_decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def query_text(qs: Any) -> str:
    """The SQL of a queryset as text (parameters inlined by Django for display only)."""
    try:
        return str(qs.query)
    except EmptyResultSet:
        return "（空查询：没有任何记录）"
    except Exception:  # pragma: no cover - a backend that cannot print its SQL
        return repr(qs)


def record_queryset(indicator: Indicator, region_code: str, period: Period) -> Any:
    """The records behind a computed figure (``indicator.records`` for the period's inclusive dates)."""
    return indicator.records(region_code, period.start, period.end)


def compute_registered(
    indicator: Indicator, region_code: str, period: Period, *, with_ids: bool = False
) -> tuple[Decimal, int, str, list[Any] | None]:
    """Value, record count, query text and (optionally) record ids of a computed indicator."""
    qs = record_queryset(indicator, region_code, period)
    count = int(qs.count())
    value = to_decimal(count) if indicator.value is count_value else to_decimal(indicator.value(qs))
    ids = [pk for pk in qs.order_by("pk").values_list("pk", flat=True)] if with_ids else None
    return value, count, query_text(qs), ids


def _definition_of(code: str) -> IndicatorDefinition | None:
    return IndicatorDefinition.objects.filter(code=code).first()


def compute_figure(
    code: str,
    region_code: str,
    period: Period,
    *,
    with_ids: bool = False,
    definition: IndicatorDefinition | None = None,
) -> Figure:
    """The figure of indicator ``code`` for region ``region_code`` (and every region below it) in
    ``period``. Computed indicators run their registered selector; entered ones read the value entered for
    exactly that region and period. Raises ``BusinessError`` for an unknown code."""
    registered = get_indicator(code)
    now = timezone.now()
    if registered is not None:
        try:
            if connection.in_atomic_block:
                # a failing query must not abort the caller's transaction (PostgreSQL)
                with transaction.atomic():
                    value, count, query, ids = compute_registered(registered, region_code, period, with_ids=with_ids)
            else:
                value, count, query, ids = compute_registered(registered, region_code, period, with_ids=with_ids)
        except Exception as exc:  # a broken indicator of another app must not take the page down
            logger.exception("indicator %s failed", code)
            return Figure(
                code=code,
                name=registered.name,
                unit=registered.unit,
                definition=registered.definition,
                area=registered.area,
                source=IndicatorSource.COMPUTED,
                decimals=registered.decimals,
                additive=registered.additive,
                region=region_code,
                period=period.key,
                value=None,
                record_count=None,
                query="计算失败：%s" % type(exc).__name__,
                computed_at=now,
                extra={"error": str(exc)[:200]},
            )
        return Figure(
            code=code,
            name=registered.name,
            unit=registered.unit,
            definition=registered.definition,
            area=registered.area,
            source=IndicatorSource.COMPUTED,
            decimals=registered.decimals,
            additive=registered.additive,
            region=region_code,
            period=period.key,
            value=value,
            record_count=count,
            query=query,
            computed_at=now,
            record_ids=ids,
        )
    definition = definition or _definition_of(code)
    if definition is None or definition.source != IndicatorSource.ENTERED:
        raise BusinessError("指标“%s”不存在。" % code, code="not_found", field="indicator")
    row = (
        EnteredValue.objects.filter(indicator=definition, region_id=region_code, period=period.key, is_archived=False)
        .select_related("entered_by")
        .first()
    )
    figure = Figure(
        code=code,
        name=definition.name,
        unit=definition.unit,
        definition=definition.definition,
        area=definition.area,
        source=IndicatorSource.ENTERED,
        decimals=definition.decimals,
        additive=definition.additive,
        region=region_code,
        period=period.key,
        value=None,
        record_count=None,
        computed_at=now,
    )
    if row is not None:
        figure.value = row.value
        figure.record_count = 1
        figure.entered_by = row.entered_by.get_full_name() or row.entered_by.get_username()
        figure.entered_value_id = row.pk
        figure.source_document_id = str(row.source_document_id)
        figure.source_note = row.source_note
        figure.query = "人工录入：%s 于 %s 录入，来源文件“%s”。" % (
            figure.entered_by,
            timezone.localtime(row.updated_at).strftime("%Y-%m-%d %H:%M"),
            row.source_document.original_name,
        )
        figure.record_ids = [row.pk] if with_ids else None
    return figure
