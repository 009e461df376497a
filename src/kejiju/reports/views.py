"""公文 pages: list (search, status and kind filters, Excel export), draft and edit form, preview with the
生成 button, detail with downloads, transition history, the failure reason and 重试.

Views parse input, check the permission (403 without it; documents outside the working region answer
404 through the selectors) and call the services, which apply the rules again.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from kejiju.core.errors import BusinessError
from kejiju.core.listing import Column, ListPage, render_list
from kejiju.engines.gbt9704 import Heading, Paragraph, Table, heading_number, jsonio
from kejiju.engines.gbt9704.plaintext import heading_level
from kejiju.engines.gbt9704.validation import date_text
from kejiju.reports import selectors, services
from kejiju.reports.choices import DOCUMENT_ACTIONS, DocumentKind, DocumentStatus
from kejiju.reports.forms import DocumentForm, GenerateForm, initial_from_payload
from kejiju.reports.models import OfficialDocument
from kejiju.reports.permissions import can_change_document, can_generate_document, can_retry_document

STATUS_BADGES = {
    DocumentStatus.DRAFT: "text-bg-secondary",
    DocumentStatus.GENERATED: "text-bg-success",
    DocumentStatus.FAILED: "text-bg-danger",
}


def _require(request: HttpRequest, perm: str) -> None:
    """Own region without the permission answers 403 (house rule)."""
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _written_date(value: Any) -> str:
    if not value:
        return ""
    return date_text(date.fromisoformat(value) if isinstance(value, str) and "-" in value else value)


# ------------------------------------------------------------------ list


def _columns() -> list[Column]:
    return [
        Column("标题", lambda d: str(d), sort="title", link=True),
        Column("文种", lambda d: d.get_kind_display(), sort="kind"),
        Column("发文字号", lambda d: d.doc_number, sort="doc_number"),
        Column("成文日期", lambda d: _written_date((d.payload or {}).get("date"))),
        Column("状态", lambda d: d.get_status_display(), sort="status"),
        Column("起草人", lambda d: d.created_by.full_name or d.created_by.username),
        Column("所属区划", lambda d: d.region.name, sort="region"),
        Column("更新时间", lambda d: timezone.localtime(d.updated_at).strftime("%Y-%m-%d %H:%M"), sort="updated_at"),
    ]


@login_required
def document_list_view(request: HttpRequest) -> HttpResponse:
    """公文列表: search by title or 发文字号, filter by status and kind, sort, page and export — all from the
    region-scoped selector, so the export never shows more than the screen."""
    _require(request, "reports.view_officialdocument")
    filters = {key: request.GET.get(key, "").strip()[:100] for key in ("q", "status", "kind")}
    page = ListPage(
        title="公文列表",
        columns=_columns(),
        default_sort="-updated_at",
        export_name="documents",
        filters_template="reports/document_list_filters.html",
        actions_template="reports/document_list_actions.html",
        row_url=lambda d: reverse("reports:document_detail", args=[d.pk]),
    )
    context = {
        "filters": filters,
        "status_choices": DocumentStatus.choices,
        "kind_choices": DocumentKind.choices,
        "can_add": request.user.has_perm("reports.add_officialdocument"),
    }
    return render_list(request, selectors.document_list(user=request.user, filters=filters), page, context=context)


# ------------------------------------------------------------------ draft / edit


def _form_page(request: HttpRequest, form: DocumentForm, document: OfficialDocument | None) -> HttpResponse:
    status = 400 if form.is_bound and form.errors else 200
    form.mark_invalid()
    return render(request, "reports/document_form.html", {"form": form, "document": document}, status=status)


def _save(request: HttpRequest, form: DocumentForm, document: OfficialDocument | None) -> OfficialDocument | None:
    if not form.is_valid():
        return None
    try:
        return services.document_save_draft(
            actor=request.user,
            data=form.payload(),
            kind=form.cleaned_data["kind"],
            document=document,
            with_pdf=document.with_pdf if document else True,
        )
    except BusinessError as exc:
        form.add_service_error(exc)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def document_create_view(request: HttpRequest) -> HttpResponse:
    """起草公文: the issuer and the 发文字号 代字 start from the working region's bureau; every error lands
    on its field and nothing is saved; a saved draft opens its preview."""
    _require(request, "reports.add_officialdocument")
    if request.method == "POST":
        form = DocumentForm(request.POST)
        document = _save(request, form, None)
        if document is not None:
            messages.success(request, "公文草稿已保存，请核对后生成。")
            return redirect("reports:document_preview", pk=document.pk)
    else:
        defaults = selectors.issuer_defaults(user=request.user)
        today = timezone.localdate()
        prefix = "%(w)s〔%(y)d〕" % {"w": defaults.code_word, "y": today.year} if defaults.code_word else ""
        form = DocumentForm(
            initial={
                "issuer": defaults.issuer,
                "doc_number": prefix,
                "date": today,
                "printer": defaults.issuer + "办公室" if defaults.issuer else "",
                "print_date": today,
            }
        )
    return _form_page(request, form, None)


def _changeable(request: HttpRequest, pk: int) -> OfficialDocument:
    """A document the user may change: 404 outside the scope, 403 without the permission."""
    _require(request, "reports.change_officialdocument")
    document = selectors.document_get(user=request.user, pk=pk)
    if not can_change_document(request.user, document):
        raise PermissionDenied
    return document


@login_required
@require_http_methods(["GET", "POST"])
def document_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """修改公文: the same form; saving a generated or failed document makes it a draft again."""
    document = _changeable(request, pk)
    if request.method == "POST":
        form = DocumentForm(request.POST)
        saved = _save(request, form, document)
        if saved is not None:
            messages.success(request, "公文已保存，请核对后生成。")
            return redirect("reports:document_preview", pk=saved.pk)
    else:
        form = DocumentForm(initial=initial_from_payload(document.payload, document.kind))
    return _form_page(request, form, document)


# ------------------------------------------------------------------ preview / detail


def _outline(payload: dict[str, Any]) -> dict[str, Any]:
    """The document as the preview shows it: the parts around the body and the body blocks with the
    heading numbers the builder will print."""
    typed = jsonio.from_dict(payload)
    counters = [0, 0, 0, 0, 0]
    blocks: list[dict[str, Any]] = []
    for block in typed.body:
        if isinstance(block, Heading):
            level = block.level if block.level in (1, 2, 3, 4) else 1
            counters[level] += 1
            for lower in range(level + 1, 5):
                counters[lower] = 0
            text = block.text.strip()
            if heading_level(text) != level:
                text = heading_number(level, counters[level]) + text
            blocks.append({"type": "heading", "level": level, "text": text, "content": block.content})
        elif isinstance(block, Table):
            rows = [list(row) for row in block.rows]
            blocks.append(
                {
                    "type": "table",
                    "header": rows[0] if block.header and rows else None,
                    "rows": rows[1:] if block.header else rows,
                }
            )
        elif isinstance(block, Paragraph):
            blocks.append({"type": "paragraph", "text": block.text})
    return {
        "doc": typed,
        "title_lines": typed.title.split("\n"),
        "mark": typed.mark_text,
        "date": date_text(typed.date),
        "print_date": date_text(typed.print_date) if typed.print_date is not None else "",
        "blocks": blocks,
    }


def _actions(user: Any, document: OfficialDocument) -> dict[str, Any]:
    return {
        "can_edit": can_change_document(user, document),
        "can_generate": can_generate_document(user, document),
        "can_retry": can_retry_document(user, document),
        "actions": DOCUMENT_ACTIONS,
        "badge": STATUS_BADGES.get(DocumentStatus(document.status), "text-bg-secondary"),
    }


@login_required
def document_preview_view(request: HttpRequest, pk: int) -> HttpResponse:
    """预览: what will be typeset, part by part, with the 生成 button (a POST with confirmation)."""
    _require(request, "reports.view_officialdocument")
    document = selectors.document_get(user=request.user, pk=pk)
    context = {
        "document": document,
        "outline": _outline(document.payload),
        "pdf_available": services.pdf_available(),
        "generate_form": GenerateForm(initial={"with_pdf": document.with_pdf}),
        **_actions(request.user, document),
    }
    return render(request, "reports/document_preview.html", context)


@login_required
def document_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """公文详情: status, the .docx and PDF downloads, the failure reason with 重试, and every status change."""
    _require(request, "reports.view_officialdocument")
    document = selectors.document_get(user=request.user, pk=pk)
    context = {
        "document": document,
        "written_date": _written_date((document.payload or {}).get("date")),
        "transitions": selectors.document_transitions(document=document),
        "pdf_skipped": (document.status == DocumentStatus.GENERATED and document.with_pdf and not document.pdf_id),
        "can_download": request.user.has_perm("core.view_attachment"),
        "can_log": request.user.has_perm("core.view_operationlog"),
        "history_url": reverse("core:history_detail", kwargs={"model": "officialdocument", "pk": document.pk}),
        **_actions(request.user, document),
    }
    return render(request, "reports/document_detail.html", context)


# ------------------------------------------------------------------ transitions (one POST view each)


def _report(request: HttpRequest, document: OfficialDocument) -> None:
    if document.status == DocumentStatus.GENERATED:
        messages.success(request, "公文“%(t)s”已生成。" % {"t": document})
    elif document.status == DocumentStatus.FAILED:
        messages.error(request, document.error or "公文生成失败。")


@login_required
@require_POST
def document_generate_view(request: HttpRequest, pk: int) -> HttpResponse:
    """生成 (POST): run the generation job now; the detail page shows the outcome."""
    document = _changeable(request, pk)
    # The checkbox is on the page only when LibreOffice is installed; without it the stored choice stands.
    with_pdf = None
    if "pdf_choice" in request.POST:
        form = GenerateForm(request.POST)
        with_pdf = bool(form.cleaned_data["with_pdf"]) if form.is_valid() else True
    try:
        document = services.document_generate(actor=request.user, document=document, with_pdf=with_pdf)
    except BusinessError as exc:
        messages.error(request, exc.message)
    else:
        _report(request, document)
    return redirect("reports:document_detail", pk=document.pk)


@login_required
@require_POST
def document_retry_view(request: HttpRequest, pk: int) -> HttpResponse:
    """重试 (POST): run the job again for a failed document."""
    document = _changeable(request, pk)
    try:
        document = services.document_retry(actor=request.user, document=document)
    except BusinessError as exc:
        messages.error(request, exc.message)
    else:
        _report(request, document)
    return redirect("reports:document_detail", pk=document.pk)
