"""Statistics: the indicator catalogue, entered figures, yearly targets, frozen values with provenance,
table layouts, paragraph templates and year-end work reports (工作总结)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from kejiju.core.history import history_user_getter
from kejiju.core.models import DomainModel
from kejiju.core.workflow import transition_fields
from kejiju.stats.choices import IndicatorSource, PeriodType, ReportStatus


class IndicatorDefinition(models.Model):
    """One line of the indicator catalogue (指标目录). Computed indicators are synced from the registry
    (``kejiju.core.indicators``) — their name, definition and unit follow the code that computes them;
    entered indicators are defined by staff. Never deleted: an indicator no longer registered or no longer
    wanted is made inactive (停用), so old figures keep their meaning."""

    code = models.CharField("指标代码", max_length=80, unique=True)
    name = models.CharField("指标名称", max_length=100)
    definition = models.TextField("统计口径", blank=True)
    unit = models.CharField("计量单位", max_length=20, blank=True)
    period_type = models.CharField("统计周期", max_length=10, choices=PeriodType.choices, default=PeriodType.YEAR)
    source = models.CharField("来源", max_length=10, choices=IndicatorSource.choices)
    additive = models.BooleanField("可加总", default=True, help_text="上级区划的数值应等于下级区划之和（计数、金额）。")
    decimals = models.PositiveSmallIntegerField("小数位数", default=0)
    area = models.CharField("业务领域", max_length=20, db_index=True)
    order = models.PositiveIntegerField("排序", default=100)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords(get_user=history_user_getter, user_model="core.User")

    class Meta:
        verbose_name = "统计指标"
        verbose_name_plural = "统计指标"
        ordering = ["area", "order", "code"]
        permissions = [("view_dashboard", "可以查看统计看板")]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class EnteredValue(DomainModel):
    """A figure from another agency (R&D 投入占比, 专利授权量 …) entered for a region and period, with the
    source document attached and who entered it. One value per indicator, region and period; corrections
    keep the field history."""

    indicator = models.ForeignKey(
        IndicatorDefinition, on_delete=models.PROTECT, related_name="entered_values", verbose_name="指标"
    )
    period = models.CharField("统计期", max_length=8, help_text="2026、2026H1 或 2026Q3。")
    value = models.DecimalField("数值", max_digits=20, decimal_places=4)
    source_document = models.ForeignKey(
        "core.Attachment", on_delete=models.PROTECT, related_name="+", verbose_name="来源文件"
    )
    source_note = models.CharField("来源说明", max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="录入人"
    )

    class Meta:
        verbose_name = "录入数值"
        verbose_name_plural = "录入数值"
        ordering = ["-period", "indicator__order"]
        constraints = [models.UniqueConstraint(fields=["indicator", "region", "period"], name="stats_entered_unique")]

    def __str__(self) -> str:
        return f"{self.indicator.name} {self.period} {self.value}"


class Target(DomainModel):
    """The year's target (年度目标) of an indicator for a region, entered by staff."""

    indicator = models.ForeignKey(
        IndicatorDefinition, on_delete=models.PROTECT, related_name="targets", verbose_name="指标"
    )
    year = models.PositiveSmallIntegerField("年度")
    value = models.DecimalField("目标值", max_digits=20, decimal_places=4)

    class Meta:
        verbose_name = "年度目标"
        verbose_name_plural = "年度目标"
        ordering = ["-year", "indicator__area", "indicator__order"]
        constraints = [models.UniqueConstraint(fields=["indicator", "region", "year"], name="stats_target_unique")]

    def __str__(self) -> str:
        return f"{self.indicator.name} {self.year} {self.value}"


class TableLayout(DomainModel):
    """An upward statistical table (上报统计表): rows of indicators × columns of regions/periods, as JSON
    (validated by ``kejiju.stats.services.clean_layout``), filled from the indicators and exported."""

    name = models.CharField("表名", max_length=100)
    layout = models.JSONField("表样", default=dict)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "统计表样"
        verbose_name_plural = "统计表样"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ParagraphTemplate(DomainModel):
    """A paragraph of the work report's 主要工作及成效, as data: text with ``{indicator_code}`` placeholders
    and modifiers (``{code|yoy}``, ``{code|unit}``…, see ``kejiju.stats.textfill``). A template applies to its
    region and every region below it; one area's templates are used in ``order``."""

    area = models.CharField("业务领域", max_length=20, db_index=True)
    order = models.PositiveIntegerField("排序", default=100)
    text = models.TextField("段落模板")
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "段落模板"
        verbose_name_plural = "段落模板"
        ordering = ["area", "order", "pk"]

    def __str__(self) -> str:
        return self.text[:40]


class WorkReport(DomainModel):
    """A year-end or half-year work report (工作总结) of a region. Figures are live until frozen (定稿);
    freezing stores every figure's value, record count and record ids (:class:`IndicatorValue`) and the text
    as built, so a frozen report regenerates identically."""

    period = models.CharField("统计期", max_length=8)
    title = models.CharField("标题", max_length=200)
    issuer = models.CharField("发文机关", max_length=100)
    addressee = models.CharField("主送机关", max_length=200, blank=True)
    intro = models.TextField("开头语", blank=True)
    problems = models.TextField("存在的问题", blank=True)
    plans = models.TextField("下一年工作打算", blank=True)
    status = models.CharField("状态", max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    frozen_at = models.DateTimeField("定稿时间", null=True, blank=True)
    frozen_payload = models.JSONField("定稿内容", null=True, blank=True, editable=False)
    document = models.ForeignKey(
        "reports.OfficialDocument",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="最近生成的公文",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="起草人"
    )

    class Meta:
        verbose_name = "工作总结"
        verbose_name_plural = "工作总结"
        ordering = ["-period", "region"]
        permissions = [("freeze_workreport", "可以定稿工作总结")]

    def __str__(self) -> str:
        return self.title


class WorkReportTransition(models.Model):
    """A status change of a work report (定稿, 撤销定稿)."""

    report = models.ForeignKey(WorkReport, on_delete=models.CASCADE, related_name="transitions")
    locals().update(transition_fields("stats.WorkReport"))

    class Meta:
        verbose_name = "工作总结状态变更"
        verbose_name_plural = "工作总结状态变更"
        ordering = ["at", "pk"]


class IndicatorValue(models.Model):
    """A frozen figure (快照): value, record count, the ids of the records behind it, the query and when it
    was computed. Written when a work report is frozen (``report`` set) or a snapshot is taken."""

    indicator = models.ForeignKey(
        IndicatorDefinition, on_delete=models.PROTECT, related_name="snapshots", verbose_name="指标"
    )
    region = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+", verbose_name="区划")
    period = models.CharField("统计期", max_length=8)
    value = models.DecimalField("数值", null=True, blank=True, max_digits=20, decimal_places=4)
    record_count = models.PositiveIntegerField("记录数", null=True, blank=True)
    record_ids = models.JSONField("记录编号", default=list, blank=True)
    query = models.TextField("查询", blank=True)
    computed_at = models.DateTimeField("计算时间")
    report = models.ForeignKey(
        WorkReport, on_delete=models.CASCADE, null=True, blank=True, related_name="values", verbose_name="工作总结"
    )

    class Meta:
        verbose_name = "指标数值快照"
        verbose_name_plural = "指标数值快照"
        ordering = ["indicator__area", "indicator__order", "period"]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.region_id} {self.period} {self.value}"
