"""Excel plumbing shared by every module: safe export and reading uploaded sheets."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import xlsxwriter

_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: Any) -> Any:
    """Neutralise text a spreadsheet would run as a formula (cells starting with = + - @)."""
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


#: Decimals with at most this many significant digits are written as Excel numbers (a double holds them
#: exactly as displayed); longer ones stay text so that no digit is lost.
_EXACT_DIGITS = 15


def _decimal_places(value: Decimal) -> int | None:
    """How many decimal places to show when ``value`` can be an exact Excel number; None keeps it text."""
    if not value.is_finite():
        return None
    _sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int) or len(digits) + max(0, exponent) > _EXACT_DIGITS:
        return None
    return max(0, -exponent)


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, bool):
        return "是" if value else "否"
    return escape_cell(value) if isinstance(value, str) else value


def write_workbook(sheet_name: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """One sheet with a bold header row; every text cell escaped; numbers stay numbers — exact decimals
    (money, scores) too, shown with their own number of decimal places."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    )
    sheet = book.add_worksheet(sheet_name[:31])
    bold = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header, bold)
        sheet.set_column(col, col, max(10, min(40, len(header) * 2 + 4)))
    decimal_formats: dict[int, Any] = {}
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            places = _decimal_places(value) if isinstance(value, Decimal) else None
            if places is not None:
                # money and scores stay numbers a bureau can sum, shown with their own decimals
                if places not in decimal_formats:
                    pattern = "#,##0" + ("." + "0" * places if places else "")
                    decimal_formats[places] = book.add_format({"num_format": pattern})
                sheet.write_number(r, c, float(value), decimal_formats[places])
                continue
            value = _plain(value)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, str(value))
    sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


class SheetError(Exception):
    """The uploaded file cannot be read as a table (message in Chinese)."""


def read_table(data: bytes, filename: str) -> tuple[list[str], list[dict[str, str]]]:
    """Read the first sheet of an .xlsx/.xls/.ods/.csv upload: header row, then rows as dicts of
    text (numbers that are whole become "12", dates "2026-06-09"). Empty trailing rows dropped."""
    name = filename.lower()
    table: list[list[Any]]
    if name.endswith(".csv"):
        text = None
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        if text is None:
            raise SheetError("CSV 文件编码无法识别，请另存为 UTF-8 编码。")
        table = [list(row) for row in csv.reader(io.StringIO(text))]
    elif name.endswith((".xlsx", ".xls", ".ods", ".xlsm")):
        from python_calamine import CalamineWorkbook

        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
            table = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except Exception as exc:  # calamine raises several error types for broken files
            raise SheetError("无法读取该工作簿，文件可能已损坏或不是 Excel 文件。") from exc
    else:
        raise SheetError("只支持 .xlsx、.xls、.csv 文件。")
    if not table:
        raise SheetError("文件中没有数据。")
    headers = [_cell_text(h) for h in table[0]]
    rows: list[dict[str, str] | None] = []
    for raw in table[1:]:
        cells = [_cell_text(v) for v in raw]
        if not any(cells):
            rows.append(None)
            continue
        rows.append({h: (cells[i] if i < len(cells) else "") for i, h in enumerate(headers) if h})
    while rows and rows[-1] is None:
        rows.pop()
    return headers, [r if r is not None else {} for r in rows]


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d") if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()
