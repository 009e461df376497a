"""The list page every module uses: search, filters, sorting, pagination and Excel export,
driven by a declared list of columns. The queryset always comes from a region-scoped selector,
so the export never shows more than the screen."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import cached_property

from kejiju.core import actions
from kejiju.core.audit import log_operation
from kejiju.core.excel import write_workbook

PAGE_SIZES = (20, 50, 100)


@dataclass(frozen=True)
class Column:
    """One column: header, how to read the value from a row, and the field to sort by."""

    header: str
    value: Callable[[Any], Any]
    sort: str = ""
    link: bool = False


@dataclass
class ListPage:
    title: str
    columns: Sequence[Column]
    default_sort: str = ""
    export_name: str = ""
    filters_template: str = ""
    row_url: Callable[[Any], str] | None = None
    actions_template: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    #: Count at most this many rows (shown as "N+"): for tables of millions of rows, where an exact
    #: count of a broad filter costs more than the page itself. None counts exactly.
    count_cap: int | None = None

    def sort_fields(self) -> dict[str, str]:
        return {c.sort: c.header for c in self.columns if c.sort}


class CappedPaginator(Paginator):
    """A paginator that counts at most ``cap`` rows; ``capped`` says the real count is larger."""

    def __init__(self, object_list: Any, per_page: int, cap: int) -> None:
        super().__init__(object_list, per_page)
        self.cap = cap
        self.capped = False

    @cached_property
    def count(self) -> int:
        found = int(self.object_list[: self.cap + 1].count())  # type: ignore[attr-defined]  # a QuerySet
        self.capped = found > self.cap
        return min(found, self.cap)


def _apply_sort(qs: QuerySet[Any], request: HttpRequest, page: ListPage) -> tuple[QuerySet[Any], str]:
    requested = request.GET.get("sort", "") or page.default_sort
    allowed = page.sort_fields()
    if requested.lstrip("-") in allowed:
        return qs.order_by(requested, "pk"), requested
    return qs, ""


def render_list(
    request: HttpRequest,
    queryset: QuerySet[Any],
    page: ListPage,
    template: str = "core/list.html",
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """Render (or with ``?export=xlsx`` download) a sorted, paginated list."""
    qs, sort = _apply_sort(queryset, request, page)
    if request.GET.get("export") == "xlsx" and page.export_name:
        headers = [c.header for c in page.columns]
        rows = ([c.value(obj) for c in page.columns] for obj in qs.iterator(chunk_size=2000))
        content = write_workbook(page.title, headers, rows)
        log_operation(
            actor=request.user,
            action=actions.EXPORT,
            region=getattr(request.user, "active_region_code", None) or getattr(request.user, "region_id", None),
            extra={"list": page.export_name, "query": request.GET.urlencode()},
        )
        stamp = timezone.localtime().strftime("%Y%m%d%H%M")
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        from urllib.parse import quote

        filename = quote(f"{page.title}_{stamp}.xlsx")
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
        return response
    try:
        size = int(request.GET.get("size", PAGE_SIZES[0]))
    except ValueError:
        size = PAGE_SIZES[0]
    size = size if size in PAGE_SIZES else PAGE_SIZES[0]
    paginator = CappedPaginator(qs, size, page.count_cap) if page.count_cap else Paginator(qs, size)
    page_obj = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    sort_params = params.copy()
    sort_params.pop("sort", None)
    page_rows = [
        {"obj": obj, "cells": [c.value(obj) for c in page.columns], "url": page.row_url(obj) if page.row_url else ""}
        for obj in page_obj.object_list
    ]
    ctx = {
        "page": page,
        "page_obj": page_obj,
        "rows": page_rows,
        "sort": sort,
        "query_string": params.urlencode(),
        "sort_query": sort_params.urlencode(),
        "page_sizes": PAGE_SIZES,
        "size": size,
        **(context or {}),
    }
    return render(request, template, ctx)
