"""Upward statistical tables: a validated layout (rows of indicators × columns of regions and periods)
filled from the figures, and its Excel export (XlsxWriter, text cells escaped)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import xlsxwriter

from kejiju.core.excel import escape_cell
from kejiju.core.models import Region
from kejiju.stats.figures import compute_figure
from kejiju.stats.models import IndicatorDefinition
from kejiju.stats.periods import Period
from kejiju.stats.textfill import format_number


@dataclass
class TableColumn:
    label: str
    region: str
    period: Period


@dataclass
class FilledTable:
    title: str
    region: Region
    period: Period
    columns: list[TableColumn]
    rows: list[dict[str, Any]] = field(default_factory=list)


def _columns(layout: dict[str, Any], region: Region, period: Period) -> list[TableColumn]:
    names = (
        dict(
            Region.objects.filter(
                code__startswith=region.code[:4] if len(region.code) > 4 else region.code
            ).values_list("code", "name")
        )
        if region.code
        else {}
    )
    result: list[TableColumn] = []
    for col in layout.get("columns", []):
        per = period.previous_year() if col.get("period") == "previous" else period
        suffix = "（上年同期）" if col.get("period") == "previous" else ""
        if col["region"] == "children":
            for child in Region.objects.filter(parent_id=region.code, is_active=True).order_by("code"):
                result.append(TableColumn(child.name + suffix, child.code, per))
        else:
            code = region.code if col["region"] == "self" else col["region"]
            label = (
                col.get("label")
                or (names.get(code) or Region.objects.filter(code=code).values_list("name", flat=True).first() or code)
                + suffix
            )
            result.append(TableColumn(label, code, per))
    return result


def fill_table(*, layout: dict[str, Any], region: Region, period: Period) -> FilledTable:
    """Fill the layout for ``region`` (``self`` and ``children`` columns resolve against it) and ``period``.
    Indicators since made inactive show “—”."""
    columns = _columns(layout, region, period)
    table = FilledTable(title=str(layout.get("title") or ""), region=region, period=period, columns=columns)
    definitions = {
        d.code: d for d in IndicatorDefinition.objects.filter(code__in=[r["indicator"] for r in layout.get("rows", [])])
    }
    for row in layout.get("rows", []):
        d = definitions.get(row["indicator"])
        cells: list[dict[str, Any]] = []
        for col in columns:
            if d is None or not d.is_active:
                cells.append({"text": "—", "value": None, "region": col.region, "period": col.period.key})
                continue
            fig = compute_figure(d.code, col.region, col.period, definition=d)
            cells.append(
                {
                    "text": format_number(fig.value, fig.decimals) if fig.value is not None else "—",
                    "value": fig.value,
                    "records": fig.record_count,
                    "region": col.region,
                    "period": col.period.key,
                }
            )
        table.rows.append(
            {
                "code": row["indicator"],
                "label": row.get("label") or (d.name if d else row["indicator"]),
                "unit": d.unit if d else "",
                "cells": cells,
            }
        )
    return table


def table_workbook(table: FilledTable, *, title: str) -> bytes:
    """The filled table as .xlsx: a title line, the header, one row per indicator; numbers stay numbers."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet(
        (title or "统计表")[:31]
        .replace("/", "_")
        .replace("[", "(")
        .replace("]", ")")
        .replace(":", "_")
        .replace("*", "_")
        .replace("?", "_")
        .replace("\\", "_")
    )
    bold = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1, "text_wrap": True})
    head = book.add_format({"bold": True, "font_size": 14})
    cell = book.add_format({"border": 1})
    sheet.write_string(0, 0, escape_cell("%s（%s %s）" % (title, table.region.name, table.period.label)), head)
    headers = ["指标代码", "指标", "单位", *[c.label for c in table.columns]]
    for c, text in enumerate(headers):
        sheet.write_string(2, c, escape_cell(text), bold)
        sheet.set_column(c, c, 24 if c < 2 else 14)
    for r, row in enumerate(table.rows, start=3):
        sheet.write_string(r, 0, escape_cell(row["code"]), cell)
        sheet.write_string(r, 1, escape_cell(row["label"]), cell)
        sheet.write_string(r, 2, escape_cell(row["unit"]), cell)
        for c, item in enumerate(row["cells"], start=3):
            if item["value"] is None:
                sheet.write_string(r, c, "—", cell)
            else:
                sheet.write_number(r, c, float(item["value"]), cell)
    sheet.freeze_panes(3, 2)
    book.close()
    return buffer.getvalue()
