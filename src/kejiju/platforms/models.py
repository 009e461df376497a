"""Innovation platforms (创新平台 / 载体): the registry, yearly reports, yearly evaluations and status."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from kejiju.core.history import history_user_getter
from kejiju.core.models import DomainModel
from kejiju.core.workflow import transition_fields
from kejiju.platforms.choices import PlatformLevel, PlatformStatus


class PlatformKind(models.Model):
    """A kind of platform (星创天地, 众创空间 …): a configurable code table, disabled, never deleted."""

    code = models.CharField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=60)
    order = models.PositiveSmallIntegerField("排序", default=100)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "平台类型"
        verbose_name_plural = "平台类型"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Platform(DomainModel):
    """An innovation platform recognised at a level, hosted by an organization (依托单位)."""

    name = models.CharField("平台名称", max_length=200, db_index=True)
    kind = models.ForeignKey(PlatformKind, on_delete=models.PROTECT, related_name="platforms", verbose_name="类型")
    level = models.CharField("级别", max_length=12, choices=PlatformLevel.choices)
    host = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="platforms", verbose_name="依托单位"
    )
    recognition_doc = models.CharField("认定文件（文号）", max_length=100, blank=True)
    recognised_on = models.DateField("认定日期")
    area = models.DecimalField("场地面积（㎡）", max_digits=12, decimal_places=2, null=True, blank=True)
    staff = models.PositiveIntegerField("服务人员数", null=True, blank=True)
    services = models.TextField("服务内容", blank=True)
    contact_person = models.CharField("联系人", max_length=40, blank=True)
    contact_phone = models.CharField("联系电话", max_length=40, blank=True)
    status = models.CharField("状态", max_length=10, choices=PlatformStatus.choices, default=PlatformStatus.GOOD)

    class Meta:
        verbose_name = "创新平台"
        verbose_name_plural = "创新平台"
        ordering = ["name"]
        indexes = [models.Index(fields=["level", "recognised_on"], name="platform_level_date")]
        constraints = [models.UniqueConstraint(fields=["kind", "level", "name"], name="platform_unique_name")]
        permissions = [("evaluate_platform", "可以评价创新平台"), ("manage_platformkind", "可以维护平台类型")]

    def __str__(self) -> str:
        return self.name


class PlatformStatusChange(models.Model):
    """A status change of a platform (正常 / 预警 / 已撤销) with who, when and why."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="transitions")
    locals().update(transition_fields("platforms.Platform"))

    class Meta:
        ordering = ["at", "pk"]


class PlatformReport(models.Model):
    """A platform's yearly report (年度报告): incubated enterprises, graduates, events, revenue, jobs."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="reports", verbose_name="平台")
    year = models.PositiveSmallIntegerField("年度")
    incubated = models.PositiveIntegerField("在孵（服务）企业数", default=0)
    graduates = models.PositiveIntegerField("毕业企业数", default=0)
    events = models.PositiveIntegerField("举办活动数", default=0)
    revenue = models.DecimalField("总收入（元）", max_digits=14, decimal_places=2, default=0)
    jobs = models.PositiveIntegerField("带动就业人数", default=0)
    summary = models.TextField("年度工作总结", blank=True)
    submitted_at = models.DateTimeField("提交时间", auto_now=True)
    history = HistoricalRecords(get_user=history_user_getter, user_model="core.User")

    class Meta:
        verbose_name = "平台年度报告"
        verbose_name_plural = "平台年度报告"
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["platform", "year"], name="platform_report_year")]

    def __str__(self) -> str:
        return "%s %s年度报告" % (self.platform, self.year)


class IndicatorTemplate(models.Model):
    """A configurable evaluation template: items ``[{"key", "name", "weight"}]``, weights summing to 100.
    Each item is scored 0–100; the total is Σ score × weight ÷ 100."""

    name = models.CharField("模板名称", max_length=100, unique=True)
    items = models.JSONField("评价指标", default=list)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "评价指标模板"
        verbose_name_plural = "评价指标模板"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PlatformEvaluation(models.Model):
    """A platform's yearly evaluation scored by a template: item scores, total and grade."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="evaluations", verbose_name="平台")
    year = models.PositiveSmallIntegerField("年度")
    template = models.ForeignKey(IndicatorTemplate, on_delete=models.PROTECT, related_name="+", verbose_name="模板")
    scores = models.JSONField("分项得分", default=dict)
    total = models.DecimalField("总分", max_digits=6, decimal_places=2)
    grade = models.CharField("等次", max_length=10)
    comment = models.TextField("评价意见", blank=True)
    evaluated_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="评价人"
    )
    evaluated_at = models.DateTimeField("评价时间", auto_now=True)
    history = HistoricalRecords(get_user=history_user_getter, user_model="core.User")

    class Meta:
        verbose_name = "平台年度评价"
        verbose_name_plural = "平台年度评价"
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["platform", "year"], name="platform_evaluation_year")]

    def __str__(self) -> str:
        return "%s %s年度评价" % (self.platform, self.year)
