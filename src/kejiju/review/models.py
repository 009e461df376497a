"""The expert pool (专家库) and expert review (专家评审): experts, declared relations and availability,
review batches with their items, the append-only draw record, invitations (assignments), score sheets,
meeting sessions, fee schedules and staff ratings.

Records under review live in other apps; they travel as refs ``"<source key>:<pk>"``
(:mod:`kejiju.review.sources`)."""

from __future__ import annotations

from typing import Any

from django.db import models

from kejiju.core.models import DomainModel
from kejiju.core.workflow import transition_fields
from kejiju.review.choices import (
    AssignmentStatus,
    BatchMode,
    BatchStatus,
    ConflictKind,
    ConflictSource,
    DeclaredRelation,
    ExpertOrigin,
    ExpertStatus,
    Recommendation,
    ReviewFormat,
)

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}
SCORE: dict[str, Any] = {"max_digits": 6, "decimal_places": 2}


class Expert(DomainModel):
    """An expert of the pool: one profile per person (:class:`people.Person`), with the subjects
    (GB/T 13745, first = main), industries and keywords used for matching, the bank details for fees
    and the status (在库 / 暂停 / 退出 / 除名, transitions in :class:`ExpertTransition`). ``user`` is the
    expert's own account (role 专家): it sees only its own assignments."""

    person = models.OneToOneField("people.Person", on_delete=models.PROTECT, related_name="+", verbose_name="人员")
    name = models.CharField("姓名", max_length=40, db_index=True)
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="工作单位"
    )
    organization_name = models.CharField("工作单位名称", max_length=200, blank=True)
    title = models.CharField("职称", max_length=60, blank=True)
    subjects = models.JSONField("学科", default=list, blank=True, help_text="GB/T 13745 代码，第一个为主学科。")
    industries = models.JSONField("行业", default=list, blank=True)
    keywords = models.CharField("专长关键词", max_length=300, blank=True)
    phone = models.CharField("联系电话", max_length=40, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    bank_account_name = models.CharField("开户名", max_length=60, blank=True)
    bank_name = models.CharField("开户银行", max_length=100, blank=True)
    bank_account_no = models.CharField("银行账号", max_length=32, blank=True)
    status = models.CharField("状态", max_length=16, choices=ExpertStatus.choices, default=ExpertStatus.ACTIVE)
    status_reason = models.CharField("状态说明", max_length=200, blank=True)
    origin = models.CharField("来源", max_length=16, choices=ExpertOrigin.choices, default=ExpertOrigin.STAFF)
    user = models.OneToOneField(
        "core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="expert", verbose_name="登录账号"
    )
    note = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = "专家"
        verbose_name_plural = "专家"
        ordering = ["name", "pk"]
        permissions = [("import_expert", "可以导入专家"), ("take_review", "可以参加专家评审（专家本人）")]
        indexes = [models.Index(fields=["region", "status"], name="expert_region_status")]

    def __str__(self) -> str:
        return self.name

    @property
    def main_subject(self) -> str:
        return self.subjects[0] if self.subjects else ""

    @property
    def org_label(self) -> str:
        return self.organization_name or (str(self.organization) if self.organization_id else "")


class ExpertTransition(models.Model):
    """One status change of an expert (who, when, from, to, why)."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="transitions")
    locals().update(transition_fields("review.Expert"))

    class Meta:
        ordering = ["-at", "-pk"]


class ExpertRelation(models.Model):
    """A relation the expert declared (回避申报), kept in the pool and applied to every batch:

    * with another person (近亲属, 导师或学生, 合作发表 with the ``year`` of the latest work): the expert
      avoids every record whose team includes that person. The person is named by ID number (``person``)
      or, when the number is unknown, by name and organization (``person_name`` + ``organization_name``);
    * with an organization (``relation = organization``): the expert avoids every record of that
      organization, as applicant or co-operating organization.

    Conflicts derived from these rows are stored with the source 专家申报 (declared by the expert)."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="relations", verbose_name="专家")
    relation = models.CharField("关系", max_length=16, choices=DeclaredRelation.choices)
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="关系人"
    )
    person_name = models.CharField("关系人姓名", max_length=40, blank=True)
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="单位"
    )
    organization_name = models.CharField("单位名称", max_length=200, blank=True)
    year = models.PositiveSmallIntegerField("最近合作（指导）年份", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    declared_by_expert = models.BooleanField("专家本人申报", default=False)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "回避申报"
        verbose_name_plural = "回避申报"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return "%s · %s" % (self.get_relation_display(), self.target_label)

    @property
    def target_label(self) -> str:
        """Who or what the declaration is about, as shown in lists."""
        if self.relation == DeclaredRelation.ORGANIZATION:
            return self.organization_name or (str(self.organization) if self.organization_id else "")
        name = self.person_name or (str(self.person.name) if self.person_id else "")  # type: ignore[union-attr]
        return "%s（%s）" % (name, self.organization_name) if self.organization_name else name


class AvailabilityWindow(models.Model):
    """A period the expert cannot review (不可参评时间：出差、休假…): a batch whose review dates
    (``review_date`` … ``review_end``) overlap it neither draws nor calls in the expert as a reserve."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="unavailable", verbose_name="专家")
    start = models.DateField("起始日期")
    end = models.DateField("截止日期")
    note = models.CharField("说明", max_length=200, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True, null=True)

    class Meta:
        verbose_name = "不可参评时段"
        verbose_name_plural = "不可参评时段"
        ordering = ["start"]


class FeeSchedule(DomainModel):
    """Expert fee (评审费) per review kind: per reviewed record and per meeting attended, in yuan."""

    kind = models.CharField("评审类型", max_length=40)
    label = models.CharField("名称", max_length=60)
    per_review = models.DecimalField("每件评审费（元）", **MONEY)
    per_meeting = models.DecimalField("每次会评费（元）", default=0, **MONEY)

    class Meta:
        verbose_name = "评审费标准"
        verbose_name_plural = "评审费标准"
        ordering = ["kind"]
        constraints = [models.UniqueConstraint(fields=["region", "kind"], name="fee_region_kind")]

    def __str__(self) -> str:
        return self.label


class ReviewBatch(DomainModel):
    """A review batch (评审批次): records of one source and kind, the panel settings, the criteria
    (:class:`Criterion`, weights summing to 100), the draw and the results."""

    title = models.CharField("批次名称", max_length=120)
    source_key = models.CharField("评审对象", max_length=60)
    kind = models.CharField("评审类型", max_length=40)
    format = models.CharField("评审方式", max_length=10, choices=ReviewFormat.choices, default=ReviewFormat.ONLINE)
    mode = models.CharField("分配方式", max_length=10, choices=BatchMode.choices, default=BatchMode.DRAW)
    status = models.CharField("状态", max_length=12, choices=BatchStatus.choices, default=BatchStatus.DRAFT)
    reviewers_per_item = models.PositiveSmallIntegerField("每件评审专家数", default=3)
    reserves_per_item = models.PositiveSmallIntegerField("每件备选专家数", default=2)
    min_load = models.PositiveSmallIntegerField("每位专家最少评审件数", default=0)
    max_load = models.PositiveSmallIntegerField("每位专家最多评审件数", default=5)
    avoid_same_county = models.BooleanField("回避同县（市、区）专家", default=False)
    review_date = models.DateField("评审日期", null=True, blank=True)
    review_end = models.DateField("评审截止日期", null=True, blank=True, help_text="评审持续多日时填写；不填即一天。")
    relation_years = models.PositiveSmallIntegerField(
        "师生、合作关系回避年限（年）",
        null=True,
        blank=True,
        help_text="不填则按系统设置 KEJIJU_REVIEW_RELATION_YEARS（默认 3 年）。",
    )
    respond_days = models.PositiveSmallIntegerField("邀请答复期限（天）", default=3)
    spread_threshold = models.DecimalField("分歧提示阈值（分）", max_digits=6, decimal_places=2, default=20)
    created_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+", verbose_name="创建人")
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "评审批次"
        verbose_name_plural = "评审批次"
        ordering = ["-created_at", "-pk"]
        permissions = [("draw_reviewbatch", "可以抽取评审专家")]

    def __str__(self) -> str:
        return self.title


class BatchTransition(models.Model):
    batch = models.ForeignKey(ReviewBatch, on_delete=models.CASCADE, related_name="transitions")
    locals().update(transition_fields("review.ReviewBatch"))

    class Meta:
        ordering = ["-at", "-pk"]


class Criterion(models.Model):
    """A scoring criterion (评分指标) of a batch: experts give 0 … ``weight`` points; weights sum to 100."""

    batch = models.ForeignKey(ReviewBatch, on_delete=models.CASCADE, related_name="criteria", verbose_name="批次")
    name = models.CharField("指标", max_length=60)
    weight = models.PositiveSmallIntegerField("分值")
    guide = models.CharField("评分说明", max_length=300, blank=True)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "评分指标"
        verbose_name_plural = "评分指标"
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class BatchItem(models.Model):
    """A record under review in a batch, with the facts taken when it was added and the aggregate."""

    batch = models.ForeignKey(ReviewBatch, on_delete=models.CASCADE, related_name="items", verbose_name="批次")
    ref = models.CharField("记录", max_length=80)
    title = models.CharField("名称", max_length=200)
    region_code = models.CharField("区划", max_length=12, blank=True)
    facts = models.JSONField("比对信息", default=dict)
    reviewers = models.PositiveSmallIntegerField("评审专家数", null=True, blank=True)
    score_mean = models.DecimalField("平均分", null=True, blank=True, **SCORE)
    score_trimmed = models.DecimalField("去掉最高最低分后平均分", null=True, blank=True, **SCORE)
    score_spread = models.DecimalField("最高最低分差", null=True, blank=True, **SCORE)
    rank = models.PositiveIntegerField("排名", null=True, blank=True)
    spread_warning = models.BooleanField("专家意见分歧较大", default=False)
    recommendation = models.CharField("多数意见", max_length=12, choices=Recommendation.choices, blank=True)
    outcome_applied_at = models.DateTimeField("结果回传时间", null=True, blank=True)

    class Meta:
        verbose_name = "评审对象"
        verbose_name_plural = "评审对象"
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["batch", "ref"], name="batchitem_unique_ref")]

    def __str__(self) -> str:
        return self.title


class BatchConflict(models.Model):
    """A conflict of interest (回避) of one expert with one item, with its kind and source, stored when the
    panel is drawn (the record of why the expert was not eligible)."""

    batch = models.ForeignKey(ReviewBatch, on_delete=models.CASCADE, related_name="conflicts")
    item = models.ForeignKey(BatchItem, on_delete=models.CASCADE, related_name="conflicts")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("回避情形", max_length=20, choices=ConflictKind.choices)
    source = models.CharField("来源", max_length=12, choices=ConflictSource.choices)
    detail = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "回避记录"
        verbose_name_plural = "回避记录"
        ordering = ["item", "expert", "kind"]


class ApplicantAvoid(models.Model):
    """An expert the applicant asked to avoid (申报单位申请回避) for one record of a batch, entered by staff
    from the applicant's request before the draw, with the reason given. Together with the ones the source
    app hands over (``ReviewSubject.avoid_person_ids``) at most ``KEJIJU_REVIEW_APPLICANT_AVOID_MAX`` per
    record; the draw stores each as a conflict with the source 申报单位提出."""

    batch = models.ForeignKey(ReviewBatch, on_delete=models.CASCADE, related_name="avoid_requests")
    item = models.ForeignKey(
        BatchItem, on_delete=models.CASCADE, related_name="avoid_requests", verbose_name="评审对象"
    )
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="+", verbose_name="专家")
    reason = models.CharField("理由", max_length=200)
    created_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+", verbose_name="登记人")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "申报单位申请回避"
        verbose_name_plural = "申报单位申请回避"
        ordering = ["item", "pk"]
        constraints = [models.UniqueConstraint(fields=["item", "expert"], name="applicantavoid_unique_expert")]

    def __str__(self) -> str:
        return "%s · %s" % (self.item_id, self.expert_id)


class DrawRecord(models.Model):
    """The sealed record of one run of the assignment (抽取记录): settings, the digest of the inputs, the
    supervisor's nonce and its seed digest, witnesses, panels and ordered reserves (or the shortfall), time
    and actors. Append-only: a stored record is never changed or deleted."""

    batch = models.ForeignKey(ReviewBatch, on_delete=models.PROTECT, related_name="draws", verbose_name="批次")
    mode = models.CharField("分配方式", max_length=10, choices=BatchMode.choices)
    ok = models.BooleanField("成功")
    nonce = models.CharField("监督随机码", max_length=64, blank=True)
    supervisor = models.CharField("监督人", max_length=60, blank=True)
    witnesses = models.JSONField("见证人", default=list)
    inputs_digest = models.CharField("输入摘要（SHA-256）", max_length=64)
    seed_digest = models.CharField("随机种子摘要（SHA-256）", max_length=64)
    result = models.JSONField("结果", default=dict)
    actor = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+", verbose_name="操作人")
    document_id = models.PositiveBigIntegerField("抽取记录公文", null=True, blank=True)
    created_at = models.DateTimeField("抽取时间", auto_now_add=True)

    class Meta:
        verbose_name = "抽取记录"
        verbose_name_plural = "抽取记录"
        ordering = ["-created_at", "-pk"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("抽取记录一经保存不得修改。")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("抽取记录不得删除。")


class Assignment(models.Model):
    """One expert on one item of a batch: a panel member (``panel``) or an ordered reserve (``rank``).
    Status: 备选 → 已邀请 → 已接受 → 已提交评分, or 已谢绝 / 逾期未答复 (the next reserve moves in). The
    expert sees the record only after ``declared_at`` (no-conflict declaration)."""

    batch = models.ForeignKey(ReviewBatch, on_delete=models.CASCADE, related_name="assignments")
    item = models.ForeignKey(BatchItem, on_delete=models.CASCADE, related_name="assignments")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="assignments", verbose_name="专家")
    panel = models.BooleanField("评审组成员", default=True)
    rank = models.PositiveSmallIntegerField("备选顺位", null=True, blank=True)
    affinity = models.FloatField("相关度", default=0)
    status = models.CharField("状态", max_length=12, choices=AssignmentStatus.choices, default=AssignmentStatus.RESERVE)
    invited_at = models.DateTimeField("邀请时间", null=True, blank=True)
    respond_by = models.DateTimeField("答复期限", null=True, blank=True)
    declined_reason = models.CharField("谢绝理由", max_length=200, blank=True)
    declared_at = models.DateTimeField("无利害关系声明时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "评审任务"
        verbose_name_plural = "评审任务"
        ordering = ["item", "-panel", "rank", "pk"]
        constraints = [models.UniqueConstraint(fields=["item", "expert"], name="assignment_unique_expert")]

    def __str__(self) -> str:
        return "%s · %s" % (self.expert_id, self.item_id)


class AssignmentTransition(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="transitions")
    locals().update(transition_fields("review.Assignment"))

    class Meta:
        ordering = ["at", "pk"]


class ScoreSheet(models.Model):
    """An expert's scores on one item (专家评审意见): points per criterion (``scores`` criterion id →
    text of a Decimal), total, comment, recommendation; ``submitted_at`` locks it."""

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="sheet")
    scores = models.JSONField("各项得分", default=dict)
    total = models.DecimalField("总分", null=True, blank=True, **SCORE)
    comment = models.TextField("评审意见", blank=True)
    recommendation = models.CharField("推荐意见", max_length=12, choices=Recommendation.choices, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "评分表"
        verbose_name_plural = "评分表"


class ExpertRating(models.Model):
    """Staff's rating (1–5) of an expert's review work in a batch."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="ratings", verbose_name="专家")
    batch = models.ForeignKey(ReviewBatch, on_delete=models.CASCADE, related_name="+", null=True, blank=True)
    stars = models.PositiveSmallIntegerField("评价（1–5）")
    comment = models.CharField("评价说明", max_length=200, blank=True)
    rated_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+", verbose_name="评价人")
    created_at = models.DateTimeField("评价时间", auto_now_add=True)

    class Meta:
        verbose_name = "专家评价"
        verbose_name_plural = "专家评价"
        ordering = ["-created_at"]


class MeetingSession(models.Model):
    """A meeting review (会评) of a batch: time, place, chair, and who attended."""

    batch = models.ForeignKey(ReviewBatch, on_delete=models.CASCADE, related_name="meetings")
    held_at = models.DateTimeField("会议时间")
    place = models.CharField("会议地点", max_length=120)
    chair = models.CharField("主持人", max_length=40, blank=True)
    attendees = models.ManyToManyField(Expert, related_name="+", blank=True, verbose_name="出席专家")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "评审会议"
        verbose_name_plural = "评审会议"
        ordering = ["held_at"]
