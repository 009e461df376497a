"""Region-scoped reads of the statistics app (house rule 2): the catalogue, figures, dashboards, the
additivity check, filled tables, and the records behind a figure."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from kejiju.core.indicators import Indicator, get_indicator, registered_indicators
from kejiju.core.models import Region
from kejiju.core.permissions import active_region_code, region_within
from kejiju.stats.choices import AREAS, IndicatorSource, area_label, area_order
from kejiju.stats.figures import Figure, compute_figure, compute_figures, record_queryset
from kejiju.stats.models import (
    EnteredValue,
    IndicatorDefinition,
    ParagraphTemplate,
    TableLayout,
    Target,
    WorkReport,
)
from kejiju.stats.periods import Period, PeriodError, parse_period
from kejiju.stats.textfill import chart_number, rate_text, yoy_phrase

_REGION_RE_DIGITS = frozenset("0123456789")
_CODE_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,80}$")
_PERIOD_KEY_RE = re.compile(r"^[0-9]{4}([HQ][1-4])?$")


def clean_code(text: Any) -> str:
    """An indicator code from user input, or ``""`` when it cannot be one (never reaches the database)."""
    value = str(text or "").strip()
    return value if _CODE_RE.match(value) else ""


# ---------------------------------------------------------------- scope


def region_for(*, user: Any, code: str | None) -> Region:
    """The region ``code`` when it lies within the user's active region (default: the active region
    itself); otherwise 404 — "not yours" and "does not exist" answer alike."""
    scope = active_region_code(user)
    if scope is None:
        raise Http404("区划不存在。")
    code = (code or "").strip() or scope
    if not code or not set(code) <= _REGION_RE_DIGITS or len(code) > 12 or not region_within(code, scope):
        raise Http404("区划不存在。")
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise Http404("区划不存在。")
    return region


def period_or_404(text: Any) -> Period:
    try:
        return parse_period(text)
    except PeriodError:
        raise Http404("统计期无效。") from None


# ---------------------------------------------------------------- catalogue


def catalogue(*, active_only: bool = True, area: str | None = None) -> QuerySet[IndicatorDefinition]:
    """The indicator catalogue (global), by area and order."""
    qs = IndicatorDefinition.objects.all()
    if active_only:
        qs = qs.filter(is_active=True)
    if area:
        qs = qs.filter(area=area)
    return qs


def indicator_get(*, code: str) -> IndicatorDefinition:
    code = clean_code(code)
    obj = IndicatorDefinition.objects.filter(code=code).first() if code else None
    if obj is None:
        raise Http404("指标不存在。")
    return obj


def active_codes() -> list[str]:
    """Codes usable now: active catalogue entries that are either registered (computed) or entered."""
    codes = []
    for d in catalogue():
        if d.source == IndicatorSource.ENTERED or get_indicator(d.code) is not None:
            codes.append(d.code)
    return codes


def areas_present() -> list[str]:
    """Areas with at least one usable indicator, in report order."""
    areas = {i.area for i in registered_indicators()}
    areas |= set(catalogue().filter(source=IndicatorSource.ENTERED).values_list("area", flat=True))
    return sorted(areas, key=lambda a: (area_order(a), a))


def definitions_by_area() -> dict[str, list[IndicatorDefinition]]:
    usable = set(active_codes())
    result: dict[str, list[IndicatorDefinition]] = {}
    for d in catalogue():
        if d.code in usable:
            result.setdefault(d.area, []).append(d)
    return dict(sorted(result.items(), key=lambda kv: (area_order(kv[0]), kv[0])))


# ---------------------------------------------------------------- figures


def figure(*, code: str, region: str, period: Period, with_ids: bool = False) -> Figure:
    """One figure with provenance (``kejiju.stats.figures.compute_figure``)."""
    return compute_figure(code, region, period, with_ids=with_ids)


def target_for(*, code: str, region: str, year: int) -> Decimal | None:
    row = Target.objects.filter(indicator__code=code, region_id=region, year=year, is_archived=False).first()
    return row.value if row is not None else None


def targets_for(*, region: str, year: int) -> dict[str, Decimal]:
    rows = Target.objects.filter(region_id=region, year=year, is_archived=False).select_related("indicator")
    return {t.indicator.code: t.value for t in rows}


def child_regions(region: Region) -> list[Region]:
    return list(Region.objects.filter(parent_id=region.code, is_active=True).order_by("code"))


@dataclass
class DashboardRow:
    figure: Figure
    previous: Figure
    target: Decimal | None
    yoy: str
    rate: str


@dataclass
class DashboardPanel:
    area: str
    title: str
    rows: list[DashboardRow] = field(default_factory=list)
    ranking: dict[str, Any] | None = None


def dashboard(*, region: Region, year: int, ranking: bool = True) -> list[DashboardPanel]:
    """One panel per area present in the catalogue: every usable indicator's figure for the year and the
    year before (同比), the year's target and the completion rate, and — for the area's first additive
    indicator — a ranking of the regions directly below."""
    period, previous = Period(year), Period(year - 1)
    targets = targets_for(region=region.code, year=year)
    children = child_regions(region) if ranking else []
    panels = []
    by_area = definitions_by_area()
    all_definitions = {d.code: d for ds in by_area.values() for d in ds}
    figures = compute_figures(list(all_definitions), region.code, [period, previous], definitions=all_definitions)
    for area, definitions in by_area.items():
        panel = DashboardPanel(area=area, title=area_label(area))
        for d in definitions:
            cur = figures[(d.code, period.key)]
            prev = figures[(d.code, previous.key)]
            target = targets.get(d.code)
            panel.rows.append(
                DashboardRow(cur, prev, target, yoy_phrase(cur.value, prev.value), rate_text(cur.value, target))
            )
        first = next((r.figure for r in panel.rows if r.figure.additive), None)
        if first is not None and children:
            values = [compute_figure(first.code, c.code, period) for c in children]
            panel.ranking = {
                "code": first.code,
                "name": first.name,
                "unit": first.unit,
                "items": sorted(
                    (
                        {"region": c.code, "name": c.name, "value": chart_number(v.value, missing=0)}
                        for c, v in zip(children, values, strict=True)
                    ),
                    key=lambda item: -item["value"],
                ),
            }
        panels.append(panel)
    return panels


@dataclass
class AdditivityRow:
    code: str
    name: str
    unit: str
    parent: Decimal | None
    children_sum: Decimal
    children: list[tuple[Region, Decimal | None]]
    outside: Decimal | None

    @property
    def matches(self) -> bool:
        return (self.parent or Decimal(0)) == self.children_sum


def additivity_check(*, region: Region, period: Period) -> list[AdditivityRow]:
    """For each additive indicator: the region's figure against the sum of the regions directly below
    (a city against its counties). A mismatch means records registered on the region itself or on a
    disabled sub-region, or entered figures that do not add up."""
    children = child_regions(region)
    definitions = {
        d.code: d
        for d in catalogue().filter(additive=True)
        if d.source != IndicatorSource.COMPUTED or get_indicator(d.code) is not None
    }
    # every figure of a region together: one aggregate query per table and region
    by_region = {
        code: compute_figures(list(definitions), code, [period], definitions=definitions)
        for code in [region.code, *(c.code for c in children)]
    }
    rows = []
    for d in definitions.values():
        parent = by_region[region.code][(d.code, period.key)]
        values = [(c, by_region[c.code][(d.code, period.key)].value) for c in children]
        if d.source == IndicatorSource.ENTERED and parent.value is None and all(v is None for _c, v in values):
            continue
        total = sum((v for _c, v in values if v is not None), Decimal(0))
        outside = (parent.value - total) if parent.value is not None else None
        rows.append(AdditivityRow(d.code, d.name, d.unit, parent.value, total, values, outside))
    return rows


# ---------------------------------------------------------------- records behind a figure


def records_for(*, code: str, region: Region, period: Period) -> tuple[Indicator, Any]:
    """The registered indicator and the queryset of the records behind its figure (404 for an unknown or
    entered code: an entered figure's "record" is the entered value and its source document)."""
    indicator = get_indicator(clean_code(code))
    if indicator is None:
        raise Http404("指标不存在。")
    return indicator, record_queryset(indicator, region.code, period)


# ---------------------------------------------------------------- staff data


def entered_value_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[EnteredValue]:
    qs = EnteredValue.objects.restrict(user, "stats.view_enteredvalue").filter(is_archived=False)
    qs = qs.select_related("indicator", "region", "entered_by", "source_document")
    filters = filters or {}
    if code := clean_code(filters.get("indicator")):
        qs = qs.filter(indicator__code=code)
    if (period := str(filters.get("period") or "")) and _PERIOD_KEY_RE.match(period):
        qs = qs.filter(period=period)
    if (region := str(filters.get("region") or "")) and region.isdigit() and len(region) <= 12:
        qs = qs.filter(region_id=region)
    return qs.order_by("-period", "indicator__area", "indicator__order", "region_id", "pk")


def entered_value_get(*, user: Any, pk: Any) -> EnteredValue:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("录入数值不存在。") from None
    obj = entered_value_list(user=user).filter(pk=pk).first() if 0 < pk < 2**63 else None
    if obj is None:
        raise Http404("录入数值不存在。")
    return obj


def target_list(*, user: Any, year: int | None = None) -> QuerySet[Target]:
    qs = Target.objects.restrict(user, "stats.view_target").filter(is_archived=False).select_related("indicator")
    if year:
        qs = qs.filter(year=year)
    return qs.select_related("region").order_by("-year", "region_id", "indicator__area", "indicator__order")


def layout_list(*, user: Any) -> QuerySet[TableLayout]:
    return TableLayout.objects.restrict(user, "stats.view_tablelayout").filter(is_archived=False)


def _get(qs: QuerySet[Any], pk: Any, message: str) -> Any:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404(message) from None
    obj = qs.filter(pk=pk).first() if 0 < pk < 2**63 else None
    if obj is None:
        raise Http404(message)
    return obj


def layout_get(*, user: Any, pk: Any) -> TableLayout:
    obj: TableLayout = _get(layout_list(user=user), pk, "统计表样不存在。")
    return obj


def template_list(*, user: Any) -> QuerySet[ParagraphTemplate]:
    return (
        ParagraphTemplate.objects.restrict(user, "stats.view_paragraphtemplate")
        .filter(is_archived=False)
        .select_related("region")
    )


def template_get(*, user: Any, pk: Any) -> ParagraphTemplate:
    obj: ParagraphTemplate = _get(template_list(user=user), pk, "段落模板不存在。")
    return obj


def templates_for_region(*, region_code: str) -> dict[str, list[ParagraphTemplate]]:
    """Active templates that apply to ``region_code`` (set on it or on a region above), by area: the
    nearest region's templates for an area replace those of regions further up."""
    prefixes = [region_code[:n] for n in (2, 4, 6, 9, 12) if n <= len(region_code)]
    rows = ParagraphTemplate.objects.filter(region_id__in=prefixes, is_active=True, is_archived=False)
    by_area: dict[str, dict[str, list[ParagraphTemplate]]] = {}
    for t in rows.order_by("order", "pk"):
        by_area.setdefault(t.area, {}).setdefault(t.region_id, []).append(t)
    return {area: regions[max(regions, key=len)] for area, regions in by_area.items()}


def report_list(*, user: Any) -> QuerySet[WorkReport]:
    return (
        WorkReport.objects.restrict(user, "stats.view_workreport")
        .filter(is_archived=False)
        .select_related("region", "created_by", "document")
    )


def report_get(*, user: Any, pk: Any) -> WorkReport:
    obj: WorkReport = _get(report_list(user=user), pk, "工作总结不存在。")
    return obj


def area_choices() -> list[tuple[str, str]]:
    return list(AREAS.items())
