"""Target-responsibility assessment (目标责任制考核): a bureau's yearly scheme with its scoring template,
the targets it gives each town or department (目标任务书), their self-assessment with evidence, the
assessors' scores, the computed results, and appeals."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from kejiju.assessment.choices import AppealStatus, AssesseeKind, SchemeStatus, TargetStatus
from kejiju.core.models import DomainModel


class AssessmentScheme(DomainModel):
    """考核方案: one year's assessment of the towns (or departments) below the bureau of ``region``.

    ``template`` is the scoring template in the JSON form of :mod:`kejiju.engines.assessment` (validated
    when saved: weights add up to 100, bands descend …); it is frozen once the scheme is issued.
    Status 草稿 → 已下达 → 考核评分中 → 已公布 (graph in ``choices.SCHEME_FLOW``)."""

    name = models.CharField("方案名称", max_length=120)
    year = models.PositiveSmallIntegerField("考核年度", db_index=True)
    assessee_kind = models.CharField("考核对象", max_length=12, choices=AssesseeKind.choices, default=AssesseeKind.TOWN)
    template = models.JSONField("考核细则", default=dict)
    self_assessment_due = models.DateTimeField("自评截止时间")
    status = models.CharField("状态", max_length=12, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT)
    assessors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="assessment_schemes", verbose_name="考核人员"
    )
    notes = models.TextField("说明", blank=True)
    computed_at = models.DateTimeField("最近计算时间", null=True, blank=True)
    midyear_threshold = models.DecimalField(
        "年中滞后阈值（%）",
        max_digits=4,
        decimal_places=1,
        default=Decimal("50.0"),
        help_text="年中累计完成值低于目标值的该百分比时，该指标标为“滞后”；考核结果公布前可修改。",
    )
    published_at = models.DateTimeField("公布时间", null=True, blank=True)

    class Meta:
        verbose_name = "考核方案"
        verbose_name_plural = "考核方案"
        ordering = ["-year", "-pk"]
        permissions = [("score_assessment", "可以参与考核评分")]

    def __str__(self) -> str:
        return self.name


class AssessmentTarget(DomainModel):
    """目标任务书 of one assessee (its ``region`` is the town, or the bureau's region for a department):
    the targets per quantitative item, the assessee's self-assessment (actual values, occurrences,
    notes, evidence as attachments owned by this record), and the computed result."""

    SCOPE_FIELDS: ClassVar[tuple[str, ...]] = ("region",)

    scheme = models.ForeignKey(
        AssessmentScheme, on_delete=models.PROTECT, related_name="targets", verbose_name="考核方案"
    )
    assessee_name = models.CharField("被考核单位", max_length=120)
    department = models.ForeignKey(
        "core.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="被考核部门"
    )
    targets = models.JSONField("目标值", default=dict, blank=True, help_text="{指标代码: 目标值}")
    self_values = models.JSONField(
        "自评", default=dict, blank=True, help_text="{指标代码: {actual, count, triggered, note}}"
    )
    self_submitted_at = models.DateTimeField("自评提交时间", null=True, blank=True)
    status = models.CharField("状态", max_length=12, choices=TargetStatus.choices, default=TargetStatus.ISSUED)
    total = models.DecimalField("总分", max_digits=7, decimal_places=2, null=True, blank=True)
    grade = models.CharField("等次", max_length=20, blank=True)
    rank = models.PositiveIntegerField("排名", null=True, blank=True)
    result = models.JSONField("得分明细", default=dict, blank=True)
    adjustment = models.DecimalField(
        "申诉调整分", max_digits=7, decimal_places=2, default=0, help_text="经申诉核实后的加减分，计入总分。"
    )
    document = models.ForeignKey(
        "reports.OfficialDocument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="目标任务书",
    )

    class Meta:
        verbose_name = "目标任务书"
        verbose_name_plural = "目标任务书"
        ordering = ["scheme", "rank", "region_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "region"],
                condition=models.Q(department__isnull=True),
                name="assessment_target_town_once",
            ),
            models.UniqueConstraint(
                fields=["scheme", "department"],
                condition=models.Q(department__isnull=False),
                name="assessment_target_department_once",
            ),
        ]

    def __str__(self) -> str:
        return "%s · %s" % (self.scheme.name, self.assessee_name)


class MidyearProgress(DomainModel):
    """年中进度: an assessee's mid-year report on its 目标任务书 (around June–July): per quantitative item the
    value reached so far (累计完成) with a note (进展情况), per qualitative item a progress text; evidence as
    attachments owned by this record (purpose ``年中进度佐证:<code>``). One row per target: a new report
    replaces ``values``, the field history keeps every earlier report. Never read by the year-end scoring."""

    SCOPE_FIELDS: ClassVar[tuple[str, ...]] = ("region",)

    target = models.OneToOneField(
        AssessmentTarget, on_delete=models.PROTECT, related_name="midyear", verbose_name="目标任务书"
    )
    values = models.JSONField(
        "年中进度", default=dict, blank=True, help_text="{指标代码: {value, note}}（定量）或 {note}（定性）"
    )
    reported_at = models.DateTimeField("报送时间", default=timezone.now)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="报送人",
    )

    class Meta:
        verbose_name = "年中进度"
        verbose_name_plural = "年中进度"
        ordering = ["target"]

    def __str__(self) -> str:
        return "年中进度 · %s" % self.target_id


class AssessorScore(models.Model):
    """One assessor's scores of one target's qualitative items (and bonus points given), with comments.
    Submitted scores are locked."""

    target = models.ForeignKey(
        AssessmentTarget, on_delete=models.PROTECT, related_name="scores", verbose_name="目标任务书"
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="考核人员"
    )
    scores = models.JSONField("评分", default=dict, help_text="{指标代码: 分数}")
    comments = models.TextField("评价意见", blank=True)
    submitted_at = models.DateTimeField("提交时间", default=timezone.now)

    class Meta:
        verbose_name = "考核评分"
        verbose_name_plural = "考核评分"
        constraints = [models.UniqueConstraint(fields=["target", "assessor"], name="assessment_score_once")]

    def __str__(self) -> str:
        return "%s ← %s" % (self.target_id, self.assessor_id)


class AssessmentAppeal(models.Model):
    """申诉: an assessee disputes a published result; the bureau accepts (with an adjustment in points and
    its reason, recomputing grade and rank) or rejects it."""

    target = models.ForeignKey(
        AssessmentTarget, on_delete=models.PROTECT, related_name="appeals", verbose_name="目标任务书"
    )
    reason = models.TextField("申诉理由")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="申诉人"
    )
    filed_at = models.DateTimeField("申诉时间", default=timezone.now)
    status = models.CharField("状态", max_length=12, choices=AppealStatus.choices, default=AppealStatus.OPEN)
    decision = models.TextField("处理意见", blank=True)
    adjustment = models.DecimalField("调整分", max_digits=7, decimal_places=2, default=0)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="处理人",
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)

    class Meta:
        verbose_name = "考核申诉"
        verbose_name_plural = "考核申诉"
        ordering = ["-filed_at"]

    def __str__(self) -> str:
        return "申诉 %s" % self.pk


class SchemeTransition(models.Model):
    """One status change of a scheme (house rule 4)."""

    scheme = models.ForeignKey(AssessmentScheme, on_delete=models.PROTECT, related_name="transitions")
    from_status = models.CharField("原状态", max_length=30)
    to_status = models.CharField("新状态", max_length=30)
    action = models.CharField("操作", max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField("说明", blank=True)
    extra = models.JSONField("附加信息", default=dict, blank=True)
    at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    class Meta:
        ordering = ["at", "pk"]


class TargetTransition(models.Model):
    """One status change of a target (house rule 4)."""

    target = models.ForeignKey(AssessmentTarget, on_delete=models.PROTECT, related_name="transitions")
    from_status = models.CharField("原状态", max_length=30)
    to_status = models.CharField("新状态", max_length=30)
    action = models.CharField("操作", max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField("说明", blank=True)
    extra = models.JSONField("附加信息", default=dict, blank=True)
    at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    class Meta:
        ordering = ["at", "pk"]


class ProgressDossier(DomainModel):
    """科技进步考核申报材料: the bureau's own upward assessment (by the prefecture, or 全国科技进步县) for a
    region and year. ``indicators`` is the indicator set (e.g. 11 qualitative + 31 quantitative), each
    ``{code, name, kind: qualitative|quantitative, unit, standard, indicator, lower_is_better}``;
    quantitative ones with an ``indicator`` are filled from the platform's records with provenance,
    others are entered with evidence (attachments owned by the dossier, purpose ``佐证材料:<code>``)."""

    name = models.CharField("名称", max_length=120)
    year = models.PositiveSmallIntegerField("考核年度")
    indicators = models.JSONField("指标体系", default=list)
    values = models.JSONField(
        "指标值",
        default=dict,
        blank=True,
        help_text="{指标代码: {value, source: computed|entered, records, computed_at, note}}",
    )

    class Meta:
        verbose_name = "科技进步考核申报材料"
        verbose_name_plural = "科技进步考核申报材料"
        ordering = ["-year", "-pk"]

    def __str__(self) -> str:
        return self.name
