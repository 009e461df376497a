"""The two-phase Excel import pages (house rule 10), one flow for every registered importer
(:mod:`kejiju.core.importing`): the URL carries the importer's name, the importer carries its
permission, columns and notes.

1. 上传 — download the template (drop-downs on code columns), upload .xlsx/.xls/.csv;
2. 校验预览 — every row validated (nothing written): counts, every error with row, column, value and
   reason (paginated), warnings, and the error workbook to download;
3. 确认导入 — only without errors: ``run_import(commit=True)`` validates again and writes everything
   in one transaction, or nothing;
4. 结果 — created/updated counts and the batch id of the operation-log row.

Between the steps the uploaded bytes and the validation report live under
``KEJIJU_FILES_DIR/imports/<random token>/`` (outside the web root, never served directly); the token
is kept in the session of the user who uploaded, so another account cannot use it. A pending upload
is deleted after its commit, and any left over is swept after :data:`PENDING_TTL`.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kejiju.core.errors import BusinessError
from kejiju.core.importing import Importer, ImportReport, error_workbook, get_importer, run_import, template_workbook

#: Upload limit of an import file (a 5,000-row organization sheet is well under 1 MB).
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
ALLOWED_SUFFIXES = (".xlsx", ".xls", ".csv")
#: A pending upload older than this is gone (the session itself idles out after 8 hours).
PENDING_TTL_SECONDS = 12 * 3600
#: Pending uploads one session keeps; older ones are dropped when a new one arrives.
MAX_PENDING = 5
ERRORS_PER_PAGE = 100
WARNINGS_PER_PAGE = 100
SESSION_KEY = "kejiju_imports"
RESULTS_KEY = "kejiju_import_results"
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPIRED = "导入数据已失效或已提交，请重新上传文件。"


class ImportUploadForm(forms.Form):
    """The file to import: .xlsx, .xls or .csv, at most :data:`MAX_UPLOAD_BYTES`."""

    file = forms.FileField(
        label="导入文件",
        help_text="支持 .xlsx、.xls、.csv（UTF-8 或 GB18030 编码），不超过 20 MB。",
        error_messages={
            "required": "请选择要导入的文件。",
            "empty": "文件为空（0 字节），请选择填好的导入文件。",
            "invalid": "上传的不是文件，请重新选择。",
            "missing": "没有收到文件，请重新选择。",
        },
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ",".join(ALLOWED_SUFFIXES)}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(ALLOWED_SUFFIXES):
            raise forms.ValidationError("只支持 .xlsx、.xls、.csv 文件，请使用导入模板。", code="invalid_type")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("文件不能超过 20 MB，请拆分后分批导入。", code="too_big")
        return upload


# ------------------------------------------------------------------ pending uploads on disk


def _root() -> Path:
    return Path(settings.KEJIJU_FILES_DIR) / "imports"


def _dir(token: str) -> Path:
    return _root() / token


def _sweep() -> None:
    """Delete pending uploads older than the TTL (abandoned previews)."""
    root = _root()
    if not root.is_dir():
        return
    limit = time.time() - PENDING_TTL_SECONDS
    for child in root.iterdir():
        try:
            if child.is_dir() and child.stat().st_mtime < limit:
                shutil.rmtree(child, ignore_errors=True)
        except FileNotFoundError:  # removed meanwhile by another request
            continue


def _discard(token: str) -> None:
    if _TOKEN_RE.match(token):
        shutil.rmtree(_dir(token), ignore_errors=True)


def _save_report(token: str, report: ImportReport) -> None:
    (_dir(token) / "report.json").write_text(json.dumps(report.as_dict(), ensure_ascii=False), encoding="utf-8")


def _load_report(token: str) -> ImportReport:
    data = json.loads((_dir(token) / "report.json").read_text(encoding="utf-8"))
    return ImportReport(
        rows=data["rows"],
        created=data["created"],
        updated=data["updated"],
        errors=data["errors"],
        warnings=data["warnings"],
    )


def _store(request: HttpRequest, importer: Importer, filename: str, data: bytes, report: ImportReport) -> str:
    """Keep an upload and its report under a new random token bound to this session and user."""
    _sweep()
    token = secrets.token_urlsafe(24)
    path = _dir(token)
    path.mkdir(parents=True, mode=0o700)
    (path / "upload").write_bytes(data)
    _save_report(token, report)
    pending: dict[str, Any] = dict(request.session.get(SESSION_KEY) or {})
    pending[token] = {
        "name": importer.name,
        "user": request.user.pk,
        "filename": filename[:200],
        "created": time.time(),
    }
    for old in sorted(pending, key=lambda t: pending[t]["created"])[:-MAX_PENDING]:
        _discard(old)
        pending.pop(old)
    request.session[SESSION_KEY] = pending
    return token


def _pending(request: HttpRequest, importer: Importer, token: str) -> dict[str, Any] | None:
    """The session's entry for ``token`` when it belongs to this user and importer and its files are
    still there; else ``None`` (expired, committed, or not this user's)."""
    if not _TOKEN_RE.match(token):
        return None
    entry = (request.session.get(SESSION_KEY) or {}).get(token)
    if not entry or entry.get("name") != importer.name or entry.get("user") != request.user.pk:
        return None
    if time.time() - float(entry.get("created", 0)) > PENDING_TTL_SECONDS or not (_dir(token) / "report.json").exists():
        _forget(request, token)
        return None
    return dict(entry)


def _forget(request: HttpRequest, token: str) -> None:
    pending = dict(request.session.get(SESSION_KEY) or {})
    if pending.pop(token, None) is not None:
        request.session[SESSION_KEY] = pending
    _discard(token)


# ------------------------------------------------------------------ helpers


def _importer(request: HttpRequest, name: str) -> Importer:
    """The registered importer (404 when unknown); 403 without its permission."""
    importer = get_importer(name)
    if importer is None:
        raise Http404("导入类型不存在。")
    if not importer.allowed(request.user):
        raise PermissionDenied
    return importer


def _list_url(importer: Importer) -> str:
    if not importer.list_url_name:
        return ""
    try:
        return reverse(importer.list_url_name)
    except NoReverseMatch:
        return ""


def _base_context(importer: Importer) -> dict[str, Any]:
    return {"importer": importer, "list_url": _list_url(importer), "list_title": importer.list_title}


def _download(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%s" % quote(filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _expired(name: str, request: HttpRequest) -> HttpResponse:
    messages.error(request, EXPIRED)
    return redirect("core:import_upload", name=name)


# ------------------------------------------------------------------ views


@login_required
@require_GET
def import_template_view(request: HttpRequest, name: str) -> HttpResponse:
    """The import template (.xlsx) with drop-downs on code columns and a 说明 sheet."""
    importer = _importer(request, name)
    stamp = timezone.localtime().strftime("%Y%m%d")
    return _download(template_workbook(importer), f"{importer.title}模板_{stamp}.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def import_upload_view(request: HttpRequest, name: str) -> HttpResponse:
    """Step 1: the upload form. A posted file is validated at once (nothing written); a file that
    cannot be read at all (wrong format, missing columns, no rows) is answered on this form, anything
    else goes on to the preview."""
    importer = _importer(request, name)
    file_errors: list[dict[str, Any]] = []
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            report = run_import(importer, data, upload.name, actor=request.user, commit=False)
            if report.rows == 0 and report.errors:
                file_errors = report.as_dict()["errors"]
                form.add_error("file", "文件无法导入，原因见下方说明。")
            else:
                token = _store(request, importer, upload.name, data, report)
                return redirect("core:import_preview", name=importer.name, token=token)
    else:
        form = ImportUploadForm()
    status = 400 if form.is_bound and form.errors else 200
    context = {
        **_base_context(importer),
        "form": form,
        "file_errors": file_errors,
        "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
    }
    return render(request, "core/import_upload.html", context, status=status)


@login_required
@require_GET
def import_preview_view(request: HttpRequest, name: str, token: str) -> HttpResponse:
    """Step 2: the validation report of a pending upload — counts, errors and warnings (each a page
    of at most 100), the error workbook link and, when there is no error, the commit button."""
    importer = _importer(request, name)
    entry = _pending(request, importer, token)
    if entry is None:
        return _expired(name, request)
    report = _load_report(token)
    errors = Paginator(report.errors, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    warnings = Paginator(report.warnings, WARNINGS_PER_PAGE).get_page(request.GET.get("wpage"))
    error_params = request.GET.copy()
    error_params.pop("page", None)
    warning_params = request.GET.copy()
    warning_params.pop("wpage", None)
    context = {
        **_base_context(importer),
        "report": report,
        "token": token,
        "filename": entry["filename"],
        "errors_page": errors,
        "warnings_page": warnings,
        "error_query": error_params.urlencode(),
        "warning_query": warning_params.urlencode(),
        "error_rows": len({e["row"] for e in report.errors}),
    }
    return render(request, "core/import_preview.html", context)


@login_required
@require_GET
def import_errors_view(request: HttpRequest, name: str, token: str) -> HttpResponse:
    """The uploaded sheet with every bad cell marked red and explained (download)."""
    importer = _importer(request, name)
    entry = _pending(request, importer, token)
    if entry is None:
        return _expired(name, request)
    report = _load_report(token)
    data = (_dir(token) / "upload").read_bytes()
    stem = Path(entry["filename"]).stem or importer.title
    return _download(error_workbook(importer, data, entry["filename"], report), f"{stem}_错误标注.xlsx")


@login_required
@require_POST
def import_commit_view(request: HttpRequest, name: str, token: str) -> HttpResponse:
    """Step 3: write a pending upload that validated without errors. The rows are validated again
    inside the commit (the data may have changed since the preview); any error writes nothing and
    shows the new report. The file is moved aside first, so a second click cannot import twice."""
    importer = _importer(request, name)
    entry = _pending(request, importer, token)
    if entry is None:
        return _expired(name, request)
    if not _load_report(token).ok:
        messages.error(request, "文件中还有错误，不能导入。请按错误说明修改后重新上传。")
        return redirect("core:import_preview", name=name, token=token)
    upload, working = _dir(token) / "upload", _dir(token) / "committing"
    try:
        os.rename(upload, working)
    except FileNotFoundError:
        return _expired(name, request)
    data = working.read_bytes()
    try:
        report = run_import(importer, data, entry["filename"], actor=request.user, commit=True)
    except (BusinessError, IntegrityError):
        # another user wrote the same records meanwhile; nothing of this file was written
        os.rename(working, upload)
        messages.error(request, "导入时数据发生冲突，未写入任何数据。请稍后重新上传文件校验。")
        return redirect("core:import_preview", name=name, token=token)
    if not report.committed:
        os.rename(working, upload)
        _save_report(token, report)
        messages.error(request, "数据在校验后发生了变化，重新校验发现错误，未写入任何数据。")
        return redirect("core:import_preview", name=name, token=token)
    _forget(request, token)
    results = dict(request.session.get(RESULTS_KEY) or {})
    results[token] = {
        "name": importer.name,
        "user": request.user.pk,
        "filename": entry["filename"],
        "rows": report.rows,
        "created": report.created,
        "updated": report.updated,
        "batch_id": report.batch_id,
        "warnings": len(report.warnings),
        "at": time.time(),
    }
    for old in sorted(results, key=lambda t: results[t]["at"])[:-MAX_PENDING]:
        results.pop(old)
    request.session[RESULTS_KEY] = results
    return redirect("core:import_result", name=name, token=token)


@login_required
@require_GET
def import_result_view(request: HttpRequest, name: str, token: str) -> HttpResponse:
    """Step 4: what the import wrote, with its batch id (the operation log's filter)."""
    importer = _importer(request, name)
    result = (request.session.get(RESULTS_KEY) or {}).get(token) if _TOKEN_RE.match(token) else None
    if not result or result.get("name") != importer.name or result.get("user") != request.user.pk:
        raise Http404("导入结果不存在。")
    oplog_url = ""
    if request.user.has_perm("core.view_operationlog"):
        oplog_url = reverse("core:oplog_list") + "?batch=" + quote(result["batch_id"])
    return render(
        request, "core/import_result.html", {**_base_context(importer), "result": result, "oplog_url": oplog_url}
    )
