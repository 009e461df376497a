"""The year-end (or half-year) work report (工作总结) as a GB/T 9704 document: figures from the indicators,
paragraphs from templates, staff-drafted problems and plans, and the appendix “主要数据及来源”.

``report_content`` returns the document JSON (``kejiju.engines.gbt9704.jsonio``) and the figure list (the
CLI's FIGURES format); both are plain data, so a frozen report stores them and regenerates identically.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kejiju.core.models import Bureau, Region
from kejiju.stats.choices import area_label
from kejiju.stats.figures import Figure, compute_figures
from kejiju.stats.periods import Period
from kejiju.stats.selectors import areas_present, definitions_by_area, targets_for, templates_for_region
from kejiju.stats.textfill import FigureText, fill, format_number

NO_DATA = "本期该项工作暂无统计数据。"
APPENDIX_TITLE = "主要数据及来源"
APPENDIX_HEADER = ["序号", "指标代码", "指标名称", "统计口径", "数值", "记录数"]


@dataclass
class ReportFigures:
    """The figures of every usable indicator for a region and period, the year before, and the targets."""

    current: dict[str, Figure]
    previous: dict[str, Figure]
    targets: dict[str, Decimal]


def collect_figures(region_code: str, period: Period, *, with_ids: bool = False) -> ReportFigures:
    """Every usable indicator for the period and the year before, computed together (one aggregate query
    per table, :func:`kejiju.stats.figures.compute_figures`); ``with_ids`` lists the records of the period's
    figures (定稿)."""
    current: dict[str, Figure] = {}
    previous: dict[str, Figure] = {}
    before = period.previous_year()
    definitions = {d.code: d for ds in definitions_by_area().values() for d in ds}
    figures = compute_figures(
        list(definitions),
        region_code,
        [period, before],
        with_ids=[period.key] if with_ids else False,
        definitions=definitions,
    )
    for code in definitions:
        current[code] = figures[(code, period.key)]
        previous[code] = figures[(code, before.key)]
    targets = targets_for(region=region_code, year=period.year) if period.kind == "year" else {}
    return ReportFigures(current, previous, targets)


def issuer_of(region: Region) -> str:
    bureau = Bureau.objects.filter(region_id=region.code).first()
    return bureau.name if bureau is not None else region.name + "科学技术局"


def default_title(region: Region, period: Period) -> str:
    return "%s\n%s工作总结" % (issuer_of(region), period.label)


def default_addressee(region: Region) -> str:
    return region.name + "人民政府"


def _default_templates(area_codes: list[str], figs: ReportFigures) -> list[str]:
    """Without staff templates an area gets one sentence per figure that has data (never a zero)."""
    texts = []
    for code in area_codes:
        fig = figs.current[code]
        if fig.value in (None, 0):
            continue
        yoy = "（{%s|yoy}）" % code if figs.previous[code].value is not None else ""
        target = "，完成年度目标的{%s|rate}" % code if code in figs.targets else ""
        texts.append("{period}，%s{%s|unit}%s%s。" % (fig.name, code, yoy, target))
    return texts


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _figure_value(fig: Figure) -> int | str | None:
    if fig.value is None:
        return None
    if fig.decimals == 0 and fig.value == fig.value.to_integral_value():
        return int(fig.value)
    return format_number(fig.value, fig.decimals)


def figure_entry(fig: Figure) -> dict[str, Any]:
    """One entry of the FIGURES list: ``indicator, name, value, unit, records, definition``."""
    return {
        "indicator": fig.code,
        "name": fig.name,
        "value": _figure_value(fig),
        "unit": fig.unit,
        "records": fig.record_count,
        "definition": fig.definition,
    }


def report_content(
    *,
    region: Region,
    period: Period,
    figures: ReportFigures,
    title: str = "",
    issuer: str = "",
    addressee: str = "",
    intro: str = "",
    problems: str = "",
    plans: str = "",
    on: date | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The document JSON and the FIGURES list (every figure quoted in the text, in order)."""
    issuer = issuer or issuer_of(region)
    templates = templates_for_region(region_code=region.code)
    by_area = definitions_by_area()
    figure_text = {
        code: FigureText(
            code=code,
            unit=fig.unit,
            decimals=fig.decimals,
            value=fig.value,
            previous=figures.previous[code].value if code in figures.previous else None,
            target=figures.targets.get(code),
        )
        for code, fig in figures.current.items()
    }
    body: list[dict[str, Any]] = []
    for line in _lines(intro) or ["现将%s%s科技工作情况报告如下。" % (region.name, period.label)]:
        body.append({"type": "paragraph", "text": line})
    body.append({"type": "heading", "level": 1, "text": "主要工作及成效"})
    used: list[str] = []
    for area in areas_present():
        codes = [d.code for d in by_area.get(area, []) if d.code in figures.current]
        body.append({"type": "heading", "level": 2, "text": area_label(area)})
        texts = [t.text for t in templates.get(area, [])] or _default_templates(codes, figures)
        written = 0
        for text in texts:
            filled = fill(text, figure_text, period=period.label, region=region.name)
            if filled is None:
                continue
            paragraph, quoted = filled
            body.append({"type": "paragraph", "text": paragraph})
            written += 1
            used.extend(c for c in quoted if c not in used)
        if not written:
            body.append({"type": "paragraph", "text": NO_DATA})
    body.append({"type": "heading", "level": 1, "text": "存在的问题"})
    body.extend({"type": "paragraph", "text": line} for line in _lines(problems) or ["（待填写）"])
    next_title = "下半年工作打算" if period.kind == "half" and period.part == 1 else "下一年工作打算"
    body.append({"type": "heading", "level": 1, "text": next_title})
    body.extend({"type": "paragraph", "text": line} for line in _lines(plans) or ["（待填写）"])
    entries = [figure_entry(figures.current[c]) for c in used]
    rows = [APPENDIX_HEADER]
    for n, code in enumerate(used, start=1):
        fig = figures.current[code]
        rows.append(
            [
                str(n),
                code,
                fig.name,
                fig.definition or "—",
                format_number(fig.value, fig.decimals) + fig.unit,
                "—" if fig.record_count is None else str(fig.record_count),
            ]
        )
    body.append({"type": "paragraph", "text": "附表：" + APPENDIX_TITLE})
    if len(rows) > 1:
        body.append({"type": "table", "rows": rows, "header": True, "font_size_pt": 12})
    else:
        body.append({"type": "paragraph", "text": "本期报告未引用统计数据。"})
    day = on or timezone.localdate()
    payload = {
        "issuer": issuer,
        "title": title or default_title(region, period),
        "addressee": addressee or default_addressee(region),
        "body": body,
        "date": day.isoformat(),
        "seal": True,
        "layout": "document",
    }
    return payload, entries
