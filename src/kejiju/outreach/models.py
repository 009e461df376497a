"""S&T commissioners (科技特派员, 科技副乡镇长, 三区科技人才…) with their assignments, service diary and yearly
assessment; trainings and 科普 activities with plan and actual."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models

from kejiju.core.models import DomainModel
from kejiju.core.workflow import transition_fields
from kejiju.outreach.choices import ActivityStatus, HolderType, KindGroup


class OutreachKind(models.Model):
    """A configurable kind: of commissioner (科技特派员, 科技副乡镇长…) or of activity (培训班, 科技活动周…).
    Code tables are disabled, never deleted. ``is_training`` marks activity kinds counted as trainings."""

    group = models.CharField("分组", max_length=20, choices=KindGroup.choices)
    code = models.SlugField("代码", max_length=30)
    name = models.CharField("名称", max_length=40)
    is_training = models.BooleanField("计入培训", default=False)
    sort = models.PositiveIntegerField("排序", default=100)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "特派员与活动类别"
        verbose_name_plural = "特派员与活动类别"
        ordering = ["group", "sort", "code"]
        constraints = [models.UniqueConstraint(fields=["group", "code"], name="outreach_kind_unique")]

    def __str__(self) -> str:
        return self.name


class AssessmentTemplate(DomainModel):
    """A yearly assessment form: items with weights summing to 100 and grade bands (lowest total per
    grade). Each item is scored 0–100; the total is Σ score × weight / 100."""

    name = models.CharField("模板名称", max_length=100)
    year = models.PositiveIntegerField("适用年度", null=True, blank=True)
    items = models.JSONField("考核项目", default=list, help_text='[{"name": "服务时长", "weight": 30}, …]')
    grade_bands = models.JSONField("等次划分", default=list, help_text='[{"grade": "优秀", "min": 90}, …]')

    class Meta:
        verbose_name = "考核模板"
        verbose_name_plural = "考核模板"
        ordering = ["-year", "name"]

    def __str__(self) -> str:
        return self.name


class Commissioner(DomainModel):
    """One selection of a commissioner: an individual (``person``) or a legal person (``organization``),
    of a kind, selected in a year by the bureau of ``region``. ``user`` is the account they log service with."""

    kind = models.ForeignKey(OutreachKind, on_delete=models.PROTECT, related_name="+", verbose_name="类别")
    holder_type = models.CharField("类型", max_length=12, choices=HolderType.choices, default=HolderType.INDIVIDUAL)
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="人员"
    )
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="法人单位"
    )
    selection_year = models.PositiveIntegerField("选派年度")
    expertise = models.CharField("服务领域", max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="commissioner_records",
        verbose_name="登录账号",
    )
    notes = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = "科技特派员"
        verbose_name_plural = "科技特派员"
        ordering = ["-selection_year", "id"]
        permissions = [("assess_commissioner", "可以考核科技特派员")]
        indexes = [models.Index(fields=["region", "selection_year"], name="comm_region_year")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.holder_type == HolderType.LEGAL and self.organization is not None:
            return self.organization.name
        return self.person.name if self.person is not None else "—"


class Assignment(DomainModel):
    """Where a commissioner serves: a town or village (``target_region``) or a cooperative / enterprise
    (``target_organization``), for a period, under a service agreement (attachment) with targets
    (``[{"indicator": "推广新品种", "number": 3}]``). ``region`` is the place served."""

    SCOPE_FIELDS: ClassVar[tuple[str, ...]] = ("region",)

    commissioner = models.ForeignKey(
        Commissioner, on_delete=models.PROTECT, related_name="assignments", verbose_name="特派员"
    )
    target_region = models.ForeignKey(
        "core.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="服务乡镇/村"
    )
    target_organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="服务单位"
    )
    start_on = models.DateField("服务开始")
    end_on = models.DateField("服务结束", null=True, blank=True)
    agreement = models.ForeignKey(
        "core.Attachment", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="服务协议"
    )
    targets = models.JSONField("服务目标", default=list, blank=True)

    class Meta:
        verbose_name = "服务对象"
        verbose_name_plural = "服务对象"
        ordering = ["-start_on", "id"]

    def __str__(self) -> str:
        return self.target_label

    @property
    def target_label(self) -> str:
        if self.target_organization is not None:
            return self.target_organization.name
        return self.target_region.name if self.target_region is not None else "—"


class ServiceDiary(DomainModel):
    """One service given (服务日志): date, place (a region within an assignment), who was served, what
    was done, hours; photos are attachments; ``request_refs`` link service-line requests
    (``"service.request:12"``), ``activity`` a training given."""

    commissioner = models.ForeignKey(
        Commissioner, on_delete=models.PROTECT, related_name="diaries", verbose_name="特派员"
    )
    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="diaries", verbose_name="服务对象"
    )
    served_on = models.DateField("服务日期", db_index=True)
    place = models.CharField("服务地点", max_length=100, blank=True)
    served = models.CharField("服务对象（人员/单位）", max_length=100)
    content = models.TextField("服务内容")
    hours = models.DecimalField("服务时长（小时）", max_digits=4, decimal_places=1)
    request_refs = models.JSONField("关联服务热线工单", default=list, blank=True)
    activity = models.ForeignKey(
        "outreach.Activity", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="关联活动"
    )

    class Meta:
        verbose_name = "服务日志"
        verbose_name_plural = "服务日志"
        ordering = ["-served_on", "-id"]
        indexes = [models.Index(fields=["commissioner", "served_on"], name="diary_comm_date")]

    def __str__(self) -> str:
        return "%s %s" % (self.served_on, self.served)


class Assessment(DomainModel):
    """A commissioner's yearly assessment by a template: the items as scored (a copy, so a later change of
    the template does not rewrite history), the weighted total and the grade."""

    commissioner = models.ForeignKey(
        Commissioner, on_delete=models.PROTECT, related_name="assessments", verbose_name="特派员"
    )
    year = models.PositiveIntegerField("考核年度")
    template = models.ForeignKey(AssessmentTemplate, on_delete=models.PROTECT, related_name="+", verbose_name="模板")
    scores = models.JSONField("各项得分", default=list)
    total = models.DecimalField("总分", max_digits=5, decimal_places=2)
    grade = models.CharField("等次", max_length=20)
    comment = models.TextField("考核意见", blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, verbose_name="考核人"
    )

    class Meta:
        verbose_name = "年度考核"
        verbose_name_plural = "年度考核"
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["commissioner", "year"], name="assessment_unique_year")]

    def __str__(self) -> str:
        return "%s 年 %s" % (self.year, self.grade)


class Activity(DomainModel):
    """A training or 科普 activity: planned (dates, topic, organizer, trainers), then held (actual dates,
    attendance in 人次, materials in 份, cost, photos and sign-in sheets) or cancelled. ``region`` is the
    town (or county) where it takes place."""

    kind = models.ForeignKey(OutreachKind, on_delete=models.PROTECT, related_name="+", verbose_name="活动类型")
    title = models.CharField("活动名称", max_length=120)
    topic = models.CharField("主题", max_length=200, blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED, db_index=True
    )
    organizer_organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="主办单位"
    )
    organizer_department = models.ForeignKey(
        "core.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="主办科室"
    )
    venue = models.CharField("地点", max_length=100, blank=True)
    planned_start = models.DateField("计划开始", db_index=True)
    planned_end = models.DateField("计划结束")
    planned_attendance = models.PositiveIntegerField("计划人次", null=True, blank=True)
    start_on = models.DateField("实际开始", null=True, blank=True, db_index=True)
    end_on = models.DateField("实际结束", null=True, blank=True)
    attendance = models.PositiveIntegerField("参加人次", null=True, blank=True)
    materials = models.PositiveIntegerField("发放资料（份）", null=True, blank=True)
    cost = models.DecimalField("经费（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    summary = models.TextField("活动情况", blank=True)
    trainers = models.ManyToManyField("people.Person", blank=True, related_name="+", verbose_name="授课专家")
    commissioners = models.ManyToManyField(
        Commissioner, blank=True, related_name="activities", verbose_name="参与特派员"
    )
    attendees = models.ManyToManyField(
        "people.Person", blank=True, related_name="+", verbose_name="参训人员", through="ActivityAttendee"
    )

    class Meta:
        verbose_name = "培训与科普活动"
        verbose_name_plural = "培训与科普活动"
        ordering = ["-planned_start", "-id"]
        indexes = [
            models.Index(fields=["region", "status", "start_on"], name="activity_region_held"),
            models.Index(fields=["region", "planned_start"], name="activity_region_plan"),
        ]

    def __str__(self) -> str:
        return self.title


class ActivityAttendee(models.Model):
    """One person on an activity's attendee list (so a talent's training record can be linked)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attendee_rows")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "参训人员"
        verbose_name_plural = "参训人员"
        constraints = [models.UniqueConstraint(fields=["activity", "person"], name="activity_attendee_unique")]


class ActivityTransition(models.Model):
    """A status change of an activity (planned → held / cancelled)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="transitions")
    locals().update(transition_fields("outreach.Activity"))

    class Meta:
        verbose_name = "活动状态变更"
        verbose_name_plural = "活动状态变更"
        ordering = ["at", "id"]
