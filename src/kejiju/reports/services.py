"""Writes of official documents (house rules 1, 4, 5 and 11).

* :func:`document_save_draft` validates the document with the GB/T 9704 engine and stores it as a draft.
* :func:`document_generate` / :func:`document_retry` record the request and run the generation job.
* :func:`run_document_job` is the job itself: typeset the .docx (and the PDF when LibreOffice is
  installed), store the files as attachments and mark the document 已生成 — or, on any failure, 生成失败
  with the Chinese reason, ready to be retried. It takes only the document's id and reads everything else
  (content, who asked) from the database, so a background worker can run it later unchanged; for now the
  request runs it synchronously.
"""

from __future__ import annotations

import io
import logging
import re
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kejiju.core.audit import log_operation
from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.history import acting
from kejiju.core.models import Attachment, Region
from kejiju.core.permissions import active_region_code, can_manage_region
from kejiju.core.services.attachments import attachment_create, storage_path
from kejiju.engines import gbt9704
from kejiju.engines.gbt9704 import jsonio
from kejiju.engines.gbt9704.pdf import PdfConversionError, docx_to_pdf, find_soffice
from kejiju.reports import registrations as actions
from kejiju.reports.choices import DOCUMENT_TRANSITIONS, DocumentKind, DocumentStatus, action_allowed
from kejiju.reports.models import DocumentTransition, OfficialDocument
from kejiju.reports.permissions import can_add_document, can_change_document

logger = logging.getLogger(__name__)

#: The engine's builder, looked up at call time so that tests can replace it.
build = gbt9704.build

ATTACHMENT_PURPOSE = "公文"
DOCX_KINDS = frozenset({"docx"})
PDF_KINDS = frozenset({"pdf"})
_UNSAFE_NAME = re.compile(r"[\\/:*?\"<>|\x00-\x1f]+")


def pdf_timeout() -> float:
    """Seconds LibreOffice may take for one PDF (``KEJIJU_PDF_TIMEOUT_SECONDS``, default 120)."""
    return float(getattr(settings, "KEJIJU_PDF_TIMEOUT_SECONDS", 120))


def pdf_available() -> bool:
    """Whether PDF output can be offered on this machine (LibreOffice installed)."""
    return find_soffice() is not None


def parse_payload(data: Any) -> gbt9704.OfficialDocument:
    """The typed document from its JSON form, checked for shape (``jsonio.from_dict``) and content
    (``gbt9704.validate``). Raises ``RowErrors`` mapping each JSON field (issuer, doc_number, body …) to its
    Chinese reasons; a problem with the whole document goes under ``"__all__"``."""
    try:
        typed = jsonio.from_dict(data)
    except gbt9704.DocumentError as exc:
        raise _row_errors(exc.problems) from None
    problems = gbt9704.validate(typed)
    if problems:
        raise _row_errors(problems)
    return typed


def _row_errors(problems: list[gbt9704.Problem]) -> RowErrors:
    errors = {(key or "__all__"): messages for key, messages in jsonio.problems_by_field(problems).items()}
    return RowErrors(errors, code="invalid_document")


def _forbid(message: str = "您没有该操作的权限。") -> BusinessError:
    return BusinessError(message, code="forbidden")


def _transition(document: OfficialDocument, *, to: str, actor: Any, reason: str) -> DocumentTransition:
    """Move a locked document to status ``to`` and write its transition row (house rule 4). The caller
    saves the document in the same transaction. Raises ``BusinessError`` (code ``bad_transition``) for a
    change the status graph (``choices.DOCUMENT_ACTIONS``) does not allow."""
    source = document.status
    if (source, to) not in DOCUMENT_TRANSITIONS:
        raise BusinessError(
            "公文当前状态为“%(s)s”，不能变为“%(t)s”。"
            % {"s": DocumentStatus(source).label, "t": DocumentStatus(to).label},
            code="bad_transition",
        )
    document.status = to
    return DocumentTransition.objects.create(
        document=document,
        from_status=source,
        to_status=to,
        actor=actor if getattr(actor, "pk", None) else None,
        reason=reason,
    )


def _display_title(typed: gbt9704.OfficialDocument) -> str:
    return "".join(typed.title.split("\n")).strip()[:300]


@transaction.atomic
def document_save_draft(
    *,
    actor: Any,
    data: dict[str, Any],
    kind: str = DocumentKind.NOTICE,
    document: OfficialDocument | None = None,
    region: str | None = None,
    with_pdf: bool = True,
) -> OfficialDocument:
    """Save a new draft (``document`` None) or new content for an existing document.

    ``data`` is the document's JSON form (docs/modules/documents.md). It must pass the engine's shape and
    content checks, else ``RowErrors`` names each JSON field at fault and nothing is saved. A new draft
    belongs to ``region`` (default: the actor's working region), which must lie within the actor's account.
    Saving into a generated or failed document makes it a draft again (a 修改 transition) and detaches its
    old files, which stay in the attachment store. Logged as ``reports.document_save``.
    """
    if document is None:
        if not can_add_document(actor):
            raise _forbid("您没有起草公文的权限。")
    else:
        document = OfficialDocument.objects.select_for_update().get(pk=document.pk)
        if not can_change_document(actor, document):
            raise _forbid("您没有修改该公文的权限。")
    if kind not in DocumentKind.values:
        raise BusinessError(
            "文种无效，应为：%(k)s。" % {"k": "、".join(str(c.label) for c in DocumentKind)},
            code="invalid",
            field="kind",
        )
    typed = parse_payload(data)
    payload = jsonio.to_dict(typed)
    created = document is None
    if document is None:
        code = region or active_region_code(actor) or ""
        if not code:
            raise BusinessError("您的账号没有所属区划，不能起草公文。", code="no_region", field="region")
        if not can_manage_region(actor, code) or not Region.objects.filter(code=code).exists():
            raise BusinessError("所选区划不在您的管辖范围内。", code="out_of_scope", field="region")
        document = OfficialDocument(region_id=code, created_by=actor)
    elif action_allowed("revise", document.status):
        _transition(document, to=DocumentStatus.DRAFT, actor=actor, reason="修改公文内容，退回草稿，需重新生成。")
        document.output = None
        document.pdf = None
        document.error = ""
        document.generated_at = None
    document.kind = kind
    document.title = _display_title(typed)
    document.doc_number = (typed.doc_number or "").strip()
    document.payload = payload
    document.with_pdf = with_pdf
    with acting(actor):
        document.save()
    log_operation(
        actor=actor,
        action=actions.DOCUMENT_SAVE,
        target=document,
        extra={"created": created, "kind": kind, "doc_number": document.doc_number},
    )
    return document


@transaction.atomic
def _request_job(*, actor: Any, document: OfficialDocument, action: str, with_pdf: bool | None) -> OfficialDocument:
    """Record who asks for a generation (the job acts as them). Raises ``BusinessError`` without the
    permission or when the status does not allow ``action``."""
    document = OfficialDocument.objects.select_for_update().get(pk=document.pk)
    if not can_change_document(actor, document):
        raise _forbid("您没有生成该公文的权限。")
    if not action_allowed(action, document.status):
        status = DocumentStatus(document.status).label
        message = (
            "只有草稿可以生成；该公文当前状态为“%(s)s”。"
            if action == "generate"
            else "只有生成失败的公文可以重试；该公文当前状态为“%(s)s”。"
        )
        raise BusinessError(message % {"s": status}, code="bad_transition")
    document.requested_by = actor
    if with_pdf is not None:
        document.with_pdf = with_pdf
    with acting(actor):
        document.save(update_fields=["requested_by", "with_pdf", "updated_at"])
    if action == "retry":
        log_operation(
            actor=actor, action=actions.DOCUMENT_RETRY, target=document, extra={"previous_error": document.error}
        )
    return document


def document_generate(*, actor: Any, document: OfficialDocument, with_pdf: bool | None = None) -> OfficialDocument:
    """生成: typeset a draft into its .docx (and PDF) through :func:`run_document_job`; returns the
    document as the job left it (已生成 or 生成失败 — a failure is recorded, not raised).

    Not one transaction on purpose: the request is recorded in one, the job runs in its own, so that a
    failed job is kept as 生成失败 rather than rolled back. Raises ``BusinessError`` without the permission
    or when the document is not a draft."""
    document = _request_job(actor=actor, document=document, action="generate", with_pdf=with_pdf)
    return run_document_job(document.pk)


def document_issue(
    *,
    actor: Any,
    data: dict[str, Any],
    region: str,
    source: str,
    kind: str = DocumentKind.NOTICE,
    with_pdf: bool | None = None,
) -> OfficialDocument:
    """Create and generate a document on behalf of another app's service (立项通知书, 验收证书, 抽取记录…).

    The calling service has already checked its own permission for the business step, so the reports
    permissions are not asked again; the region must still lie in the actor's scope. ``source`` names the
    record it belongs to (``"programs.project:12"``) so the record's page can list its documents
    (:func:`kejiju.reports.selectors.documents_for_source`). Raises ``RowErrors`` for bad content; a
    typesetting failure is kept as 生成失败 and can be retried on the documents page."""
    if kind not in DocumentKind.values:
        raise BusinessError("文种无效。", code="invalid", field="kind")
    typed = parse_payload(data)
    if not Region.objects.filter(code=region).exists():
        raise BusinessError("区划代码“%s”不存在。" % region, code="invalid", field="region")
    with transaction.atomic():
        document = OfficialDocument(
            region_id=region,
            created_by=actor,
            requested_by=actor,
            kind=kind,
            title=_display_title(typed),
            doc_number=(typed.doc_number or "").strip(),
            payload=jsonio.to_dict(typed),
            with_pdf=pdf_available() if with_pdf is None else with_pdf,
            source=source[:80],
        )
        with acting(actor):
            document.save()
        log_operation(
            actor=actor,
            action=actions.DOCUMENT_SAVE,
            target=document,
            extra={"created": True, "kind": kind, "doc_number": document.doc_number, "source": source},
        )
    return run_document_job(document.pk)


def document_retry(*, actor: Any, document: OfficialDocument) -> OfficialDocument:
    """重试: run the job again for a document whose generation failed (logged as ``reports.document_retry``,
    then as generated or failed). Raises ``BusinessError`` without the permission or when it has not failed."""
    document = _request_job(actor=actor, document=document, action="retry", with_pdf=None)
    return run_document_job(document.pk)


def _file_name(document: OfficialDocument, extension: str) -> str:
    stem = _UNSAFE_NAME.sub("_", str(document)).strip(" ._") or "公文"
    return "%(stem)s.%(ext)s" % {"stem": stem[:80], "ext": extension}


def _failure_message(exc: Exception) -> str:
    """The Chinese reason shown on the document for a failed job."""
    if isinstance(exc, gbt9704.DocumentError):
        return "生成失败：%(e)s" % {"e": str(exc)}
    if isinstance(exc, PdfConversionError):
        return "生成失败：%(e)s" % {"e": exc.message}
    if isinstance(exc, BusinessError):
        return "生成失败：保存文件时出错，%(e)s" % {"e": exc.message}
    detail = str(exc).strip()[:300] or type(exc).__name__
    return "生成失败：排版或保存文件时出错（%(e)s）。请重试；仍然失败时请联系管理员。" % {"e": detail}


def run_document_job(document_id: int) -> OfficialDocument:
    """The generation job of one document (design house rule 11), safe to run from a worker.

    Reads the document's JSON payload and the user who asked (``requested_by``), typesets the .docx with
    the GB/T 9704 builder and, when ``with_pdf`` is set and LibreOffice is installed, converts it to PDF —
    outside any transaction, since LibreOffice may take seconds. Then, in one transaction, stores the files
    as attachments owned by the document (purpose 公文), sets 已生成 with a transition row and logs
    ``reports.document_generate``. Any failure (invalid content, builder error, PDF timeout, storage refusal)
    instead sets 生成失败 with the Chinese reason in ``error`` and a transition row, logged as
    ``reports.document_failed``; nothing is raised and the document can be retried. A document that is
    no longer a draft or failed (the job ran twice) is returned unchanged.
    """
    document = OfficialDocument.objects.select_related("requested_by", "created_by").get(pk=document_id)
    if document.status not in (DocumentStatus.DRAFT, DocumentStatus.FAILED):
        return document
    actor = document.requested_by or document.created_by
    try:
        typed = jsonio.from_dict(document.payload)
        docx_bytes = build(typed)
        pdf_bytes = None
        skipped = ""
        if document.with_pdf:
            if find_soffice() is None:
                skipped = "libreoffice_missing"
            else:
                pdf_bytes = docx_to_pdf(docx_bytes, timeout=pdf_timeout())
        return _store_result(document_id, actor=actor, docx_bytes=docx_bytes, pdf_bytes=pdf_bytes, skipped=skipped)
    except Exception as exc:  # every failure becomes a visible, retryable state (design §6)
        logger.warning("document %s: generation failed", document_id, exc_info=True)
        return _record_failure(document_id, actor=actor, message=_failure_message(exc))


@transaction.atomic
def _store_result(
    document_id: int, *, actor: Any, docx_bytes: bytes, pdf_bytes: bytes | None, skipped: str
) -> OfficialDocument:
    """Store the files and mark the document generated (one transaction; the stored files are removed
    again when it fails)."""
    document = OfficialDocument.objects.select_for_update().get(pk=document_id)
    if document.status not in (DocumentStatus.DRAFT, DocumentStatus.FAILED):
        return document
    created: list[Attachment] = []
    try:
        output = attachment_create(
            actor=actor,
            fileobj=io.BytesIO(docx_bytes),
            name=_file_name(document, "docx"),
            region=document.region_id,
            owner=document,
            purpose=ATTACHMENT_PURPOSE,
            allowed=DOCX_KINDS,
        )
        created.append(output)
        pdf = None
        if pdf_bytes is not None:
            pdf = attachment_create(
                actor=actor,
                fileobj=io.BytesIO(pdf_bytes),
                name=_file_name(document, "pdf"),
                region=document.region_id,
                owner=document,
                purpose=ATTACHMENT_PURPOSE,
                allowed=PDF_KINDS,
            )
            created.append(pdf)
        reason = "已生成 Word 文件和 PDF。" if pdf is not None else "已生成 Word 文件。"
        if skipped == "libreoffice_missing":
            reason = "已生成 Word 文件；本机未安装 LibreOffice，未生成 PDF。"
        _transition(document, to=DocumentStatus.GENERATED, actor=actor, reason=reason)
        document.output = output
        document.pdf = pdf
        document.error = ""
        document.generated_at = timezone.now()
        with acting(actor):
            document.save()
        extra: dict[str, Any] = {"docx": output.pk.hex, "sha256": output.sha256, "size": output.size}
        if pdf is not None:
            extra.update(pdf=pdf.pk.hex, pdf_sha256=pdf.sha256)
        if skipped:
            extra["pdf_skipped"] = skipped
        log_operation(actor=actor, action=actions.DOCUMENT_GENERATE, target=document, extra=extra)
    except Exception:
        for attachment in created:
            storage_path(attachment.storage_name).unlink(missing_ok=True)
        raise
    return document


@transaction.atomic
def _record_failure(document_id: int, *, actor: Any, message: str) -> OfficialDocument:
    """Mark the document 生成失败 with ``message`` (transition row, ``reports.document_failed``)."""
    document = OfficialDocument.objects.select_for_update().get(pk=document_id)
    if document.status not in (DocumentStatus.DRAFT, DocumentStatus.FAILED):
        return document
    _transition(document, to=DocumentStatus.FAILED, actor=actor, reason=message)
    document.error = message
    with acting(actor):
        document.save()
    log_operation(actor=actor, action=actions.DOCUMENT_FAILED, target=document, extra={"error": message})
    return document
