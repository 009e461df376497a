"""The people registry (人员库): one record per natural person, whatever roles they play.

An expert (专家), a commissioner (科技特派员), a talent in the talent pool (人才库) or a member of a project
team is the same :class:`Person`; each role is a profile in the app that uses it, pointing here (design
§1, "one person, one record, many roles")."""

from __future__ import annotations

from datetime import date

from django.db import models

from kejiju.core.models import DomainModel
from kejiju.core.workflow import transition_fields
from kejiju.people.choices import (
    Education,
    Gender,
    HonourLevel,
    IdType,
    NominationResult,
    ObjectionStatus,
    RoundStatus,
    TitleLevel,
)


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
    match_tokens = models.TextField(
        "匹配分词",
        null=True,
        blank=True,
        default=None,
        editable=False,
        help_text="专长关键词（两次）、职称和所学专业的分词（以空格分隔），保存时写入，供技术需求的专家推荐使用；"
        "NULL 表示尚未分词（按原文即时分词）。",
    )

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


# ---------------------------------------------------------------------------------------------- talent pool


class TalentCategory(models.Model):
    """A category of the talent pool (人才类别: 拔尖人才, 乡土人才, 三区科技人才, 引进人才, 青年人才…), kept as
    data so a bureau adds its own. Disabled, never deleted (house rule 6)."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("类别名称", max_length=40, unique=True)
    description = models.CharField("说明", max_length=300, blank=True)
    order = models.PositiveIntegerField("排序", default=100)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "人才类别"
        verbose_name_plural = "人才类别"
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class TalentMembership(DomainModel):
    """A person's membership of one talent category (入库): the year, the document that granted it
    (文号 and an optional scanned copy), and the selection round it came from, if any. A person may belong
    to several categories; one active membership per person and category. ``region`` is the person's."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships", verbose_name="人员")
    category = models.ForeignKey(
        TalentCategory, on_delete=models.PROTECT, related_name="memberships", verbose_name="人才类别"
    )
    year = models.PositiveIntegerField("入选年度")
    document_no = models.CharField("文件文号", max_length=80, blank=True)
    attachment = models.ForeignKey(
        "core.Attachment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="文件"
    )
    selection_round = models.ForeignKey(
        "people.SelectionRound",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name="评选批次",
    )
    notes = models.CharField("备注", max_length=300, blank=True)

    class Meta:
        verbose_name = "人才入库"
        verbose_name_plural = "人才入库"
        ordering = ["-year", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "category"],
                condition=models.Q(is_archived=False),
                name="talent_membership_active_unique",
            )
        ]

    def __str__(self) -> str:
        return "%s · %s（%s）" % (self.person.name, self.category.name, self.year)


class Honour(DomainModel):
    """An honour or selection (荣誉与入选): title, level, year, awarding body and document."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="honours", verbose_name="人员")
    title = models.CharField("荣誉名称", max_length=120)
    level = models.CharField("级别", max_length=16, choices=HonourLevel.choices, default=HonourLevel.COUNTY)
    year = models.PositiveIntegerField("年度")
    issuer = models.CharField("授予单位", max_length=80, blank=True)
    document_no = models.CharField("文件文号", max_length=80, blank=True)
    attachment = models.ForeignKey(
        "core.Attachment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="文件"
    )

    class Meta:
        verbose_name = "荣誉与入选"
        verbose_name_plural = "荣誉与入选"
        ordering = ["-year", "pk"]

    def __str__(self) -> str:
        return "%s（%s）" % (self.title, self.year)


class TrainingRecord(DomainModel):
    """A continuing-education or training record (继续教育与培训) not held by the outreach module (courses
    elsewhere, degrees in progress). Trainings the bureau ran itself come from the outreach module's
    attendance and are not re-entered here."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="trainings", verbose_name="人员")
    title = models.CharField("培训名称", max_length=120)
    organizer = models.CharField("主办单位", max_length=80, blank=True)
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期", null=True, blank=True)
    hours = models.DecimalField("学时", max_digits=6, decimal_places=1, null=True, blank=True)
    certificate_no = models.CharField("证书编号", max_length=60, blank=True)

    class Meta:
        verbose_name = "继续教育与培训"
        verbose_name_plural = "继续教育与培训"
        ordering = ["-start_date", "pk"]

    def __str__(self) -> str:
        return self.title


class SelectionRound(DomainModel):
    """A selection round (人才评选批次, e.g. 2026 年度拔尖人才评选): nominations are collected, reviewed by
    experts (review module) or scored by hand, decided, published for a period with objections, and the
    selected persons then join ``category``. Status follows :data:`kejiju.people.workflows.ROUND_FLOW`."""

    title = models.CharField("评选名称", max_length=120)
    category = models.ForeignKey(
        TalentCategory, on_delete=models.PROTECT, related_name="rounds", verbose_name="人才类别"
    )
    year = models.PositiveIntegerField("年度")
    quota = models.PositiveIntegerField("拟选名额", null=True, blank=True)
    nomination_deadline = models.DateField("推荐截止日期", null=True, blank=True)
    rules = models.TextField("评选条件", blank=True)
    status = models.CharField("状态", max_length=20, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    decision_document_no = models.CharField("认定文件文号", max_length=80, blank=True)
    publicity_start = models.DateField("公示开始", null=True, blank=True)
    publicity_end = models.DateField("公示结束", null=True, blank=True)
    publicity_contact = models.CharField("异议受理电话", max_length=60, blank=True)

    class Meta:
        verbose_name = "人才评选"
        verbose_name_plural = "人才评选"
        ordering = ["-year", "-pk"]

    def __str__(self) -> str:
        return self.title


class SelectionRoundTransition(models.Model):
    """One status change of a selection round (house rule 4)."""

    selection_round = models.ForeignKey(
        SelectionRound, on_delete=models.CASCADE, related_name="transitions", verbose_name="评选批次"
    )
    locals().update(transition_fields("people.SelectionRound"))

    class Meta:
        verbose_name = "评选状态变更"
        verbose_name_plural = "评选状态变更"
        ordering = ["at", "pk"]


class Nomination(DomainModel):
    """A person nominated in a round (推荐人选): who nominated (unit), the achievements, the review score
    (from the review module, with the batch's rank, or entered by hand) and the decision."""

    selection_round = models.ForeignKey(
        SelectionRound, on_delete=models.PROTECT, related_name="nominations", verbose_name="评选批次"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="nominations", verbose_name="人员")
    nominator = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="推荐单位",
    )
    achievements = models.TextField("主要业绩", blank=True)
    score = models.DecimalField("评审得分", max_digits=6, decimal_places=2, null=True, blank=True)
    reviewers = models.PositiveIntegerField("评审专家数", default=0)
    review_rank = models.PositiveIntegerField(
        "评审排名",
        null=True,
        blank=True,
        help_text="专家评审批次汇总后的排名（并列同名次）；手工录入得分时清空。",
    )
    review_opinion = models.TextField("评审意见", blank=True)
    result = models.CharField("评选结果", max_length=16, choices=NominationResult.choices, default="pending")
    result_reason = models.CharField("结果说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "推荐人选"
        verbose_name_plural = "推荐人选"
        ordering = ["selection_round", "-score", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["selection_round", "person"],
                condition=models.Q(is_archived=False),
                name="nomination_unique_person",
            )
        ]

    def __str__(self) -> str:
        return "%s · %s" % (self.person.name, self.selection_round.title)


class Objection(DomainModel):
    """An objection received during publicity (公示异议): who raised it (may be anonymous to the public,
    never to the bureau), against which nominee, and how it was handled."""

    selection_round = models.ForeignKey(
        SelectionRound, on_delete=models.PROTECT, related_name="objections", verbose_name="评选批次"
    )
    nomination = models.ForeignKey(
        Nomination, on_delete=models.PROTECT, null=True, blank=True, related_name="objections", verbose_name="异议对象"
    )
    submitter_name = models.CharField("异议人", max_length=40)
    submitter_phone = models.CharField("联系电话", max_length=40)
    content = models.TextField("异议内容")
    status = models.CharField("处理状态", max_length=16, choices=ObjectionStatus.choices, default="open")
    handling = models.TextField("处理意见", blank=True)
    handled_at = models.DateTimeField("处理时间", null=True, blank=True)

    class Meta:
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return "%s 的异议" % self.submitter_name
