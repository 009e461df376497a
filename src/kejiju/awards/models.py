"""S&T awards (科技奖励): a bureau's own award programme (e.g. 县科学技术进步奖 under its 奖励暂行办法), its
yearly cycles, nominations with their completers, expert review results, the decision with grades and
prize money, publicity with objections, certificates and the prize ledger; and awards won at higher
levels, recorded for statistics."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from kejiju.awards.choices import AwardLevel, CycleStatus, NominationStatus
from kejiju.core.models import DomainModel


class AwardProgramme(DomainModel):
    """奖励项目: categories (科技进步奖, 科技成果转化奖 …) and grades with their prize money
    (``grades``: ``[{"grade": "一等奖", "prize": "50000.00", "quota": 2}, …]``, highest first)."""

    name = models.CharField("奖励名称", max_length=120)
    categories = models.JSONField("奖励类别", default=list, help_text='如 ["科技进步奖", "科技成果转化奖"]')
    grades = models.JSONField("奖励等级", default=list)
    rules = models.TextField("奖励办法", blank=True)
    vote_quorum = models.CharField(
        "会议法定人数比例",
        max_length=9,
        default="2/3",
        help_text="出席委员不少于全体委员的该比例，评审委员会会议方可表决，如 2/3。",
    )
    vote_pass = models.CharField(
        "表决通过比例",
        max_length=9,
        default="2/3",
        help_text="赞成票不少于出席委员的该比例为通过，如 2/3；“过半数”填 1/2 并勾选“须超过”。",
    )
    vote_pass_exceeds = models.BooleanField(
        "须超过通过比例",
        default=False,
        help_text="勾选时赞成票须超过该比例（如“过半数”）；不勾选时达到该比例即通过（“以上”含本数）。",
    )

    class Meta:
        verbose_name = "奖励项目"
        verbose_name_plural = "奖励项目"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AwardCycle(DomainModel):
    """One year of a programme: nomination window, status 草稿 → 受理推荐 → 形式审查 → 专家评审 → 已评定 →
    公示中 → 已授奖 (``choices.CYCLE_FLOW``), publicity period."""

    programme = models.ForeignKey(
        AwardProgramme, on_delete=models.PROTECT, related_name="cycles", verbose_name="奖励项目"
    )
    year = models.PositiveSmallIntegerField("年度")
    opens_at = models.DateTimeField("推荐开始")
    closes_at = models.DateTimeField("推荐截止")
    status = models.CharField("状态", max_length=12, choices=CycleStatus.choices, default=CycleStatus.DRAFT)
    publicity_from = models.DateField("公示开始", null=True, blank=True)
    publicity_until = models.DateField("公示结束", null=True, blank=True)

    class Meta:
        verbose_name = "奖励年度"
        verbose_name_plural = "奖励年度"
        ordering = ["-year", "-pk"]
        constraints = [models.UniqueConstraint(fields=["programme", "year"], name="award_cycle_once_a_year")]

    def __str__(self) -> str:
        return "%s（%s 年度）" % (self.programme.name, self.year)


class Nomination(DomainModel):
    """申报/提名: an achievement nominated by its organization or a recommending unit, with its completers
    (persons, in order) and completing organizations; review results; the grade decided; the certificate
    and the prize paid."""

    cycle = models.ForeignKey(AwardCycle, on_delete=models.PROTECT, related_name="nominations", verbose_name="奖励年度")
    title = models.CharField("成果名称", max_length=200)
    category = models.CharField("奖励类别", max_length=40)
    subjects = models.JSONField("学科", default=list, blank=True)
    field_keywords = models.CharField("专业领域", max_length=200, blank=True)
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="第一完成单位"
    )
    nominator = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="推荐单位",
    )
    other_organizations = models.ManyToManyField(
        "orgs.Organization", blank=True, related_name="+", verbose_name="其他完成单位"
    )
    summary = models.TextField("项目简介与主要创新点")
    benefits = models.TextField("应用情况与效益", blank=True)
    status = models.CharField("状态", max_length=12, choices=NominationStatus.choices, default=NominationStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="填报人"
    )
    review_score = models.DecimalField("评审得分", max_digits=6, decimal_places=2, null=True, blank=True)
    review_rank = models.PositiveIntegerField("评审排名", null=True, blank=True)
    review_opinions = models.TextField("评审意见", blank=True)
    grade = models.CharField("授奖等级", max_length=20, blank=True)
    prize = models.DecimalField("奖金（元）", max_digits=12, decimal_places=2, default=0)
    certificate = models.ForeignKey(
        "reports.OfficialDocument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="获奖证书",
    )

    class Meta:
        verbose_name = "奖励推荐"
        verbose_name_plural = "奖励推荐"
        ordering = ["cycle", "review_rank", "pk"]

    def __str__(self) -> str:
        return self.title


class NominationMember(models.Model):
    """A completer (主要完成人) of a nominated achievement, in order."""

    nomination = models.ForeignKey(
        Nomination, on_delete=models.CASCADE, related_name="members", verbose_name="奖励推荐"
    )
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+", verbose_name="完成人")
    position = models.PositiveSmallIntegerField("排名")
    contribution = models.CharField("主要贡献", max_length=300, blank=True)

    class Meta:
        verbose_name = "主要完成人"
        verbose_name_plural = "主要完成人"
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["nomination", "person"], name="award_member_once")]

    def __str__(self) -> str:
        return "%s #%s" % (self.nomination_id, self.position)


class NominationTransition(models.Model):
    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="transitions")
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


class CycleTransition(models.Model):
    cycle = models.ForeignKey(AwardCycle, on_delete=models.PROTECT, related_name="transitions")
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


class VoteMeeting(DomainModel):
    """评审会议: the award committee (评审委员会) of a cycle meets while the cycle is in 专家评审, with its
    members (``members``: ``[{"name": …, "unit": …}]``) and the number present. The quorum and pass rule
    of the programme are copied when the meeting is recorded, so a later change of the programme does
    not change how this meeting's votes were counted."""

    cycle = models.OneToOneField(AwardCycle, on_delete=models.PROTECT, related_name="meeting", verbose_name="奖励年度")
    held_on = models.DateField("会议日期")
    place = models.CharField("会议地点", max_length=120)
    members = models.JSONField("评审委员", default=list)
    members_present = models.PositiveSmallIntegerField("出席委员人数")
    quorum = models.CharField("法定人数比例", max_length=9)
    pass_fraction = models.CharField("通过比例", max_length=9)
    pass_exceeds = models.BooleanField("须超过通过比例", default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登记人"
    )

    class Meta:
        verbose_name = "评审委员会会议"
        verbose_name_plural = "评审委员会会议"
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return "%s评审委员会会议" % self.cycle

    @property
    def members_total(self) -> int:
        return len(self.members or [])

    @property
    def quorum_display(self) -> str:
        """出席不少于全体委员的 2/3（至少 N 人）."""
        from kejiju.awards.voting import parse_fraction, quorum_needed

        rule = parse_fraction(self.quorum)
        return "出席不少于全体委员的 %s（至少 %s 人）" % (self.quorum, quorum_needed(self.members_total, rule))

    @property
    def rule_display(self) -> str:
        """赞成票 ≥ 2/3 出席委员（至少 N 票）."""
        from kejiju.awards.voting import parse_fraction, rule_text, votes_needed

        fraction = parse_fraction(self.pass_fraction)
        need = votes_needed(self.members_present, fraction, self.pass_exceeds)
        return "赞成票 %s 出席委员（至少 %s 票）" % (rule_text(fraction, self.pass_exceeds), need)


class NominationVote(models.Model):
    """表决: the committee's secret ballot on one nomination for a proposed grade, recorded as counts.
    A re-vote before the decision adds a row and marks the earlier one no longer current (the history
    stays). Staff may adjust the outcome only with a reason (``override_*``), applied at the decision."""

    meeting = models.ForeignKey(VoteMeeting, on_delete=models.PROTECT, related_name="votes", verbose_name="会议")
    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="votes", verbose_name="奖励推荐")
    grade = models.CharField("表决等级", max_length=20)
    votes_for = models.PositiveSmallIntegerField("赞成票")
    votes_against = models.PositiveSmallIntegerField("反对票")
    votes_abstain = models.PositiveSmallIntegerField("弃权票")
    present = models.PositiveSmallIntegerField("出席委员人数")
    passed = models.BooleanField("通过")
    is_current = models.BooleanField("当前有效", default=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="录入人"
    )
    recorded_at = models.DateTimeField("录入时间", default=timezone.now)
    overridden = models.BooleanField("已调整", default=False)
    override_grade = models.CharField("调整后等级", max_length=20, blank=True, help_text="空为不授奖。")
    override_reason = models.TextField("调整理由", blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="调整人",
    )
    overridden_at = models.DateTimeField("调整时间", null=True, blank=True)

    class Meta:
        verbose_name = "评审委员会表决"
        verbose_name_plural = "评审委员会表决"
        ordering = ["recorded_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["nomination"], condition=models.Q(is_current=True), name="award_vote_one_current"
            )
        ]

    def __str__(self) -> str:
        return "表决 %s" % self.pk

    @property
    def result_display(self) -> str:
        """通过（赞成 7/9）or 未通过（赞成 5/9）: the result with the exact share of the members present."""
        return "%s（赞成 %s/%s）" % ("通过" if self.passed else "未通过", self.votes_for, self.present)

    @property
    def outcome_display(self) -> str:
        grade = self.outcome_grade
        text = ("拟授%s" % grade) if grade else "不授奖"
        return text + ("（已调整）" if self.overridden else "")

    @property
    def outcome_grade(self) -> str:
        """The grade the decision gives: the adjusted one, else the voted grade if passed, else none."""
        if self.overridden:
            return self.override_grade
        return self.grade if self.passed else ""


class Objection(models.Model):
    """公示异议 against a nomination during publicity, and how it was resolved (upheld → the award is
    revoked; dismissed → it stands)."""

    nomination = models.ForeignKey(
        Nomination, on_delete=models.PROTECT, related_name="objections", verbose_name="奖励推荐"
    )
    filed_by_name = models.CharField("异议人", max_length=60)
    contact = models.CharField("联系方式", max_length=60, blank=True)
    content = models.TextField("异议内容")
    filed_at = models.DateTimeField("提出时间", default=timezone.now)
    resolution = models.TextField("处理结果", blank=True)
    upheld = models.BooleanField("异议成立", null=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="处理人",
    )
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)

    class Meta:
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"
        ordering = ["filed_at"]

    def __str__(self) -> str:
        return "异议 %s" % self.pk


class PrizePayment(models.Model):
    """奖金台账: one payment of prize money for a granted nomination (never more than the prize)."""

    nomination = models.ForeignKey(
        Nomination, on_delete=models.PROTECT, related_name="payments", verbose_name="奖励推荐"
    )
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)
    paid_on = models.DateField("发放日期")
    payee = models.CharField("领取单位或个人", max_length=120)
    voucher = models.CharField("凭证号", max_length=60, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登记人"
    )
    recorded_at = models.DateTimeField("登记时间", default=timezone.now)

    class Meta:
        verbose_name = "奖金发放"
        verbose_name_plural = "奖金发放"
        ordering = ["paid_on", "pk"]

    def __str__(self) -> str:
        return "%s 元" % self.amount


class HigherAward(DomainModel):
    """An award won at a higher level (州/省/国家科技进步奖 …) by organizations or persons of the region,
    recorded for statistics and the winners' archive."""

    name = models.CharField("奖励名称", max_length=120)
    level = models.CharField("级别", max_length=12, choices=AwardLevel.choices)
    grade = models.CharField("等级", max_length=20, blank=True)
    year = models.PositiveSmallIntegerField("年度", db_index=True)
    title = models.CharField("成果名称", max_length=200)
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="完成单位"
    )
    persons = models.ManyToManyField("people.Person", blank=True, related_name="+", verbose_name="完成人")
    field_keywords = models.CharField("专业领域", max_length=200, blank=True)
    prize = models.DecimalField("奖金（元）", max_digits=12, decimal_places=2, default=0)
    document_number = models.CharField("授奖文号", max_length=60, blank=True)

    class Meta:
        verbose_name = "上级奖励"
        verbose_name_plural = "上级奖励"
        ordering = ["-year", "name"]

    def __str__(self) -> str:
        return "%s %s" % (self.name, self.grade)
