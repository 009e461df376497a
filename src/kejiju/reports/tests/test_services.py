"""Official-document services: drafts validated by the GB/T 9704 engine, the generation job (files stored as
attachments, transitions, audit rows), its failure state and retry, and the status graph."""

from __future__ import annotations

import hashlib
import io
import subprocess
from pathlib import Path
from typing import Any

import docx
import pytest
from django.conf import settings

from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.models import Attachment, OperationLog
from kejiju.core.services.attachments import storage_path
from kejiju.engines.gbt9704.pdf import PdfConversionError
from kejiju.reports import services
from kejiju.reports.choices import DOCUMENT_TRANSITIONS, DocumentStatus
from kejiju.reports.models import DocumentTransition, OfficialDocument
from kejiju.reports.services import document_generate, document_retry, document_save_draft, run_document_job
from kejiju.reports.tests.conftest import require_tools, sample_payload

pytestmark = pytest.mark.django_db


def actions_of(document: OfficialDocument) -> list[str]:
    return list(
        OperationLog.objects.filter(target_id=str(document.pk), action__startswith="reports.")
        .order_by("pk")
        .values_list("action", flat=True)
    )


def transitions_of(document: OfficialDocument) -> list[tuple[str, str]]:
    return list(document.transitions.order_by("pk").values_list("from_status", "to_status"))


def stored_files() -> list[Path]:
    root = Path(settings.KEJIJU_FILES_DIR)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def draft(actor: Any, **changes: Any) -> OfficialDocument:
    return document_save_draft(actor=actor, data=sample_payload(**changes))


# ------------------------------------------------------------------ drafts


def test_save_draft_stores_the_normalised_payload_in_the_working_region(staff):
    data = sample_payload(date="2026年6月9日")
    document = document_save_draft(actor=staff, data=data, kind="notice")
    document.refresh_from_db()
    assert document.region_id == "341181" and document.created_by == staff
    assert document.status == DocumentStatus.DRAFT and document.kind == "notice"
    assert document.title == "天长市科学技术局关于组织申报2027年度科技计划项目的通知"  # the line break is the author's
    assert document.doc_number == "天科〔2026〕5号"
    assert document.payload["title"].count("\n") == 1 and document.payload["date"] == "2026年6月9日"
    assert document.payload["body"][2]["content"].startswith("围绕电线电缆")
    assert actions_of(document) == ["reports.document_save"]
    assert document.history.first().history_user == staff
    assert not document.transitions.exists()  # creating a draft is not a status change


def test_invalid_content_names_the_fields_and_saves_nothing(staff):
    with pytest.raises(RowErrors) as caught:
        draft(staff, doc_number="天科[2026]5号", date="2026年06月09日", attachments=["申报书。"])
    errors = caught.value.errors
    assert errors["doc_number"] == ["发文字号“天科[2026]5号”的年份应使用六角括号“〔〕”，不能使用方括号或其他括号。"]
    assert "不编虚位" in errors["date"][0]
    assert errors["attachments"] == ["附件名称“申报书。”后不加标点符号。"]
    assert not OfficialDocument.objects.exists()
    assert not OperationLog.objects.filter(action__startswith="reports.").exists()


def test_shape_errors_name_the_json_field(staff):
    with pytest.raises(RowErrors) as caught:
        document_save_draft(actor=staff, data={**sample_payload(), "titel": "x", "seal": "是"})
    assert set(caught.value.errors) == {"titel", "seal"}
    assert not OfficialDocument.objects.exists()


def test_missing_title_is_reported(staff):
    data = sample_payload()
    del data["title"]
    with pytest.raises(RowErrors) as caught:
        document_save_draft(actor=staff, data=data)
    assert caught.value.errors == {"title": ["缺少必填字段“title”（标题）。"]}


def test_unknown_kind_is_refused(staff):
    with pytest.raises(BusinessError) as caught:
        document_save_draft(actor=staff, data=sample_payload(), kind="memo")
    assert caught.value.field == "kind" and "通知" in caught.value.message
    assert not OfficialDocument.objects.exists()


def test_only_bureau_staff_may_draft_and_only_in_their_region(leader, staff, other_staff):
    with pytest.raises(BusinessError) as caught:
        draft(leader)
    assert caught.value.code == "forbidden"
    with pytest.raises(BusinessError) as caught:
        document_save_draft(actor=staff, data=sample_payload(), region="341182")
    assert caught.value.code == "out_of_scope"
    document = draft(staff)
    with pytest.raises(BusinessError) as caught:
        document_save_draft(actor=other_staff, data=sample_payload(title="改标题"), document=document)
    assert caught.value.code == "forbidden"
    document.refresh_from_db()
    assert document.title.startswith("天长市科学技术局关于组织申报")


# ------------------------------------------------------------------ generation


def test_generate_stores_the_docx_as_an_attachment_with_transition_and_audit_rows(staff, no_libreoffice):
    document = draft(staff)
    document = document_generate(actor=staff, document=document)
    document.refresh_from_db()
    assert document.status == DocumentStatus.GENERATED and document.error == ""
    assert document.generated_at is not None and document.requested_by == staff
    attachment = document.output
    assert attachment.kind == "docx" and attachment.purpose == "公文" and attachment.region_id == "341181"
    assert attachment.owner == document and attachment.uploaded_by == staff
    assert attachment.original_name == "天长市科学技术局关于组织申报2027年度科技计划项目的通知.docx"
    data = storage_path(attachment.storage_name).read_bytes()
    assert hashlib.sha256(data).hexdigest() == attachment.sha256 and len(data) == attachment.size
    opened = docx.Document(io.BytesIO(data))
    assert any("申报范围" in p.text for p in opened.paragraphs)
    assert document.pdf is None  # no LibreOffice: Word only, said in the transition
    assert transitions_of(document) == [("draft", "generated")]
    [row] = document.transitions.all()
    assert row.actor == staff and "未安装 LibreOffice" in row.reason
    assert actions_of(document) == ["reports.document_save", "reports.document_generate"]
    log = OperationLog.objects.get(action="reports.document_generate")
    assert log.extra["sha256"] == attachment.sha256 and log.extra["pdf_skipped"] == "libreoffice_missing"
    assert log.actor == staff and log.region_id == "341181"
    assert OperationLog.objects.filter(action="core.attachment_upload", target_id=str(attachment.pk)).exists()


def test_generate_with_libreoffice_stores_the_pdf_too(staff):
    tools = require_tools("soffice", "pdfinfo")
    document = document_generate(actor=staff, document=draft(staff))
    assert document.status == DocumentStatus.GENERATED, document.error
    assert document.pdf is not None and document.pdf.kind == "pdf"
    path = storage_path(document.pdf.storage_name)
    info = subprocess.run([tools["pdfinfo"], str(path)], capture_output=True, text=True, check=True).stdout
    assert "A4" in info and int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1]) >= 2
    log = OperationLog.objects.get(action="reports.document_generate")
    assert log.extra["pdf_sha256"] == document.pdf.sha256


def test_builder_failure_is_recorded_visible_and_retryable(staff, no_libreoffice, monkeypatch):
    document = draft(staff)

    def broken(doc: Any) -> bytes:
        raise RuntimeError("字体表损坏")

    monkeypatch.setattr(services, "build", broken)
    document = document_generate(actor=staff, document=document)
    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED
    assert document.error == "生成失败：排版或保存文件时出错（字体表损坏）。请重试；仍然失败时请联系管理员。"
    assert document.output is None and not Attachment.objects.exists() and stored_files() == []
    assert transitions_of(document) == [("draft", "failed")]
    assert document.transitions.get().reason == document.error
    log = OperationLog.objects.get(action="reports.document_failed")
    assert log.extra == {"error": document.error} and log.actor == staff

    monkeypatch.undo()
    monkeypatch.setattr("kejiju.reports.services.find_soffice", lambda: None)
    document = document_retry(actor=staff, document=document)
    assert document.status == DocumentStatus.GENERATED and document.error == "" and document.output is not None
    assert transitions_of(document) == [("draft", "failed"), ("failed", "generated")]
    assert actions_of(document) == [
        "reports.document_save",
        "reports.document_failed",
        "reports.document_retry",
        "reports.document_generate",
    ]


def test_retry_that_fails_again_stays_failed(staff, no_libreoffice, monkeypatch):
    monkeypatch.setattr(services, "build", lambda doc: (_ for _ in ()).throw(OSError("磁盘已满")))
    document = document_generate(actor=staff, document=draft(staff))
    document = document_retry(actor=staff, document=document)
    assert document.status == DocumentStatus.FAILED and "磁盘已满" in document.error
    assert transitions_of(document) == [("draft", "failed"), ("failed", "failed")]


def test_pdf_conversion_failure_fails_the_job_and_keeps_no_files(staff, monkeypatch):
    monkeypatch.setattr("kejiju.reports.services.find_soffice", lambda: "/usr/bin/soffice")

    def timeout(data: bytes, *, timeout: float) -> bytes:
        raise PdfConversionError("LibreOffice 在 120 秒内没有完成 PDF 转换，已中止；请稍后重试。")

    monkeypatch.setattr(services, "docx_to_pdf", timeout)
    document = document_generate(actor=staff, document=draft(staff))
    assert document.status == DocumentStatus.FAILED
    assert document.error == "生成失败：LibreOffice 在 120 秒内没有完成 PDF 转换，已中止；请稍后重试。"
    assert not Attachment.objects.exists() and stored_files() == []


def test_storage_failure_after_the_docx_removes_the_stored_file(staff, monkeypatch):
    monkeypatch.setattr("kejiju.reports.services.find_soffice", lambda: "/usr/bin/soffice")
    monkeypatch.setattr(services, "docx_to_pdf", lambda data, *, timeout: b"not a pdf")
    document = document_generate(actor=staff, document=draft(staff))
    assert document.status == DocumentStatus.FAILED and document.error.startswith("生成失败：保存文件时出错，")
    assert not Attachment.objects.exists()
    assert stored_files() == []  # the .docx stored before the refused PDF is gone with its rolled-back row


def test_generate_without_pdf_when_asked(staff, monkeypatch):
    monkeypatch.setattr("kejiju.reports.services.find_soffice", lambda: "/usr/bin/soffice")
    monkeypatch.setattr(services, "docx_to_pdf", lambda data, *, timeout: pytest.fail("PDF was not asked for"))
    document = document_generate(actor=staff, document=draft(staff), with_pdf=False)
    assert document.status == DocumentStatus.GENERATED and document.pdf is None and not document.with_pdf


def test_invalid_stored_payload_fails_with_the_engine_reason(staff, no_libreoffice):
    document = draft(staff)
    OfficialDocument.objects.filter(pk=document.pk).update(payload=sample_payload(date="2026年13月1日"))
    document = document_generate(actor=staff, document=document)
    assert document.status == DocumentStatus.FAILED
    assert document.error.startswith("生成失败：公文内容有误：成文日期“2026年13月1日”")


# ------------------------------------------------------------------ the status graph


def test_status_graph_is_the_declared_one():
    assert DOCUMENT_TRANSITIONS == {
        ("draft", "generated"),
        ("draft", "failed"),
        ("failed", "generated"),
        ("failed", "failed"),
        ("generated", "draft"),
        ("failed", "draft"),
    }


def test_generate_and_retry_refuse_other_statuses_and_change_nothing(staff, no_libreoffice):
    document = document_generate(actor=staff, document=draft(staff))
    before = (document.status, document.output_id, DocumentTransition.objects.count(), OperationLog.objects.count())
    with pytest.raises(BusinessError) as caught:
        document_generate(actor=staff, document=document)
    assert caught.value.message == "只有草稿可以生成；该公文当前状态为“已生成”。"
    with pytest.raises(BusinessError) as caught:
        document_retry(actor=staff, document=document)
    assert caught.value.message == "只有生成失败的公文可以重试；该公文当前状态为“已生成”。"
    document.refresh_from_db()
    assert (
        document.status,
        document.output_id,
        DocumentTransition.objects.count(),
        OperationLog.objects.count(),
    ) == before


def test_job_run_twice_changes_nothing_the_second_time(staff, no_libreoffice):
    document = document_generate(actor=staff, document=draft(staff))
    again = run_document_job(document.pk)
    assert again.output_id == document.output_id and Attachment.objects.count() == 1
    assert document.transitions.count() == 1


def test_other_region_and_read_only_roles_cannot_generate(staff, other_staff, leader, no_libreoffice):
    document = draft(staff)
    for actor in (other_staff, leader):
        with pytest.raises(BusinessError) as caught:
            document_generate(actor=actor, document=document)
        assert caught.value.code == "forbidden"
    document.refresh_from_db()
    assert document.status == DocumentStatus.DRAFT and document.requested_by is None


def test_revising_a_generated_document_makes_it_a_draft_again(staff, no_libreoffice):
    document = document_generate(actor=staff, document=draft(staff))
    old_output = document.output
    revised = document_save_draft(actor=staff, data=sample_payload(doc_number="天科〔2026〕6号"), document=document)
    assert revised.status == DocumentStatus.DRAFT and revised.output is None and revised.generated_at is None
    assert revised.doc_number == "天科〔2026〕6号"
    assert transitions_of(revised) == [("draft", "generated"), ("generated", "draft")]
    assert Attachment.objects.filter(pk=old_output.pk).exists()  # archived with the document's history, not deleted
    document = document_generate(actor=staff, document=revised)
    assert document.status == DocumentStatus.GENERATED and document.output_id != old_output.pk


def test_saving_a_draft_again_is_not_a_transition(staff):
    document = draft(staff)
    document_save_draft(actor=staff, data=sample_payload(title="关于开展科技活动周的通知"), document=document)
    document.refresh_from_db()
    assert document.title == "关于开展科技活动周的通知" and not document.transitions.exists()
    assert actions_of(document) == ["reports.document_save", "reports.document_save"]
