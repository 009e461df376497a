"""Regions (行政区划) keyed by their GB/T 2260 code, and the bureaus that own records."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from simple_history.models import HistoricalRecords

from kejiju.core.choices import RegionLevel, RegionSource
from kejiju.core.history import history_user_getter
from kejiju.core.querysets import RegionScopedManager


class Region(models.Model):
    """A province (2-digit code), city (4), county (6), town (9) or village (12).

    The code is the primary key and the prefix of every code below it, so "records within a
    region" is a ``startswith`` on the stored foreign key, with no join. Regions are disabled,
    never deleted: old records keep pointing at old codes.
    """

    SCOPE_FIELDS: ClassVar[tuple[str, ...]] = ("code",)

    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=64)
    level = models.PositiveSmallIntegerField("级别", choices=RegionLevel.choices)
    kind = models.CharField("类型", max_length=16, blank=True, help_text="如 省、地级市、县级市、镇、街道、村委会。")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name="上级区划"
    )
    source = models.CharField("来源", max_length=10, choices=RegionSource.choices, default=RegionSource.PACKAGE)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords(get_user=history_user_getter, user_model="core.User")
    objects = RegionScopedManager()

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]
        permissions = [("import_region", "可以导入行政区划")]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def region_id(self) -> str:
        """A region's own scope is its code (used by the scope predicate)."""
        return self.code

    @property
    def full_code(self) -> str:
        """The code padded to the published form: 6 digits to county level, then 9 or 12."""
        return self.code.ljust(6, "0") if len(self.code) <= 6 else self.code

    def ancestor_codes(self) -> list[str]:
        """Codes of this region and every region above it, top first."""
        return [self.code[:length] for length in (2, 4, 6, 9, 12) if length <= len(self.code)]


class Bureau(models.Model):
    """The S&T administration (科技局) of one region; issuer of its documents."""

    SCOPE_FIELDS: ClassVar[tuple[str, ...]] = ("region",)

    region = models.OneToOneField(Region, on_delete=models.PROTECT, related_name="bureau", verbose_name="所属区划")
    name = models.CharField("机关名称", max_length=80, help_text="如 天长市科学技术局。")
    short_name = models.CharField("简称", max_length=20, blank=True, help_text="发文字号代字，如 天科。")
    address = models.CharField("地址", max_length=200, blank=True)
    phone = models.CharField("电话", max_length=40, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords(get_user=history_user_getter, user_model="core.User")
    objects = RegionScopedManager()

    class Meta:
        verbose_name = "科技局"
        verbose_name_plural = "科技局"
        ordering = ["region_id"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A section (科室) of a bureau; bureau staff belong to one."""

    SCOPE_FIELDS: ClassVar[tuple[str, ...]] = ("region",)

    bureau = models.ForeignKey(Bureau, on_delete=models.PROTECT, related_name="departments", verbose_name="科技局")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="所属区划")
    name = models.CharField("科室名称", max_length=40)
    is_active = models.BooleanField("启用", default=True)

    history = HistoricalRecords(get_user=history_user_getter, user_model="core.User")
    objects = RegionScopedManager()

    class Meta:
        verbose_name = "科室"
        verbose_name_plural = "科室"
        ordering = ["region_id", "name"]
        constraints = [models.UniqueConstraint(fields=["bureau", "name"], name="department_unique_name")]

    def __str__(self) -> str:
        return self.name
