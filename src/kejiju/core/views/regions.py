"""Region pages: the tree with counts, region detail, adding and editing towns and villages, and
the two-phase Excel import with its downloadable template."""

from __future__ import annotations

import io
import secrets
from typing import Any
from urllib.parse import quote

import xlsxwriter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from kejiju.core.errors import BusinessError
from kejiju.core.excel import SheetError, read_table
from kejiju.core.forms.regions import RegionCreateForm, RegionEditForm, RegionImportForm
from kejiju.core.models import Region
from kejiju.core.permissions import active_region_code, can_manage_region
from kejiju.core.selectors import (
    region_ancestors,
    region_bureau,
    region_children,
    region_counters,
    region_counts_below,
    region_get,
    region_search,
)
from kejiju.core.services.regions import (
    REGION_IMPORT_COLUMNS,
    REGION_KINDS,
    TOWN_KINDS,
    VILLAGE_KINDS,
    region_create,
    region_update,
    regions_import,
)

#: Children shown inline under one tree node; more are on the region's detail page.
TREE_CHILDREN_LIMIT = 200
DETAIL_CHILDREN_PER_PAGE = 50
SEARCH_LIMIT = 50
#: Rows kept in the session between the import's preview and its confirmation.
IMPORT_MAX_ROWS = 5000
IMPORT_SESSION_KEY = "kejiju_region_import"
IMPORT_PREVIEW_ROWS = 500


def _require(request: HttpRequest, perm: str) -> None:
    """Own region without the permission answers 403 (house rule)."""
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _child_counts(nodes: list[Region]) -> dict[str, int]:
    """How many regions lie directly below each node (one query, for the expand toggles)."""
    rows = Region.objects.filter(parent__in=[n.code for n in nodes]).values("parent").annotate(n=Count("code"))
    return {row["parent"]: row["n"] for row in rows.order_by()}


def _tree_nodes(nodes: list[Region]) -> list[dict[str, Any]]:
    """Nodes with their record counts (one grouped query per registered counter) and child counts."""
    counts = region_counts_below(nodes=nodes)
    children = _child_counts(nodes)
    counters = region_counters()
    return [
        {
            "region": node,
            "children": children.get(node.code, 0),
            "counts": [{"label": c.label, "value": counts[node.code].get(c.key, 0)} for c in counters],
        }
        for node in nodes
    ]


def _kind_options() -> dict[str, Any]:
    return {"kind_options": REGION_KINDS, "town_kinds": TOWN_KINDS, "village_kinds": VILLAGE_KINDS}


@login_required
def region_tree_view(request: HttpRequest) -> HttpResponse:
    """The tree of the user's active region: the top node and its children with record counts;
    deeper levels load with htmx (``?parent=CODE``); ``?q=`` searches by name or code prefix."""
    _require(request, "core.view_region")
    user = request.user
    parent_code = request.GET.get("parent", "").strip()
    if parent_code:
        parent = region_get(user=user, code=parent_code)
        if not request.headers.get("HX-Request"):
            # Without htmx the children are on the detail page.
            return redirect("core:region_detail", code=parent.code)
        children = list(region_children(user=user, parent=parent)[: TREE_CHILDREN_LIMIT + 1])
        return render(
            request,
            "core/region_tree_children.html",
            {
                "parent": parent,
                "nodes": _tree_nodes(children[:TREE_CHILDREN_LIMIT]),
                "more": len(children) > TREE_CHILDREN_LIMIT,
            },
        )

    q = request.GET.get("q", "").strip()[:64]
    context: dict[str, Any] = {
        "q": q,
        "vintage": settings.KEJIJU_REGION_DATA_VINTAGE,
        "counter_labels": [c.label for c in region_counters()],
        "can_add": user.has_perm("core.add_region"),
        "can_import": user.has_perm("core.import_region"),
        "scope_code": active_region_code(user) or "",
    }
    if q:
        results = list(region_search(user=user, q=q, limit=SEARCH_LIMIT))
        context["results"] = _tree_nodes(results)
        context["results_capped"] = len(results) >= SEARCH_LIMIT
        return render(request, "core/region_tree.html", context)

    tops = list(region_children(user=user, parent=None))
    top_nodes = _tree_nodes(tops)
    if len(tops) == 1:
        # One top region (the usual case): show it open with its children.
        top = tops[0]
        children = list(region_children(user=user, parent=top)[: TREE_CHILDREN_LIMIT + 1])
        context.update(
            {
                "top": top_nodes[0],
                "nodes": _tree_nodes(children[:TREE_CHILDREN_LIMIT]),
                "more": len(children) > TREE_CHILDREN_LIMIT,
            }
        )
    else:
        # A system administrator without a region: the whole deployment, one node per province.
        context.update({"top": None, "nodes": top_nodes, "more": False})
    return render(request, "core/region_tree.html", context)


@login_required
def region_detail_view(request: HttpRequest, code: str) -> HttpResponse:
    """One region: its facts, parent chain, children (paginated), counts, bureau and departments."""
    _require(request, "core.view_region")
    user = request.user
    region = region_get(user=user, code=code)
    paginator = Paginator(region_children(user=user, parent=region), DETAIL_CHILDREN_PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    children = list(page_obj.object_list)
    nodes = _tree_nodes([region, *children])
    manageable = can_manage_region(user, region.code)
    context = {
        "region": region,
        "ancestors": region_ancestors(user=user, region=region),
        "own": nodes[0],
        "children": nodes[1:],
        "page_obj": page_obj,
        "query_string": "",
        "bureau": region_bureau(user=user, region=region),
        "can_edit": manageable and user.has_perm("core.change_region"),
        "can_add_child": manageable
        and user.has_perm("core.add_region")
        and region.level in (6, 9)
        and region.is_active,
        "history_url": reverse("core:history_detail", kwargs={"model": "region", "pk": region.code}),
    }
    return render(request, "core/region_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def region_create_view(request: HttpRequest) -> HttpResponse:
    """Add a town or village (``?parent=CODE`` pre-fills the parent's code)."""
    _require(request, "core.add_region")
    user = request.user
    parent: Region | None = None
    parent_code = request.GET.get("parent", "").strip()
    if parent_code:
        parent = region_get(user=user, code=parent_code)
    if request.method == "POST":
        form = RegionCreateForm(request.POST, user=user)
        if form.is_valid():
            try:
                region = region_create(
                    actor=user,
                    code=form.cleaned_data["code"],
                    name=form.cleaned_data["name"],
                    kind=form.cleaned_data["kind"],
                )
            except BusinessError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(
                    request, "已新增区划“%(name)s”（%(code)s）。" % {"name": region.name, "code": region.code}
                )
                return redirect("core:region_detail", code=region.code)
    else:
        form = RegionCreateForm(user=user, initial={"code": parent.code if parent else ""})
    return render(
        request,
        "core/region_form.html",
        {
            "form": form,
            "parent": parent,
            "title": "新增乡镇/村",
            "region": None,
            **_kind_options(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def region_edit_view(request: HttpRequest, code: str) -> HttpResponse:
    """Rename, re-type, disable or re-enable a region within the user's scope."""
    _require(request, "core.change_region")
    user = request.user
    region = region_get(user=user, code=code)
    if not can_manage_region(user, region.code):
        raise Http404("区划不存在。")
    if request.method == "POST":
        form = RegionEditForm(request.POST)
        if form.is_valid():
            try:
                region = region_update(
                    actor=user,
                    region=region,
                    name=form.cleaned_data["name"],
                    kind=form.cleaned_data["kind"],
                    is_active=form.cleaned_data["is_active"],
                )
            except BusinessError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, "已保存区划“%(name)s”。" % {"name": region.name})
                return redirect("core:region_detail", code=region.code)
    else:
        form = RegionEditForm(initial={"name": region.name, "kind": region.kind, "is_active": region.is_active})
    return render(
        request,
        "core/region_form.html",
        {
            "form": form,
            "region": region,
            "parent": region.parent,
            "title": "修改区划",
            **_kind_options(),
        },
    )


def _import_preview(request: HttpRequest, report: Any, filename: str, token: str = "") -> HttpResponse:
    return render(
        request,
        "core/region_import_preview.html",
        {
            "report": report,
            "filename": filename,
            "token": token,
            "to_create": report.to_create[:IMPORT_PREVIEW_ROWS],
            "hidden_rows": max(0, len(report.to_create) - IMPORT_PREVIEW_ROWS),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def region_import_view(request: HttpRequest) -> HttpResponse:
    """Two-phase import. Upload: read the sheet, validate every row (nothing written) and show the
    preview; a valid file's parsed rows wait in the session under a random token. Confirm (POST
    with that token): validate again and create every row in one transaction, or nothing."""
    _require(request, "core.import_region")
    user = request.user
    if request.method == "POST" and "token" in request.POST:
        pending = request.session.get(IMPORT_SESSION_KEY) or {}
        token = request.POST.get("token", "")
        if not pending or not token or not secrets.compare_digest(str(pending.get("token", "")), token):
            messages.error(request, "导入数据已失效或已提交，请重新上传文件。")
            return redirect("core:region_import")
        request.session.pop(IMPORT_SESSION_KEY, None)
        report = regions_import(actor=user, rows=pending["rows"], headers=pending["headers"], commit=True)
        if not report.committed:
            # The regions changed since the preview (someone added a code meanwhile): show why.
            return _import_preview(request, report, pending.get("filename", ""))
        messages.success(request, "已导入 %(n)s 条区划。" % {"n": report.created})
        return redirect("core:region_tree")

    if request.method == "POST":
        form = RegionImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                headers, rows = read_table(upload.read(), upload.name)
            except SheetError as exc:
                form.add_error("file", str(exc))
            else:
                if len(rows) > IMPORT_MAX_ROWS:
                    form.add_error("file", "一次最多导入 %(n)s 行，请拆分文件后分批导入。" % {"n": IMPORT_MAX_ROWS})
                else:
                    report = regions_import(actor=user, rows=rows, headers=headers, commit=False)
                    token = ""
                    if report.ok:
                        token = secrets.token_urlsafe(24)
                        request.session[IMPORT_SESSION_KEY] = {
                            "token": token,
                            "rows": rows,
                            "headers": headers,
                            "filename": upload.name,
                        }
                    else:
                        request.session.pop(IMPORT_SESSION_KEY, None)
                    return _import_preview(request, report, upload.name, token)
    else:
        form = RegionImportForm()
    return render(
        request, "core/region_import.html", {"form": form, "columns": REGION_IMPORT_COLUMNS, "kinds": REGION_KINDS}
    )


def region_template_workbook(scope: str) -> bytes:
    """The import template: sheet 区划 with the header row, text-formatted codes and a drop-down
    on 类型; sheet 说明 with the rules and an example."""
    county = scope[:6] if len(scope) >= 6 else "341181"
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    )
    header = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    text = book.add_format({"num_format": "@"})
    sheet = book.add_worksheet("区划")
    for col, title in enumerate(REGION_IMPORT_COLUMNS):
        sheet.write_string(0, col, title, header)
    # Codes as text: 12-digit numbers would be shown in scientific notation and lose digits.
    sheet.set_column(0, 0, 18, text)
    sheet.set_column(1, 1, 28, text)
    sheet.set_column(2, 2, 12, text)
    sheet.data_validation(
        1,
        2,
        IMPORT_MAX_ROWS,
        2,
        {
            "validate": "list",
            "source": list(REGION_KINDS),
            "ignore_blank": True,
            "input_title": "类型",
            "input_message": "请从下拉列表中选择。",
            "error_title": "类型不正确",
            "error_message": "请选择 %s 之一。" % "、".join(REGION_KINDS),
        },
    )
    sheet.data_validation(
        1,
        0,
        IMPORT_MAX_ROWS,
        0,
        {
            "validate": "length",
            "criteria": "between",
            "minimum": 9,
            "maximum": 12,
            "error_title": "区划代码不正确",
            "error_message": "区划代码须为 9 位（乡镇/街道）或 12 位（村/社区）数字。",
        },
    )
    sheet.freeze_panes(1, 0)
    notes = book.add_worksheet("说明")
    notes.set_column(0, 0, 18)
    notes.set_column(1, 1, 28)
    notes.set_column(2, 2, 12)
    for col, title in enumerate(REGION_IMPORT_COLUMNS):
        notes.write_string(0, col, title, header)
    example = [
        (f"{county}101", "示例镇", "镇"),
        (f"{county}101001", "示例村", "村委会"),
        (f"{county}101002", "示例社区", "居委会"),
    ]
    for r, row in enumerate(example, start=1):
        for c, value in enumerate(row):
            notes.write_string(r, c, value)
    rules = [
        "填写说明：",
        "1. 在“区划”工作表中填写，第一行表头不要修改，每行一个乡镇/街道或村/社区。",
        "2. 区划代码：乡镇/街道为 9 位数字，村/社区为 12 位数字（国家统计用区划代码），只能是您管辖范围内的代码。",
        "3. 上级区划须已存在，或在同一文件中一并列出（先乡镇，后村）。",
        "4. 名称必填，不超过 64 个字；类型从下拉列表选择：%s。" % "、".join(REGION_KINDS),
        "5. 上传后系统先逐行校验并显示预览，确认后才会写入；任何一行有错都不会写入。",
    ]
    for r, line in enumerate(rules, start=len(example) + 3):
        notes.write_string(r, 0, line)
    book.close()
    return buffer.getvalue()


@login_required
def region_import_template_view(request: HttpRequest) -> HttpResponse:
    """Download the import template (.xlsx)."""
    _require(request, "core.import_region")
    content = region_template_workbook(active_region_code(request.user) or "")
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    stamp = timezone.localtime().strftime("%Y%m%d")
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%s" % quote(f"乡镇村区划导入模板_{stamp}.xlsx")
    return response
