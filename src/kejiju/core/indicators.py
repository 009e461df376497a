"""The indicator registry: every figure the platform can compute from its own records.

Each app declares its computed indicators in its ``indicators.py`` (imported from ``AppConfig.ready``)
with :func:`register_indicator`. The statistics app builds the catalogue, the values with provenance,
the dashboards and the work report from this registry; it never imports another app's models.

An indicator's ``records`` returns the queryset of the records behind the figure for a region (code
prefix) and a period (inclusive dates); ``value`` turns that queryset into the figure (default: the
count). The figure and ``records(...).count()`` are therefore always explainable: the list behind
“新认定高企 12 家” is exactly ``records``. ``list_url`` (a URL name plus query) opens the same records
in the app's own list page when it can filter them; otherwise the statistics app shows its generic list
using ``columns``.

Value functions: ``count_value`` (the default) or an :class:`AggregateValue` (``sum_value``,
``aggregate_value``) — one SQL aggregate over the records. Those two let the statistics app compute all
the figures over one table for a region in a single query; any other callable still works, one query
per figure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

RecordsFn = Callable[[str, date, date], Any]  # (region_code, start, end) -> QuerySet
ValueFn = Callable[[Any], int | Decimal]  # QuerySet -> figure (count_value, or an AggregateValue to batch)


def count_value(qs: Any) -> int:
    return int(qs.count())


class AggregateValue:
    """A value function that is one SQL aggregate over the records, then an exact conversion.

    ``make(filter)`` builds the aggregate expression (``Sum("amount", filter=filter)``); ``finish`` turns
    the aggregate's result (``None`` when there are no records) into the figure. Calling it on a queryset
    gives the figure as any value function does; because the aggregate is declared rather than hidden in a
    function, the statistics app can compute the figures of many indicators over the same table in one
    query (conditional aggregation), with the same SQL aggregate over the same rows."""

    def __init__(self, make: Callable[[Any], Any], finish: Callable[[Any], int | Decimal], label: str = "") -> None:
        self.make = make
        self.finish = finish
        self.label = label

    def __call__(self, qs: Any) -> int | Decimal:
        return self.finish(qs.aggregate(value=self.make(None))["value"])

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return "AggregateValue(%s)" % self.label


def aggregate_value(make: Callable[[Any], Any], finish: Callable[[Any], int | Decimal]) -> AggregateValue:
    """A value function from an aggregate (``lambda f: Avg("satisfaction", filter=f)``) and a conversion
    of its result (``None`` when there are no records)."""
    return AggregateValue(make, finish)


def sum_value(field_name: str, scale: Decimal | None = None) -> AggregateValue:
    """A value function summing ``field_name`` over the records (optionally multiplied by ``scale``,
    e.g. ``Decimal("0.0001")`` to report yuan in 万元), exact Decimal, 0 when there are none."""
    from django.db.models import Sum

    def finish(total: Any) -> Decimal:
        total = Decimal(total or Decimal(0))
        return total * scale if scale is not None else total

    return AggregateValue(lambda condition: Sum(field_name, filter=condition), finish, "sum %s" % field_name)


@dataclass(frozen=True)
class Column:
    """A column of the generic records list: a Chinese header and a dotted attribute path."""

    label: str
    path: str


@dataclass(frozen=True)
class Indicator:
    """A computed indicator. ``code`` is stable (``programs.projects_approved``); ``area`` groups
    indicators on dashboards and in the work report (programs, cultivation, platforms, service,
    outreach, talents, transfer, awards); ``additive`` says whether a parent region's figure must equal
    the sum of its children's (counts and money are, ratios are not)."""

    code: str
    name: str
    definition: str
    unit: str
    area: str
    records: RecordsFn
    value: ValueFn = count_value
    additive: bool = True
    period: str = "year"
    decimals: int = 0
    list_url: Callable[[str, date, date], str] | None = None
    columns: tuple[Column, ...] = field(default_factory=tuple)
    order: int = 100


_registry: dict[str, Indicator] = {}


def register_indicator(indicator: Indicator) -> Indicator:
    """Add (or replace, by code) a computed indicator."""
    _registry[indicator.code] = indicator
    return indicator


def registered_indicators(area: str | None = None) -> list[Indicator]:
    items = [i for i in _registry.values() if area is None or i.area == area]
    return sorted(items, key=lambda i: (i.area, i.order, i.code))


def get_indicator(code: str) -> Indicator | None:
    return _registry.get(code)
