"""The base of every domain model: owner region, timestamps, archive flag and field history."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from simple_history.models import HistoricalRecords

from kejiju.core.history import history_user_getter
from kejiju.core.querysets import RegionScopedManager


class DomainModel(models.Model):
    """A record that belongs to a region (design §2), is archived rather than deleted (house
    rule 6) and keeps its field history with the acting user (house rule 5)."""

    SCOPE_FIELDS: ClassVar[tuple[str, ...]] = ("region",)

    region = models.ForeignKey(
        "core.Region", on_delete=models.PROTECT, related_name="+", verbose_name="所属区划", db_index=True
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    is_archived = models.BooleanField("已归档", default=False)

    history = HistoricalRecords(inherit=True, get_user=history_user_getter, user_model="core.User")

    objects = RegionScopedManager()

    class Meta:
        abstract = True
