"""Attachment pages (附件): list, upload, download after a permission check, and archive.

Files are served only through :func:`attachment_download_view`: scope checked, integrity
verified, always with ``X-Content-Type-Options: nosniff`` and a sandboxing CSP, as a download
unless an image is asked for inline.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from kejiju.core.errors import BusinessError
from kejiju.core.forms.attachments import AttachmentUploadForm
from kejiju.core.listing import Column, ListPage, render_list
from kejiju.core.models import Attachment
from kejiju.core.selectors import attachment_get
from kejiju.core.services.attachments import (
    attachment_archive,
    attachment_create,
    attachment_open,
    can_archive_attachment,
)
from kejiju.engines.filetypes import IMAGE_KINDS, KINDS

#: Downloads never run as a page: no scripts, no plugins, no same-origin access.
DOWNLOAD_CSP = "sandbox; default-src 'none'"
#: An image shown inline still sits in a sandbox; it may only show itself.
INLINE_IMAGE_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def human_size(size: int | None) -> str:
    """Bytes as people read them: 字节 below 1 KB, then KB, MB, GB with one decimal."""
    if size is None:
        return ""
    if size < 1024:
        return "%(n)s 字节" % {"n": size}
    value = float(size)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        if value < 1024 or unit == "TB":
            return "%(v).1f %(u)s" % {"v": value, "u": unit}
    return str(size)  # unreachable


def kind_label(kind: str) -> str:
    found = KINDS.get(kind)
    return found.label if found else kind


def attachment_list_filtered(*, user: Any, filters: dict[str, str]) -> QuerySet[Attachment]:
    """Attachments within the user's active region (not archived), narrowed by file name, kind
    and purpose."""
    qs = (
        Attachment.objects.restrict(user, "core.view_attachment")
        .filter(is_archived=False)
        .select_related("uploaded_by", "region")
    )
    if q := filters.get("q"):
        qs = qs.filter(Q(original_name__icontains=q) | Q(sha256__startswith=q.lower()))
    if kind := filters.get("kind"):
        qs = qs.filter(kind=kind)
    if purpose := filters.get("purpose"):
        qs = qs.filter(purpose=purpose)
    return qs


COLUMNS = [
    Column("文件名", lambda a: a.original_name, sort="original_name", link=True),
    Column("类型", lambda a: kind_label(a.kind), sort="kind"),
    Column("大小", lambda a: human_size(a.size), sort="size"),
    Column("SHA-256", lambda a: a.sha256[:12]),
    Column("用途", lambda a: a.purpose, sort="purpose"),
    Column("上传人", lambda a: a.uploaded_by.full_name or a.uploaded_by.username if a.uploaded_by_id else ""),
    Column("上传时间", lambda a: timezone.localtime(a.created_at).strftime("%Y-%m-%d %H:%M"), sort="created_at"),
    Column("区划", lambda a: a.region.name, sort="region"),
]


@login_required
def attachment_list_view(request: HttpRequest) -> HttpResponse:
    """附件: the attachments of the active region, searchable by file name, filtered by kind and
    purpose, with Excel export; each row offers download and (when allowed) archive."""
    _require(request, "core.view_attachment")
    filters = {key: request.GET.get(key, "").strip()[:100] for key in ("q", "kind", "purpose")}
    base = Attachment.objects.restrict(request.user, "core.view_attachment").filter(is_archived=False)
    purposes = list(base.exclude(purpose="").order_by("purpose").values_list("purpose", flat=True).distinct()[:200])
    page = ListPage(
        title="附件",
        columns=COLUMNS,
        default_sort="-created_at",
        export_name="attachments",
        filters_template="core/attachment_list_filters.html",
        actions_template="core/attachment_list_actions.html",
        row_url=lambda a: reverse("core:attachment_download", args=[a.pk]),
    )
    context = {
        "filters": filters,
        "kind_choices": [(k.kind, k.label) for k in KINDS.values()],
        "purposes": purposes,
        "can_upload": request.user.has_perm("core.add_attachment"),
        # every listed row is within scope, so the model permission decides (or being the uploader)
        "can_archive_any": request.user.has_perm("core.change_attachment"),
        "image_kinds": sorted(IMAGE_KINDS),
    }
    qs = attachment_list_filtered(user=request.user, filters=filters)
    return render_list(request, qs, page, template="core/attachment_list.html", context=context)


@login_required
def attachment_upload_view(request: HttpRequest) -> HttpResponse:
    """Upload one file. The service checks the content against the allow-list, the size limit
    and the region; on any error the form shows it on the field at fault and nothing is stored."""
    _require(request, "core.add_attachment")
    if request.method == "POST":
        form = AttachmentUploadForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                attachment = attachment_create(
                    actor=request.user,
                    fileobj=upload,
                    name=upload.name,
                    region=form.cleaned_data["region"],
                    purpose=form.cleaned_data.get("purpose") or "",
                )
            except BusinessError as exc:
                field = exc.field if exc.field in form.fields else None
                form.add_error(field, exc.message)
            else:
                messages.success(request, "附件“%(name)s”已上传。" % {"name": attachment.original_name})
                return redirect("core:attachment_list")
        status = 400
    else:
        form = AttachmentUploadForm(user=request.user)
        status = 200
    from django.conf import settings

    context = {
        "form": form,
        "max_mb": settings.KEJIJU_ATTACHMENT_MAX_BYTES // (1024 * 1024),
        "allowed": "、".join(sorted(KINDS)),
    }
    return render(request, "core/attachment_upload.html", context, status=status)


@login_required
def attachment_download_view(request: HttpRequest, pk: Any) -> HttpResponseBase:
    """Stream an attachment the user may see (404 otherwise), logged as a download. Refused with
    a Chinese message when the stored file is missing or fails its SHA-256 check."""
    _require(request, "core.view_attachment")
    attachment = attachment_get(user=request.user, pk=pk)
    try:
        handle = attachment_open(actor=request.user, attachment=attachment, ip_address=_client_ip(request))
    except BusinessError as exc:
        if exc.code == "not_found":
            raise Http404("附件不存在。")
        return render(request, "core/message.html", {"title": "无法下载附件", "message": exc.message}, status=409)
    inline = request.GET.get("inline") == "1" and attachment.kind in IMAGE_KINDS
    response = FileResponse(
        handle, as_attachment=not inline, filename=attachment.original_name, content_type=attachment.mime_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = INLINE_IMAGE_CSP if inline else DOWNLOAD_CSP
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def attachment_archive_view(request: HttpRequest, pk: Any) -> HttpResponse:
    """Archive an attachment after confirmation (GET shows the confirmation, POST archives).
    The file is kept; it disappears from lists and downloads."""
    _require(request, "core.view_attachment")
    attachment = attachment_get(user=request.user, pk=pk)
    if not can_archive_attachment(request.user, attachment):
        raise PermissionDenied
    if request.method == "POST":
        try:
            attachment_archive(actor=request.user, attachment=attachment)
        except BusinessError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "附件“%(name)s”已归档。" % {"name": attachment.original_name})
        return redirect("core:attachment_list")
    context = {"attachment": attachment, "size": human_size(attachment.size), "kind": kind_label(attachment.kind)}
    return render(request, "core/attachment_archive.html", context)
