"""National code tables: GB/T 4754 industries, GB/T 13745 subjects, the 8 high-tech fields."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from kejiju.core.choices import CodeKind
from kejiju.core.history import history_user_getter


class CodeItem(models.Model):
    """One entry of a national code table. Entries are disabled, never deleted, so records that
    carry an old code still show its name."""

    kind = models.CharField("代码表", max_length=20, choices=CodeKind.choices)
    code = models.CharField("代码", max_length=10)
    name = models.CharField("名称", max_length=100)
    parent_code = models.CharField("上级代码", max_length=10, blank=True)
    level = models.PositiveSmallIntegerField("层级", default=1)
    edition = models.CharField("版本", max_length=30)
    sort = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    history = HistoricalRecords(get_user=history_user_getter, user_model="core.User")

    class Meta:
        verbose_name = "代码表条目"
        verbose_name_plural = "代码表条目"
        ordering = ["kind", "sort", "code"]
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="codeitem_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
