"""Two-phase Excel import, the model for every import in the platform (house rule 10).

An app declares an :class:`Importer`: its columns (Chinese headers, required or not, drop-down choices)
and two functions — ``validate(rows, actor)`` checks every row without writing and returns the report
plus whatever it prepared, and ``commit(prepared, actor, batch_id)`` writes everything through the
app's import service in one transaction. :func:`run_import` ties them together:

1. read the file (.xlsx, .xls, .csv) — an unreadable file is one error, nothing else happens;
2. check the header row — a missing required column is an error on row 1;
3. validate every row — errors name the spreadsheet row (header = row 1), column, value and reason;
4. only with ``commit=True`` and no error at all: commit in one transaction, logged as one operation
   with a batch id. Any error → nothing is written (all or nothing).

:func:`template_workbook` writes the downloadable template with drop-downs on code columns and
:func:`error_workbook` returns the uploaded rows with the bad cells marked and explained.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import xlsxwriter
from django.db import transaction

from kejiju.core.audit import log_operation, new_batch_id
from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.excel import SheetError, escape_cell, read_table


@dataclass(frozen=True)
class ImportColumn:
    """One column of an import template."""

    header: str
    key: str
    required: bool = False
    choices: Callable[[], Sequence[str]] | None = None
    help: str = ""
    width: int = 16


@dataclass
class ImportReport:
    """The result of an import run; ``as_dict()`` is the documented JSON report."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    committed: bool = False
    batch_id: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, row: int, column: str, value: Any, message: str) -> None:
        self.errors.append(
            {"row": row, "column": column, "value": "" if value is None else str(value), "message": message}
        )

    def warning(self, row: int, column: str, value: Any, message: str) -> None:
        self.warnings.append(
            {"row": row, "column": column, "value": "" if value is None else str(value), "message": message}
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "errors": sorted(self.errors, key=lambda e: (e["row"], e["column"])),
            "warnings": sorted(self.warnings, key=lambda e: (e["row"], e["column"])),
        }


@dataclass
class Importer:
    """An app's import: columns, the validator and the committer (see the module docstring)."""

    name: str
    title: str
    columns: Sequence[ImportColumn]
    validate: Callable[[list[dict[str, str]], Any, ImportReport], Any]
    commit: Callable[[Any, Any, Any, ImportReport], None]
    action: str
    region_of: Callable[[Any], str | None] = lambda actor: getattr(actor, "region_id", None)
    notes: Sequence[str] = ()
    #: The permission needed to import (web pages and the API); without one only a superuser may.
    perm: str = ""
    #: URL name of the page listing what this import creates (breadcrumbs and the result page).
    list_url_name: str = ""
    #: Chinese title of that page.
    list_title: str = ""

    def allowed(self, user: Any) -> bool:
        """Whether ``user`` may run this import (the validation then applies region scope)."""
        if not getattr(user, "is_authenticated", False):
            return False
        return bool(user.has_perm(self.perm)) if self.perm else bool(user.is_superuser)

    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


_IMPORTERS: dict[str, Importer] = {}


def register_importer(importer: Importer) -> Importer:
    _IMPORTERS[importer.name] = importer
    return importer


def get_importer(name: str) -> Importer | None:
    return _IMPORTERS.get(name)


def importers() -> dict[str, Importer]:
    return dict(_IMPORTERS)


def rows_by_key(importer: Importer, rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Re-key rows from Chinese headers to the importer's field keys."""
    mapping = {c.header: c.key for c in importer.columns}
    return [{mapping[h]: v for h, v in row.items() if h in mapping} for row in rows]


def read_rows(importer: Importer, data: bytes, filename: str, report: ImportReport) -> list[dict[str, str]] | None:
    """Read and header-check an upload; ``None`` (with errors in the report) when it cannot be used."""
    try:
        headers, rows = read_table(data, filename)
    except SheetError as exc:
        report.error(1, "", filename, str(exc))
        return None
    present = set(headers)
    for column in importer.columns:
        if column.required and column.header not in present:
            report.error(1, column.header, "", "缺少必填列“%(h)s”，请使用导入模板。" % {"h": column.header})
    known = {c.header for c in importer.columns}
    unknown = [h for h in headers if h and h not in known]
    for header in unknown:
        report.warning(1, header, "", "未识别的列“%(h)s”，将被忽略。" % {"h": header})
    if not report.ok:
        return None
    report.rows = len(rows)
    if not rows:
        report.error(2, "", "", "文件中没有数据行。")
        return None
    for n, row in enumerate(rows, start=2):
        for header in known:
            value = row.get(header) or ""
            if "\x00" in value:
                # PostgreSQL cannot store it; the whole file is refused, as for any bad cell
                report.error(n, header, visible_nul(value), "含有空字符（NUL），请删除这个不可见字符后重新导入。")
    if not report.ok:
        return None
    return rows


def visible_nul(value: str) -> str:
    """The text with each NUL character shown as ␀ (for messages and the marked-up workbook)."""
    return value.replace("\x00", "\u2400")


def report_row_error(
    report: ImportReport, index: int, raw: dict[str, str], exc: BusinessError, headers: dict[str, str]
) -> None:
    """A service's refusal of one row as errors on its row: each field of ``RowErrors`` under its column
    header, a ``BusinessError`` under the column of its field (none when it names no field)."""
    if isinstance(exc, RowErrors):
        for fld, messages in exc.errors.items():
            for message in messages:
                report.error(index, headers.get(fld, fld), raw.get(fld, ""), message)
        return
    fld = exc.field or ""
    report.error(index, headers.get(fld, ""), raw.get(fld, "") if fld in raw else "", exc.message)


class _DryRun(Exception):
    """Raised to roll back a validation pass that ran the rows for real."""


def check_by_running(
    rows: list[dict[str, str]],
    run_row: Callable[[dict[str, str]], Any],
    report: ImportReport,
    headers: dict[str, str],
    on_error: Callable[[ImportReport, int, dict[str, str], BusinessError], None] | None = None,
) -> list[dict[str, str]]:
    """Check rows by running each (``run_row``: the same service the pages call) in its own savepoint,
    inside one transaction that is always rolled back: the import applies exactly the page's rules, and a
    row that clashes with an earlier row of the file is caught like one that clashes with the register.
    Each ``RowErrors`` / ``BusinessError`` becomes an error on its row and column (``headers`` maps field
    keys to column headers), or goes to ``on_error`` when given; blank rows are skipped. Returns the rows
    that passed; counts them as created."""
    kept: list[dict[str, str]] = []
    try:
        with transaction.atomic():
            for index, raw in enumerate(rows, start=2):
                if not any(str(v).strip() for v in raw.values()):
                    continue
                try:
                    with transaction.atomic():
                        run_row(raw)
                except BusinessError as exc:  # RowErrors included
                    if on_error is not None:
                        on_error(report, index, raw, exc)
                    else:
                        report_row_error(report, index, raw, exc, headers)
                    continue
                kept.append(raw)
            raise _DryRun
    except _DryRun:
        pass
    report.created = len(kept)
    return kept


def run_import(importer: Importer, data: bytes, filename: str, *, actor: Any, commit: bool) -> ImportReport:
    """Validate an uploaded file and, with ``commit`` and no errors, write it all in one transaction."""
    report = ImportReport()
    rows = read_rows(importer, data, filename, report)
    if rows is None:
        return report
    prepared = importer.validate(rows_by_key(importer, rows), actor, report)
    if not commit or not report.ok:
        return report
    batch = new_batch_id()
    with transaction.atomic():
        importer.commit(prepared, actor, batch, report)
        log_operation(
            actor=actor,
            action=importer.action,
            region=importer.region_of(actor),
            batch_id=batch,
            extra={"file": filename[:200], "rows": report.rows, "created": report.created, "updated": report.updated},
        )
    report.committed = True
    report.batch_id = str(batch)
    return report


def template_workbook(importer: Importer) -> bytes:
    """The import template: header row (required columns marked), drop-downs from a hidden code sheet,
    and a 说明 sheet explaining each column."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(importer.title[:31])
    codes = book.add_worksheet("代码")
    notes = book.add_worksheet("说明")
    required = book.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1})
    optional = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    text = book.add_format({"num_format": "@"})
    for col, column in enumerate(importer.columns):
        sheet.write_string(0, col, column.header, required if column.required else optional)
        sheet.set_column(col, col, column.width, text)
        if column.choices is not None:
            values = list(column.choices())
            for r, value in enumerate(values):
                codes.write_string(r, col, value)
            if values:
                letter = xlsxwriter.utility.xl_col_to_name(col)
                sheet.data_validation(
                    1,
                    col,
                    100000,
                    col,
                    {
                        "validate": "list",
                        "source": f"='代码'!${letter}$1:${letter}${len(values)}",
                        "error_title": "取值无效",
                        "error_message": "请从下拉列表中选择。",
                    },
                )
        if column.help:
            sheet.write_comment(0, col, column.help)
    sheet.freeze_panes(1, 0)
    codes.hide()
    notes.write_row(0, 0, ["列名", "是否必填", "说明"], optional)
    for r, column in enumerate(importer.columns, start=1):
        notes.write_row(r, 0, [column.header, "必填" if column.required else "选填", column.help])
    base = len(importer.columns) + 2
    for r, note in enumerate(importer.notes):
        notes.write_string(base + r, 0, note)
    notes.set_column(0, 0, 18)
    notes.set_column(2, 2, 80)
    book.close()
    return buffer.getvalue()


def error_workbook(importer: Importer, data: bytes, filename: str, report: ImportReport) -> bytes:
    """The uploaded rows with each bad cell filled red and its reasons in a comment, plus a 错误 column."""
    headers, rows = read_table(data, filename)
    by_cell: dict[tuple[int, str], list[str]] = {}
    by_row: dict[int, list[str]] = {}
    for err in report.errors:
        by_cell.setdefault((err["row"], err["column"]), []).append(err["message"])
        by_row.setdefault(err["row"], []).append(
            f"{err['column']}：{err['message']}" if err["column"] else err["message"]
        )
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet("错误标注")
    bad = book.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
    head = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    all_headers = [*headers, "错误说明"]
    for col, header in enumerate(all_headers):
        sheet.write_string(0, col, header, head)
        if (1, header) in by_cell:
            sheet.write_comment(0, col, "\n".join(by_cell[(1, header)]))
    for r, row in enumerate(rows, start=2):
        for col, header in enumerate(headers):
            value = escape_cell(visible_nul(row.get(header) or ""))
            messages = by_cell.get((r, header))
            if messages:
                sheet.write_string(r - 1, col, str(value), bad)
                sheet.write_comment(r - 1, col, "\n".join(messages))
            else:
                sheet.write_string(r - 1, col, str(value))
        if r in by_row:
            sheet.write_string(r - 1, len(headers), "；".join(by_row[r]), bad)
    sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()
