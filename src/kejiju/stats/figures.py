"""Figures with provenance: the value of an indicator for a region and period, where it came from, and the
records behind it. Reads only (house rule 2); built on the indicator registry (``kejiju.core.indicators``)
and on the entered values, never on another app's models."""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection, transaction
from django.db.models import Case, Count, IntegerField, Value, When
from django.db.models.sql.where import AND, WhereNode
from django.utils import timezone

from kejiju.core.errors import BusinessError
from kejiju.core.indicators import AggregateValue, Indicator, count_value, get_indicator
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


# ---------------------------------------------------------------- many figures at once


@dataclass
class _Pending:
    """One computed figure waiting for its table's aggregate query."""

    code: str
    indicator: Indicator
    period: Period
    qs: Any
    with_ids: bool


def _shape(qs: Any) -> tuple[Any, ...] | None:
    """What a queryset's FROM clause is made of (the model, the database and every join it really uses),
    or ``None`` when its figure cannot be computed by conditional aggregation (distinct, sliced, grouped,
    annotated, set operations, extra SQL): such figures are computed one by one."""
    query = qs.query
    if (
        query.distinct
        or query.combinator
        or query.is_sliced
        or query.group_by is not None
        or query.annotations
        or query.extra
        or query.extra_tables
        or query._filtered_relations
        or query.where.contains_aggregate
        or query.where.contains_over_clause
    ):
        return None
    joins = tuple(
        (alias, join.identity, getattr(join, "join_type", None))
        for alias, join in query.alias_map.items()
        if query.alias_refcount.get(alias)
    )
    return (query.model, qs.db, joins)


def _batchable(indicator: Indicator) -> bool:
    return indicator.value is count_value or isinstance(indicator.value, AggregateValue)


def _conditions(where: WhereNode) -> list[Any]:
    """The conjuncts of a WHERE node (the node itself unless it is a plain AND)."""
    if where.connector == AND and not where.negated:
        return list(where.children)
    return [where]


def _split_common(query: Any, using: str, wheres: list[WhereNode]) -> tuple[list[Any], list[WhereNode | None]]:
    """The conditions every figure of a group has (the region prefix, “not archived”…), compared by their
    SQL and parameters, and what is left of each figure's filter without them. The group's query reads only
    the rows satisfying the common conditions (an index may narrow them; an OR of the figures' filters
    would turn one scan into one index search per figure), so each figure's aggregate needs only the rest:
    ``common AND rest`` is exactly the figure's own filter."""
    compiler = query.get_compiler(using)

    def key(node: Any) -> tuple[str, str] | None:
        try:
            sql, params = compiler.compile(node)
        except (EmptyResultSet, FullResultSet):
            return None
        return sql, repr(list(params))

    keyed = [[(key(c), c) for c in _conditions(w)] for w in wheres]
    key_sets = [{k for k, _c in conds} for conds in keyed]
    common_keys = {k for k, _c in keyed[0] if k is not None and all(k in ks for ks in key_sets[1:])}
    common, seen = [], set()
    for k, c in keyed[0]:
        if k in common_keys and k not in seen:
            common.append(c)
            seen.add(k)
    rests: list[WhereNode | None] = []
    for conds in keyed:
        rest = [c for k, c in conds if k not in common_keys]
        rests.append(WhereNode(rest, AND) if rest else None)
    return common, rests


def _aggregate_group(members: list[_Pending]) -> list[tuple[Decimal, int]]:
    """One query for figures whose records share a FROM clause: per figure ``COUNT(pk) FILTER (WHERE
    its conditions)`` and its value aggregate with the same filter, over the rows matching the conditions
    they all share. Same rows, same aggregates, so the same numbers as one query per figure."""
    first = members[0].qs
    query = first.query.chain()
    common, filters = _split_common(query, first.db, [m.qs.query.where.clone() for m in members])
    query.where = WhereNode(common, AND)
    pk = first.model._meta.pk.name
    aggregates: dict[str, Any] = {}
    for n, (m, condition) in enumerate(zip(members, filters, strict=True)):
        aggregates["c%d" % n] = Count(pk, filter=cast(Any, condition))
        if isinstance(m.indicator.value, AggregateValue):
            aggregates["v%d" % n] = m.indicator.value.make(condition)
    row = query.get_aggregation(first.db, aggregates)
    results = []
    for n, m in enumerate(members):
        count = int(row["c%d" % n] or 0)
        value_fn = m.indicator.value
        value = (
            to_decimal(value_fn.finish(row["v%d" % n])) if isinstance(value_fn, AggregateValue) else to_decimal(count)
        )
        results.append((value, count))
    return results


def _group_ids(members: list[_Pending]) -> dict[int, list[Any]]:
    """The record ids of the figures of a group that list them (keyed by the member's index), in one query:
    ``SELECT pk, CASE WHEN its conditions THEN 1 ELSE 0 END … WHERE the shared conditions ORDER BY pk`` —
    the rows and the shared conditions of the group's aggregate query (so the same plan: one pass over the
    table, where one query per figure would let the database pick a date index and look up every row of
    the period in every region), each row marked with the figures it belongs to. A figure's ids are the
    marked rows' pks in pk order: exactly ``qs.order_by("pk").values_list("pk")`` of its own queryset."""
    wanted = [n for n, m in enumerate(members) if m.with_ids]
    if not wanted:
        return {}
    first = members[0].qs
    query = first.query.chain()
    common, filters = _split_common(query, first.db, [m.qs.query.where.clone() for m in members])
    query.where = WhereNode(common, AND)
    names = []
    for n in wanted:
        condition = filters[n]
        flag = (
            Value(1, output_field=IntegerField())
            if condition is None
            else Case(When(cast(Any, condition), then=Value(1)), default=Value(0), output_field=IntegerField())
        )
        query.add_annotation(flag, "in%d" % n)
        names.append("in%d" % n)
    qs = first.prefetch_related(None)
    qs.query = query
    ids: dict[int, list[Any]] = {n: [] for n in wanted}
    lists = [ids[n] for n in wanted]
    for pk, *flags in qs.order_by("pk").values_list("pk", *names).iterator(chunk_size=10_000):
        for belongs, found in zip(flags, lists, strict=True):
            if belongs:
                found.append(pk)
    return ids


def _computed_figure(
    m: _Pending, region_code: str, value: Decimal, count: int, now: datetime, ids: list[Any] | None
) -> Figure:
    ind = m.indicator
    return Figure(
        code=m.code,
        name=ind.name,
        unit=ind.unit,
        definition=ind.definition,
        area=ind.area,
        source=IndicatorSource.COMPUTED,
        decimals=ind.decimals,
        additive=ind.additive,
        region=region_code,
        period=m.period.key,
        value=value,
        record_count=count,
        query=query_text(m.qs),
        computed_at=now,
        record_ids=ids,
    )


def compute_figures(
    codes: Iterable[str],
    region_code: str,
    periods: Sequence[Period],
    *,
    with_ids: bool | Collection[str] = False,
    definitions: Mapping[str, IndicatorDefinition] | None = None,
) -> dict[tuple[str, str], Figure]:
    """The figures of many indicators for one region and several periods, keyed ``(code, period.key)``:
    exactly what :func:`compute_figure` gives for each, with the same provenance (query text, record count,
    record ids), but computed together — the figures whose records come from the same table (same joins)
    take one aggregate query for all the indicators and periods (and one more for the record ids of those
    that list them, :func:`_group_ids`). ``with_ids`` is a flag or the period keys whose figures list their
    record ids. Entered indicators, value functions that are not a declared
    aggregate, and unusual querysets go one by one; a failing group falls back to one by one too, so a
    broken indicator fails alone, as before."""
    definitions = definitions or {}

    def ids_for(period: Period) -> bool:
        return with_ids if isinstance(with_ids, bool) else period.key in with_ids

    result: dict[tuple[str, str], Figure] = {}
    groups: dict[Any, list[_Pending]] = {}
    single: list[tuple[str, Period]] = []
    for code in codes:
        indicator = get_indicator(code)
        for period in periods:
            if indicator is None or not _batchable(indicator):
                single.append((code, period))
                continue
            try:
                qs = record_queryset(indicator, region_code, period)
                shape = _shape(qs)
                hash(shape)
            except Exception:  # the one-by-one path logs it and answers a failed figure
                shape = None
            if shape is None:
                single.append((code, period))
                continue
            groups.setdefault(shape, []).append(_Pending(code, indicator, period, qs, ids_for(period)))
    now = timezone.now()

    def run(members: list[_Pending]) -> list[Figure]:
        values = _aggregate_group(members)
        ids = _group_ids(members)
        return [
            _computed_figure(m, region_code, value, count, now, ids.get(n))
            for n, (m, (value, count)) in enumerate(zip(members, values, strict=True))
        ]

    for members in groups.values():
        try:
            if connection.in_atomic_block:
                # a failing query must not abort the caller's transaction (PostgreSQL)
                with transaction.atomic():
                    figures = run(members)
            else:
                figures = run(members)
        except Exception:
            logger.warning("grouped figures of %s failed; computing one by one", members[0].qs.model._meta.label)
            single.extend((m.code, m.period) for m in members)
            continue
        for fig in figures:
            result[(fig.code, fig.period)] = fig
    for code, period in single:
        result[(code, period.key)] = compute_figure(
            code, region_code, period, with_ids=ids_for(period), definition=definitions.get(code)
        )
    return result
