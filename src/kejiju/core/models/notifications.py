"""In-app notifications (站内消息) and the record of every message sent on other channels."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Notification(models.Model):
    """One message to one user: a title, a body, the page it is about, and when it was read.

    Written by :func:`kejiju.core.notify.notify`, never edited except ``read_at``. ``key`` lets a sender
    avoid sending the same reminder twice (e.g. ``programs.progress_due:12:before``)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name="接收人"
    )
    category = models.CharField("类别", max_length=40, blank=True, db_index=True)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("相关页面", max_length=300, blank=True)
    key = models.CharField("去重键", max_length=120, blank=True, db_index=True)
    created_at = models.DateTimeField("发送时间", default=timezone.now, db_index=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.title


class OutboundMessage(models.Model):
    """A message handed to an outside channel (e-mail or SMS) and what the channel answered."""

    channel = models.CharField("渠道", max_length=10, choices=[("email", "电子邮件"), ("sms", "短信")])
    to = models.CharField("接收地址", max_length=200)
    subject = models.CharField("主题", max_length=200, blank=True)
    body = models.TextField("内容")
    key = models.CharField("去重键", max_length=120, blank=True, db_index=True)
    ok = models.BooleanField("发送成功", default=True)
    error = models.TextField("失败原因", blank=True)
    created_at = models.DateTimeField("发送时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "外发消息"
        verbose_name_plural = "外发消息"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return "%s → %s" % (self.channel, self.to)
