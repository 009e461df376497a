"""The business operation log (tier two of house rule 5) and login attempts."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models

from kejiju.core.querysets import RegionScopedManager


class OperationLog(models.Model):
    """One business operation: who did what (a registered action code with a Chinese label) to
    which record, in which region, with extra data and the batch it belonged to. Written by
    services only, never updated."""

    SCOPE_FIELDS: ClassVar[tuple[str, ...]] = ("region",)

    action = models.CharField("操作代码", max_length=60, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="操作人",
    )
    actor_repr = models.CharField("操作人（记录时）", max_length=120, blank=True)
    target_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="对象类型"
    )
    target_id = models.CharField("对象编号", max_length=64, blank=True)
    target_repr = models.CharField("对象", max_length=200, blank=True)
    region = models.ForeignKey(
        "core.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="区划"
    )
    extra = models.JSONField("附加信息", default=dict, blank=True)
    batch_id = models.UUIDField("批次", null=True, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    objects = RegionScopedManager()

    class Meta:
        verbose_name = "操作日志"
        verbose_name_plural = "操作日志"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["region", "created_at"], name="oplog_region_time")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_repr} {self.action}"

    @property
    def label(self) -> str:
        from kejiju.core.audit import action_label

        return action_label(self.action)


class LoginAttempt(models.Model):
    """Every login attempt, kept to throttle and lock accounts after repeated failures."""

    username = models.CharField("用户名", max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    success = models.BooleanField("成功")
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "登录尝试"
        verbose_name_plural = "登录尝试"
        ordering = ["-created_at"]
