"""One attachment model for every module (design §6)."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from simple_history.models import HistoricalRecords

from kejiju.core.history import history_user_getter
from kejiju.core.querysets import RegionScopedManager


class Attachment(models.Model):
    """An uploaded file. The content is checked against the allow-list by its bytes (not its
    name), stored under a random name outside the web root, identified by its SHA-256, and
    served only after a permission check on the attachment's region."""

    SCOPE_FIELDS: ClassVar[tuple[str, ...]] = ("region",)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    region = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+", verbose_name="所属区划")
    owner_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="所属记录类型"
    )
    owner_id = models.CharField("所属记录编号", max_length=64, blank=True)
    owner = GenericForeignKey("owner_type", "owner_id")
    purpose = models.CharField("用途", max_length=60, blank=True, help_text="如 申报书、签到表、证书扫描件。")
    original_name = models.CharField("文件名", max_length=255)
    kind = models.CharField("文件类型", max_length=10)
    mime_type = models.CharField("MIME 类型", max_length=100)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    storage_name = models.CharField("存储名", max_length=80, unique=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="上传人",
        null=True,
        blank=True,
        help_text="空：公众在网上提交（如网上求助的照片），没有账号。",
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    is_archived = models.BooleanField("已归档", default=False)

    history = HistoricalRecords(get_user=history_user_getter, user_model="core.User")
    objects = RegionScopedManager()

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner_type", "owner_id"], name="attachment_owner")]

    def __str__(self) -> str:
        return self.original_name
