"""Official documents (公文) typeset per GB/T 9704-2012, and the record of their status changes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from kejiju.core.models import DomainModel
from kejiju.reports.choices import DocumentKind, DocumentStatus


class OfficialDocument(DomainModel):
    """A 公文 drafted on the platform. ``payload`` is the document in its JSON form
    (``kejiju.engines.gbt9704.jsonio.to_dict``), already validated when saved; ``title`` and
    ``doc_number`` repeat it for lists and search.

    Status: 草稿 → (生成) → 已生成 or 生成失败; 生成失败 → (重试) → 已生成 or 生成失败; new content saved into a
    generated or failed document makes it a 草稿 again (graph in ``choices.DOCUMENT_ACTIONS``; every
    change writes a :class:`DocumentTransition`). Generation stores the .docx (and the PDF) as core
    attachments owned by the document; ``error`` holds the Chinese reason of the last failure."""

    kind = models.CharField("文种", max_length=20, choices=DocumentKind.choices, default=DocumentKind.NOTICE)
    title = models.CharField("标题", max_length=300, db_index=True)
    doc_number = models.CharField("发文字号", max_length=60, blank=True, db_index=True)
    payload = models.JSONField("公文内容", default=dict)
    status = models.CharField(
        "状态", max_length=12, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT, db_index=True
    )
    with_pdf = models.BooleanField(
        "同时生成 PDF", default=True, help_text="本机安装了 LibreOffice 时，生成 Word 文件的同时转换为 PDF。"
    )
    output = models.ForeignKey(
        "core.Attachment", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="Word 文件"
    )
    pdf = models.ForeignKey(
        "core.Attachment", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="PDF 文件"
    )
    error = models.TextField("失败原因", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="起草人"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="最近请求生成人",
        help_text="生成任务以此人的身份保存文件和写日志。",
    )
    generated_at = models.DateTimeField("生成时间", null=True, blank=True)
    source = models.CharField(
        "来源记录",
        max_length=80,
        blank=True,
        db_index=True,
        help_text="由其他业务生成的公文记下来源，如“programs.project:12”。",
    )

    class Meta:
        verbose_name = "公文"
        verbose_name_plural = "公文"
        ordering = ["-updated_at", "-pk"]
        indexes = [models.Index(fields=["region", "status"], name="document_region_status")]

    def __str__(self) -> str:
        return self.title.replace("\n", "")


class DocumentTransition(models.Model):
    """One status change of a document (house rule 4): who, from, to, why, when — written in the same
    transaction as the change. Never edited."""

    document = models.ForeignKey(
        OfficialDocument, on_delete=models.PROTECT, related_name="transitions", verbose_name="公文"
    )
    from_status = models.CharField("原状态", max_length=12, choices=DocumentStatus.choices)
    to_status = models.CharField("新状态", max_length=12, choices=DocumentStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="操作人",
    )
    reason = models.TextField("说明", blank=True)
    at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "公文状态变更"
        verbose_name_plural = "公文状态变更"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.document_id}: {self.from_status} → {self.to_status}"
