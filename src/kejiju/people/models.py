"""The people registry (人员库): one record per natural person, whatever roles they play.

An expert (专家), a commissioner (科技特派员), a talent in the talent pool (人才库) or a member of a project
team is the same :class:`Person`; each role is a profile in the app that uses it, pointing here (design
§1, "one person, one record, many roles")."""

from __future__ import annotations

from datetime import date

from django.db import models

from kejiju.core.models import DomainModel
from kejiju.people.choices import Education, Gender, IdType, TitleLevel


class Person(DomainModel):
    """A natural person identified by a document (证件类型 + 证件号码, unique together). Resident ID numbers
    are validated (GB 11643) and upgraded from 15 digits; birth date and gender are then derived from the
    number. ``region`` is where the person lives or works (the owner region for scoping)."""

    name = models.CharField("姓名", max_length=40, db_index=True)
    name_initials = models.CharField("拼音首字母", max_length=80, blank=True, db_index=True, editable=False)
    id_type = models.CharField("证件类型", max_length=16, choices=IdType.choices, default=IdType.RESIDENT)
    id_number = models.CharField("证件号码", max_length=32)
    gender = models.CharField("性别", max_length=8, choices=Gender.choices, blank=True)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    ethnicity = models.CharField("民族", max_length=20, blank=True)
    phone = models.CharField("联系电话", max_length=40, blank=True, db_index=True)
    email = models.EmailField("电子邮箱", blank=True)
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="工作单位",
    )
    position = models.CharField("职务", max_length=60, blank=True)
    title = models.CharField("职称", max_length=60, blank=True)
    title_level = models.CharField("职称级别", max_length=16, choices=TitleLevel.choices, blank=True)
    education = models.CharField("最高学历", max_length=20, choices=Education.choices, blank=True)
    major = models.CharField("所学专业", max_length=80, blank=True)
    subjects = models.JSONField(
        "学科", default=list, blank=True, help_text="学科分类与代码（GB/T 13745-2009），第一个为主学科。"
    )
    industries = models.JSONField("行业", default=list, blank=True, help_text="国民经济行业分类（GB/T 4754-2017）。")
    keywords = models.CharField("专长关键词", max_length=300, blank=True, help_text="以逗号或空格分隔。")
    user = models.OneToOneField(
        "core.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        verbose_name="登录账号",
    )
    notes = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["id_type", "id_number"], name="person_unique_document")]
        indexes = [models.Index(fields=["region", "name"], name="person_region_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def main_subject(self) -> str:
        return self.subjects[0] if self.subjects else ""

    def age_on(self, day: date) -> int | None:
        """Full years of age on ``day`` (None when the birth date is unknown)."""
        if self.birth_date is None:
            return None
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def masked_id_number(self) -> str:
        """The document number with the middle hidden (shown to those who may not see it whole)."""
        value = self.id_number
        return value[:4] + "*" * max(len(value) - 8, 0) + value[-4:] if len(value) > 8 else "*" * len(value)
