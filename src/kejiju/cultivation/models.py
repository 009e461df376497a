"""Enterprise cultivation (企业培育): the pipeline (培育库) from 科技型中小企业 to 高企, R&D reserve filings
(研发准备金备案) and subsidies (奖补) as versioned policy data."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from kejiju.core.history import history_user_getter
from kejiju.core.models import DomainModel
from kejiju.core.workflow import transition_fields
from kejiju.cultivation.choices import AwardStatus, FilingStatus, FormulaKind, Stage


class PipelineEntry(DomainModel):
    """One enterprise in the cultivation pipeline for one year (培育库): its 科技型中小企业 self-evaluation,
    入库 number, the 高企 gap analysis (engine result with its rule version), the application and the
    certificate (3 years). ``region`` is the enterprise's region."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="pipeline_entries", verbose_name="企业"
    )
    year = models.PositiveSmallIntegerField("年度")
    stage = models.CharField("阶段", max_length=20, choices=Stage.choices, default=Stage.SELF_EVALUATED)
    tech_sme_input = models.JSONField("科小自评数据", default=dict, blank=True)
    tech_sme_result = models.JSONField("科小评价结果", default=dict, blank=True)
    tech_sme_rule_version = models.CharField("科小规则版本", max_length=20, blank=True)
    tech_sme_passed = models.BooleanField("科小评价通过", default=False)
    tech_sme_score = models.PositiveSmallIntegerField("科小评价得分", default=0)
    tech_sme_number = models.CharField("科小入库登记编号", max_length=40, blank=True, db_index=True)
    registered_on = models.DateField("入库日期", null=True, blank=True)
    hnte_input = models.JSONField("高企测算数据", default=dict, blank=True)
    hnte_result = models.JSONField("高企差距分析", default=dict, blank=True)
    hnte_rule_version = models.CharField("高企规则版本", max_length=20, blank=True)
    hnte_gaps = models.JSONField("差距项", default=list, blank=True)
    gap_count = models.PositiveSmallIntegerField("未达标条件数", null=True, blank=True)
    innovation_min = models.PositiveSmallIntegerField("创新能力最低分", null=True, blank=True)
    innovation_max = models.PositiveSmallIntegerField("创新能力最高分", null=True, blank=True)
    applied_on = models.DateField("申报日期", null=True, blank=True)
    certificate_no = models.CharField("高企证书编号", max_length=40, blank=True)
    recognised_on = models.DateField("认定（发证）日期", null=True, blank=True)
    expires_on = models.DateField("有效期至", null=True, blank=True)
    qualification_id = models.PositiveBigIntegerField("资质记录", null=True, blank=True, editable=False)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "培育库企业"
        verbose_name_plural = "培育库企业"
        ordering = ["-year", "organization__name"]
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="pipeline_org_year")]
        indexes = [models.Index(fields=["year", "stage"], name="pipeline_year_stage")]
        permissions = [("remind_pipelineentry", "可以发送高企到期提醒")]

    def __str__(self) -> str:
        return "%s %s年" % (self.organization, self.year)


class PipelineTransition(models.Model):
    """A stage change of a pipeline entry (who, when, from, to, why)."""

    entry = models.ForeignKey(PipelineEntry, on_delete=models.CASCADE, related_name="transitions")
    locals().update(transition_fields("cultivation.PipelineEntry"))

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "培育库阶段记录"
        verbose_name_plural = "培育库阶段记录"


class RdReserveFiling(DomainModel):
    """An enterprise's R&D reserve filing (研发准备金备案) for one year: the reserve set aside, the R&D
    actually spent, supporting files; reviewed by the bureau (filed / returned)."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="rd_reserve_filings", verbose_name="企业"
    )
    year = models.PositiveSmallIntegerField("年度")
    reserve_amount = models.DecimalField("计提研发准备金（元）", max_digits=14, decimal_places=2)
    rd_expense = models.DecimalField("实际研发投入（元）", max_digits=14, decimal_places=2)
    contact_person = models.CharField("联系人", max_length=40, blank=True)
    attachments = models.ManyToManyField("core.Attachment", blank=True, related_name="+", verbose_name="佐证材料")
    status = models.CharField("状态", max_length=12, choices=FilingStatus.choices, default=FilingStatus.SUBMITTED)
    filed_on = models.DateField("备案日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "研发准备金备案"
        verbose_name_plural = "研发准备金备案"
        ordering = ["-year", "organization__name"]
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="rdfiling_org_year")]
        permissions = [("review_rdreservefiling", "可以审核研发准备金备案")]

    def __str__(self) -> str:
        return "%s %s年研发准备金备案" % (self.organization, self.year)


class RdReserveFilingTransition(models.Model):
    filing = models.ForeignKey(RdReserveFiling, on_delete=models.CASCADE, related_name="transitions")
    locals().update(transition_fields("cultivation.RdReserveFiling"))

    class Meta:
        ordering = ["at", "pk"]


class SubsidyPolicy(models.Model):
    """A local subsidy rule (奖补政策), e.g. “新认定高企奖励”. Its formula lives in versions."""

    code = models.CharField("政策代码", max_length=40, unique=True)
    name = models.CharField("政策名称", max_length=100)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    history = HistoricalRecords(get_user=history_user_getter, user_model="core.User")

    class Meta:
        verbose_name = "奖补政策"
        verbose_name_plural = "奖补政策"
        ordering = ["code"]
        permissions = [("manage_subsidypolicy", "可以维护奖补政策")]

    def __str__(self) -> str:
        return self.name


class SubsidyPolicyVersion(models.Model):
    """One version of a policy's formula: in force from ``effective_from`` until the next version."""

    policy = models.ForeignKey(SubsidyPolicy, on_delete=models.PROTECT, related_name="versions", verbose_name="政策")
    effective_from = models.DateField("生效日期")
    kind = models.CharField("计算方式", max_length=20, choices=FormulaKind.choices)
    params = models.JSONField("参数", default=dict)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "奖补政策版本"
        verbose_name_plural = "奖补政策版本"
        ordering = ["policy", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["policy", "effective_from"], name="subsidy_version_unique")]

    def __str__(self) -> str:
        return "%s（%s起）" % (self.policy, self.effective_from.isoformat())


class SubsidyAward(DomainModel):
    """A subsidy calculated for an organization (and optionally a person) for a year under one policy
    version, with the inputs shown; approved, publicized, paid (or rejected). ``region`` is the
    organization's region."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="subsidy_awards", verbose_name="单位"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="个人"
    )
    year = models.PositiveSmallIntegerField("年度")
    policy_version = models.ForeignKey(
        SubsidyPolicyVersion, on_delete=models.PROTECT, related_name="awards", verbose_name="政策版本"
    )
    inputs = models.JSONField("测算依据", default=dict, blank=True)
    explanation = models.TextField("测算说明", blank=True)
    amount = models.DecimalField("奖补金额（元）", max_digits=14, decimal_places=2)
    source = models.CharField("来源记录", max_length=80, blank=True, db_index=True)
    status = models.CharField("状态", max_length=12, choices=AwardStatus.choices, default=AwardStatus.CALCULATED)
    paid_on = models.DateField("拨付日期", null=True, blank=True)
    voucher_no = models.CharField("拨付凭证号", max_length=60, blank=True)

    class Meta:
        verbose_name = "奖补"
        verbose_name_plural = "奖补"
        ordering = ["-year", "-pk"]
        indexes = [models.Index(fields=["year", "status"], name="award_year_status")]
        permissions = [
            ("approve_subsidyaward", "可以审核奖补"),
            ("pay_subsidyaward", "可以登记奖补拨付"),
        ]

    def __str__(self) -> str:
        return "%s %s年 %s" % (self.organization, self.year, self.policy_version.policy.name)


class SubsidyAwardTransition(models.Model):
    award = models.ForeignKey(SubsidyAward, on_delete=models.CASCADE, related_name="transitions")
    locals().update(transition_fields("cultivation.SubsidyAward"))

    class Meta:
        ordering = ["at", "pk"]
