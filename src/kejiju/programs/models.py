"""Programmes and projects (科技计划与项目): programmes, calls, applications with versions, approval
decisions with publicity, projects with contracts, disbursements, progress reports, inspections,
acceptance and performance review. Every status change leaves a transition row (``kejiju.core.workflow``).

Money is in yuan (元), ``Decimal`` with two places; indicators report 万元."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from kejiju.core.models import DomainModel
from kejiju.core.workflow import transition_fields
from kejiju.programs.choices import (
    AcceptanceDecision,
    ApplicationStatus,
    BudgetCategory,
    CallStatus,
    ChangeKind,
    ChangeStatus,
    DecisionStatus,
    FundSource,
    InspectionKind,
    InspectionStatus,
    ProgramKind,
    ProjectStatus,
    ReportStatus,
)


def money(label: str, **kwargs: object) -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(label, max_digits=14, decimal_places=2, **kwargs)  # type: ignore[arg-type]


class Program(DomainModel):
    """A funding programme (科技计划) of a bureau: its region is the issuing bureau's region."""

    name = models.CharField("计划名称", max_length=100)
    kind = models.CharField("计划类别", max_length=20, choices=ProgramKind.choices)
    department = models.CharField("主管科室", max_length=60, blank=True)
    description = models.TextField("说明", blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "科技计划"
        verbose_name_plural = "科技计划"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Call(DomainModel):
    """One year's call (项目指南/申报通知) under a programme. ``region`` is the issuing bureau's region (the
    call's level): a call of a city runs above county level, so applications pass 属地推荐 first when
    ``needs_recommendation``. ``eligibility`` and ``form_fields`` are JSON (see docs/modules/programs.md)."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="calls", verbose_name="科技计划")
    year = models.PositiveIntegerField("年度")
    title = models.CharField("指南名称", max_length=200)
    guide = models.TextField("指南正文", blank=True)
    opens_at = models.DateTimeField("申报开始时间")
    closes_at = models.DateTimeField("申报截止时间")
    status = models.CharField("状态", max_length=30, choices=CallStatus.choices, default=CallStatus.DRAFT)
    budget_ceiling = money("资助总额上限（元）", null=True, blank=True)
    max_request = money("单项申请上限（元）", null=True, blank=True)
    eligibility = models.JSONField("申报条件", default=dict, blank=True)
    form_fields = models.JSONField("申报书字段", default=list, blank=True)
    needs_recommendation = models.BooleanField("需属地推荐", default=False)
    uses_review = models.BooleanField("需专家评审", default=True)
    review_criteria = models.TextField(
        "专家评审指标",
        blank=True,
        help_text="立项评审的评分指标与分值，每行“指标:分值”，合计 100；留空时使用系统默认指标。",
    )

    class Meta:
        verbose_name = "项目指南"
        verbose_name_plural = "项目指南"
        ordering = ["-year", "-opens_at"]
        permissions = [("publish_call", "可以发布指南")]

    def __str__(self) -> str:
        return self.title

    @property
    def one_per_org(self) -> bool:
        return bool((self.eligibility or {}).get("one_per_org"))


class CallTransition(models.Model):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="transitions")
    locals().update(transition_fields("programs.Call"))

    class Meta:
        ordering = ["at", "pk"]


class Application(DomainModel):
    """A proposal (申报书) of an organization to a call. ``data`` holds the call's form values;
    members and budget lines are rows; ``subjects`` (GB/T 13745, main first), the co-operating
    organizations and the experts the applicant asks to avoid feed the expert review. ``slot`` enforces one active application per organization in a
    call that allows one (a unique value while active, NULL otherwise) so concurrent submits cannot
    both pass."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications", verbose_name="项目指南")
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="申报单位"
    )
    number = models.CharField("申报编号", max_length=30, blank=True, db_index=True)
    title = models.CharField("项目名称", max_length=200)
    status = models.CharField(
        "状态", max_length=30, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT, db_index=True
    )
    requested_amount = money("申请资助（元）", default=Decimal("0"))
    data = models.JSONField("申报书内容", default=dict, blank=True)
    contact_person = models.CharField("联系人", max_length=40, blank=True)
    contact_phone = models.CharField("联系电话", max_length=40, blank=True)
    subjects = models.JSONField(
        "学科", default=list, blank=True, help_text="GB/T 13745 代码，第一个为主学科；提交时必填。"
    )
    cooperating_organizations = models.ManyToManyField(
        "orgs.Organization", blank=True, related_name="+", verbose_name="合作单位"
    )
    avoid_experts = models.JSONField(
        "申请回避的专家",
        default=list,
        blank=True,
        help_text="申报单位申请回避的专家 [{name, organization, reason}]，按填写内容保存，抽取专家时比对专家库。",
    )
    version = models.PositiveIntegerField("版本", default=0)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    slot = models.CharField(max_length=60, null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="填报人"
    )
    review_score = models.DecimalField("评审得分", max_digits=6, decimal_places=2, null=True, blank=True)
    review_rank = models.PositiveIntegerField("评审排名", null=True, blank=True)
    review_opinion = models.TextField("评审意见", blank=True)
    review_result = models.JSONField("评审结果", default=dict, blank=True)

    class Meta:
        verbose_name = "项目申报"
        verbose_name_plural = "项目申报"
        ordering = ["-submitted_at", "-pk"]
        permissions = [
            ("apply_application", "可以在线申报（单位用户）"),
            ("recommend_application", "可以属地推荐"),
            ("check_application", "可以形式审查"),
            ("review_application", "可以录入评审结果"),
        ]
        indexes = [models.Index(fields=["call", "status"], name="app_call_status")]

    def __str__(self) -> str:
        return self.title


class ApplicationTransition(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="transitions")
    locals().update(transition_fields("programs.Application"))

    class Meta:
        ordering = ["at", "pk"]


class ApplicationVersion(models.Model):
    """A snapshot of an application as submitted (each submission is a version; diffable)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    snapshot = models.JSONField("内容快照")
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    created_by = models.ForeignKey("core.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["application", "number"], name="app_version_unique")]


class ApplicationMember(models.Model):
    """A person on an application's team (the first, ``is_leader``, is the 项目负责人)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+", verbose_name="人员")
    is_leader = models.BooleanField("项目负责人", default=False)
    role = models.CharField("分工", max_length=100, blank=True)
    order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        ordering = ["order", "pk"]


class BudgetLine(models.Model):
    """One budget line (预算科目) of an application or of a contract."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, null=True, blank=True, related_name="budget_lines"
    )
    contract = models.ForeignKey(
        "programs.Contract", on_delete=models.CASCADE, null=True, blank=True, related_name="budget_lines"
    )
    category = models.CharField("科目", max_length=20, choices=BudgetCategory.choices)
    source = models.CharField("资金来源", max_length=10, choices=FundSource.choices, default=FundSource.GRANT)
    amount = money("金额（元）")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        ordering = ["pk"]


class ApprovalDecision(DomainModel):
    """A meeting decision (立项决定) on a call: the approved applications and amounts, the publicity
    (公示) period, objections, and the approval notice (立项通知书)."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="decisions", verbose_name="项目指南")
    meeting = models.CharField("会议", max_length=200)
    decided_on = models.DateField("决定日期")
    status = models.CharField("状态", max_length=30, choices=DecisionStatus.choices, default=DecisionStatus.DRAFT)
    publicity_start = models.DateField("公示开始", null=True, blank=True)
    publicity_end = models.DateField("公示截止", null=True, blank=True)
    doc_number = models.CharField("文号", max_length=60, blank=True)
    notice_document_id = models.PositiveBigIntegerField("立项通知书", null=True, blank=True)

    class Meta:
        verbose_name = "立项决定"
        verbose_name_plural = "立项决定"
        ordering = ["-decided_on", "-pk"]
        permissions = [("approve_application", "可以立项")]

    def __str__(self) -> str:
        return "%s（%s）" % (self.meeting, self.decided_on)


class DecisionTransition(models.Model):
    decision = models.ForeignKey(ApprovalDecision, on_delete=models.CASCADE, related_name="transitions")
    locals().update(transition_fields("programs.ApprovalDecision"))

    class Meta:
        ordering = ["at", "pk"]


class ApprovalItem(models.Model):
    """An application in a decision with its approved amount; ``excluded`` after an upheld objection."""

    decision = models.ForeignKey(ApprovalDecision, on_delete=models.CASCADE, related_name="items")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="approval_items")
    amount = money("拟资助金额（元）")
    excluded = models.BooleanField("已撤销", default=False)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["decision", "application"], name="approval_item_unique")]


class Objection(models.Model):
    """An objection (异议) received during publicity and how it was resolved."""

    decision = models.ForeignKey(ApprovalDecision, on_delete=models.CASCADE, related_name="objections")
    item = models.ForeignKey(ApprovalItem, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    received_on = models.DateField("收到日期")
    submitter = models.CharField("异议人", max_length=100, blank=True)
    content = models.TextField("异议内容")
    resolution = models.TextField("处理结果", blank=True)
    upheld = models.BooleanField("异议成立", default=False)
    resolved_at = models.DateTimeField("办结时间", null=True, blank=True)
    resolved_by = models.ForeignKey("core.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey("core.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["pk"]


class Project(DomainModel):
    """A funded project (项目), made from an approved application."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="project")
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="projects", verbose_name="项目指南")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="projects", verbose_name="科技计划")
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="承担单位"
    )
    decision = models.ForeignKey(ApprovalDecision, on_delete=models.PROTECT, related_name="projects")
    number = models.CharField("项目编号", max_length=30, unique=True)
    title = models.CharField("项目名称", max_length=200)
    approved_amount = money("立项资助（元）")
    approved_on = models.DateField("立项日期", db_index=True)
    status = models.CharField(
        "状态", max_length=30, choices=ProjectStatus.choices, default=ProjectStatus.PENDING_CONTRACT, db_index=True
    )
    closed_on = models.DateField("结题日期", null=True, blank=True)

    class Meta:
        verbose_name = "项目"
        verbose_name_plural = "项目"
        ordering = ["-approved_on", "-pk"]
        permissions = [
            ("manage_project", "可以管理项目（任务书、检查、验收）"),
            ("pay_project", "可以拨付经费"),
        ]

    def __str__(self) -> str:
        return "%s %s" % (self.number, self.title)


class ProjectTransition(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="transitions")
    locals().update(transition_fields("programs.Project"))

    class Meta:
        ordering = ["at", "pk"]


class Contract(models.Model):
    """The task agreement (任务书): targets [{name, unit, value}], milestones [{due, content}], budget
    lines, co-operating organizations, the signed scan."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="contract")
    number = models.CharField("任务书编号", max_length=40, blank=True)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    targets = models.JSONField("考核指标", default=list, blank=True)
    milestones = models.JSONField("进度安排", default=list, blank=True)
    cooperating_organizations = models.ManyToManyField(
        "orgs.Organization", blank=True, related_name="+", verbose_name="合作单位"
    )
    signed_scan = models.ForeignKey(
        "core.Attachment", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="签署扫描件"
    )
    signed_on = models.DateField("签订日期", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "任务书"
        verbose_name_plural = "任务书"


class ContractChange(models.Model):
    """A change (调整) to a signed contract: requested, then approved or refused; ``before``/``after``
    keep the changed values."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField("调整类型", max_length=20, choices=ChangeKind.choices)
    reason = models.TextField("调整理由")
    before = models.JSONField("调整前", default=dict, blank=True)
    after = models.JSONField("调整后", default=dict, blank=True)
    status = models.CharField("状态", max_length=30, choices=ChangeStatus.choices, default=ChangeStatus.PENDING)
    requested_by = models.ForeignKey("core.User", on_delete=models.PROTECT, null=True, related_name="+")
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]


class ChangeTransition(models.Model):
    change = models.ForeignKey(ContractChange, on_delete=models.CASCADE, related_name="transitions")
    locals().update(transition_fields("programs.ContractChange"))

    class Meta:
        ordering = ["at", "pk"]


class Disbursement(models.Model):
    """A planned instalment (拨付计划) of a project's funds."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="disbursements")
    seq = models.PositiveIntegerField("批次")
    planned_on = models.DateField("计划拨付日期")
    amount = money("计划金额（元）")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["project", "seq"], name="disbursement_seq_unique")]


class Payment(models.Model):
    """A payment made (经费拨付): the sum over a project never exceeds its approved amount."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="payments")
    disbursement = models.ForeignKey(
        Disbursement, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    paid_on = models.DateField("拨付日期", db_index=True)
    amount = money("金额（元）")
    voucher = models.CharField("凭证号", max_length=60, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey("core.User", on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "经费拨付"
        verbose_name_plural = "经费拨付"
        ordering = ["paid_on", "pk"]


class ProgressReport(models.Model):
    """A progress report (进展报告) due on a date; reminders go out before and after ``due_on``."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reports")
    period = models.CharField("报告期", max_length=60)
    due_on = models.DateField("截止日期", db_index=True)
    status = models.CharField("状态", max_length=20, choices=ReportStatus.choices, default=ReportStatus.DUE)
    content = models.TextField("进展情况", blank=True)
    funds_used = money("已使用经费（元）", null=True, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    submitted_by = models.ForeignKey("core.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    comment = models.TextField("审核意见", blank=True)

    class Meta:
        ordering = ["due_on", "pk"]


class Inspection(models.Model):
    """A mid-term inspection, supervision or audit with findings and rectification (整改)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="inspections")
    kind = models.CharField("检查类型", max_length=20, choices=InspectionKind.choices, default=InspectionKind.MIDTERM)
    inspected_on = models.DateField("检查日期")
    findings = models.TextField("检查发现", blank=True)
    conclusion = models.CharField("检查结论", max_length=100, blank=True)
    rectification_due = models.DateField("整改期限", null=True, blank=True)
    rectification = models.TextField("整改情况", blank=True)
    status = models.CharField("状态", max_length=20, choices=InspectionStatus.choices, default=InspectionStatus.OPEN)
    review_result = models.JSONField("专家意见", default=dict, blank=True)
    created_by = models.ForeignKey("core.User", on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["inspected_on", "pk"]


class Acceptance(models.Model):
    """Acceptance (验收): results against the contract targets, the panel result, the decision and the
    certificate document."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="acceptance")
    applied_at = models.DateTimeField("申请时间", auto_now_add=True)
    summary = models.TextField("完成情况总结", blank=True)
    results = models.JSONField("指标完成情况", default=list, blank=True)
    panel_score = models.DecimalField("专家组评分", max_digits=6, decimal_places=2, null=True, blank=True)
    panel_opinion = models.TextField("专家组意见", blank=True)
    decision = models.CharField("验收结论", max_length=20, choices=AcceptanceDecision.choices, blank=True)
    conditions = models.TextField("整改条件", blank=True)
    decided_on = models.DateField("验收日期", null=True, blank=True)
    certificate_document_id = models.PositiveBigIntegerField("验收证书", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)


class PerformanceTemplate(models.Model):
    """A scoring template (绩效评价指标体系): items [{key, label, max}] whose maxima add up to 100."""

    name = models.CharField("名称", max_length=100, unique=True)
    items = models.JSONField("评分项")
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PerformanceReview(models.Model):
    """A performance review (绩效评价) of a project: outputs, funds used, item scores and the total."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="performance_reviews")
    template = models.ForeignKey(PerformanceTemplate, on_delete=models.PROTECT, related_name="+")
    reviewed_on = models.DateField("评价日期")
    outputs = models.JSONField("产出", default=dict, blank=True)
    funds_used = money("经费使用（元）", default=Decimal("0"))
    scores = models.JSONField("评分", default=dict)
    total = models.DecimalField("总分", max_digits=6, decimal_places=2)
    grade = models.CharField("等级", max_length=10)
    opinion = models.TextField("评价意见", blank=True)
    created_by = models.ForeignKey("core.User", on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["-reviewed_on", "-pk"]
