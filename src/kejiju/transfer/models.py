"""Technology transfer (成果转化): achievements, demands, matches, match events, technology contracts
and co-operation agreements with universities and institutes."""

from __future__ import annotations

from django.db import models

from kejiju.core.models import DomainModel
from kejiju.core.workflow import transition_fields
from kejiju.transfer.choices import (
    ContractType,
    DemandStatus,
    MatchKind,
    MatchStatus,
    Maturity,
    PairOutcome,
    TechField,
    TransferForm,
)


class Achievement(DomainModel):
    """A scientific or technological achievement (科技成果) an organization offers for transfer, with its
    field, maturity, the form of transfer wanted, a price range (元), related IP and a contact. Public ones
    appear on the anonymous listing."""

    owner = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="成果单位")
    title = models.CharField("成果名称", max_length=200)
    summary = models.TextField("成果简介")
    keywords = models.CharField("关键词", max_length=200, blank=True)
    field = models.CharField("技术领域", max_length=20, choices=TechField.choices)
    maturity = models.CharField("成熟度", max_length=20, choices=Maturity.choices)
    transfer_form = models.CharField("拟转化方式", max_length=20, choices=TransferForm.choices)
    price_min = models.DecimalField("意向价格下限（元）", null=True, blank=True, max_digits=14, decimal_places=2)
    price_max = models.DecimalField("意向价格上限（元）", null=True, blank=True, max_digits=14, decimal_places=2)
    related_ip = models.ManyToManyField(
        "orgs.IntellectualProperty", blank=True, related_name="+", verbose_name="相关知识产权"
    )
    contact_name = models.CharField("联系人", max_length=40)
    contact_phone = models.CharField("联系电话", max_length=40)
    is_public = models.BooleanField("公开发布", default=True)
    match_tokens = models.TextField(
        "匹配分词",
        null=True,
        blank=True,
        default=None,
        editable=False,
        help_text="名称（两次）、关键词和简介的分词（以空格分隔），保存时写入，供成果推荐使用；NULL 表示尚未分词（按原文即时分词）。",
    )

    class Meta:
        verbose_name = "科技成果"
        verbose_name_plural = "科技成果"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class TechDemand(DomainModel):
    """A technology demand or problem (技术需求 / 难题) posted by an enterprise: what it needs, the field,
    the budget (元) and the deadline."""

    enterprise = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="需求单位"
    )
    title = models.CharField("需求名称", max_length=200)
    problem = models.TextField("需求（难题）描述")
    field = models.CharField("技术领域", max_length=20, choices=TechField.choices)
    budget = models.DecimalField("预算（元）", null=True, blank=True, max_digits=14, decimal_places=2)
    deadline = models.DateField("期望解决时间", null=True, blank=True)
    contact_name = models.CharField("联系人", max_length=40, blank=True)
    contact_phone = models.CharField("联系电话", max_length=40, blank=True)
    status = models.CharField("状态", max_length=12, choices=DemandStatus.choices, default=DemandStatus.OPEN)
    posted_by = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="发布账号"
    )
    match_tokens = models.TextField(
        "匹配分词",
        null=True,
        blank=True,
        default=None,
        editable=False,
        help_text="名称（两次）和需求描述的分词（以空格分隔），保存时写入，供成果与专家推荐使用；NULL 表示尚未分词（按原文即时分词）。",
    )

    class Meta:
        verbose_name = "技术需求"
        verbose_name_plural = "技术需求"
        ordering = ["-created_at", "-id"]
        permissions = [("post_techdemand", "可以发布本单位技术需求与成果")]

    def __str__(self) -> str:
        return self.title


class Match(DomainModel):
    """A pairing of a demand with an achievement or with an expert (``people.Person``), suggested by the text
    matcher (score and explanation kept) and confirmed by staff; an agreement reached at a match event
    moves it to 已达成合作."""

    demand = models.ForeignKey(TechDemand, on_delete=models.PROTECT, related_name="matches", verbose_name="技术需求")
    kind = models.CharField("对接类型", max_length=12, choices=MatchKind.choices)
    achievement = models.ForeignKey(
        Achievement, on_delete=models.PROTECT, null=True, blank=True, related_name="matches", verbose_name="科技成果"
    )
    expert = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="专家"
    )
    score = models.DecimalField("匹配度", max_digits=6, decimal_places=4, default=0)
    explanation = models.CharField("匹配说明", max_length=300, blank=True)
    status = models.CharField("状态", max_length=12, choices=MatchStatus.choices, default=MatchStatus.PROPOSED)

    class Meta:
        verbose_name = "成果对接"
        verbose_name_plural = "成果对接"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["demand", "achievement"], name="match_demand_achievement"),
            models.UniqueConstraint(fields=["demand", "expert"], name="match_demand_expert"),
        ]

    def __str__(self) -> str:
        other = self.achievement or self.expert
        return "%s ↔ %s" % (self.demand, other)


class MatchTransition(models.Model):
    """A status change of a match (who, when, why)."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="transitions", verbose_name="对接")
    locals().update(transition_fields("transfer.Match"))

    class Meta:
        verbose_name = "对接状态变更"
        verbose_name_plural = "对接状态变更"
        ordering = ["at", "pk"]


class MatchEvent(DomainModel):
    """A match event (对接会 / 成果发布会): when, where, who took part, which pairs were discussed and with
    what outcome."""

    title = models.CharField("活动名称", max_length=200)
    held_on = models.DateField("举办日期")
    venue = models.CharField("地点", max_length=200, blank=True)
    organizations = models.ManyToManyField("orgs.Organization", blank=True, related_name="+", verbose_name="参会单位")
    experts = models.ManyToManyField("people.Person", blank=True, related_name="+", verbose_name="参会专家")
    participant_count = models.PositiveIntegerField("参会人数", default=0)
    summary = models.TextField("活动纪要", blank=True)

    class Meta:
        verbose_name = "对接活动"
        verbose_name_plural = "对接活动"
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title


class MatchEventPair(models.Model):
    """A pair discussed at a match event and its outcome."""

    event = models.ForeignKey(MatchEvent, on_delete=models.CASCADE, related_name="pairs", verbose_name="对接活动")
    match = models.ForeignKey(Match, on_delete=models.PROTECT, related_name="event_pairs", verbose_name="对接")
    outcome = models.CharField("结果", max_length=12, choices=PairOutcome.choices)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "洽谈对接"
        verbose_name_plural = "洽谈对接"
        constraints = [models.UniqueConstraint(fields=["event", "match"], name="event_pair_unique")]


class TechContract(DomainModel):
    """A registered technology contract (技术合同登记): type, parties, exact amount (元), registration number
    and date. The region is the registering (seller's) region; totals by region and year feed statistics."""

    contract_type = models.CharField("合同类型", max_length=12, choices=ContractType.choices)
    title = models.CharField("合同名称", max_length=200)
    registration_no = models.CharField("登记编号", max_length=40, unique=True)
    registered_on = models.DateField("登记日期")
    signed_on = models.DateField("签订日期", null=True, blank=True)
    seller = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="卖方（受托方）",
    )
    seller_name = models.CharField("卖方名称", max_length=200)
    buyer = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="买方（委托方）",
    )
    buyer_name = models.CharField("买方名称", max_length=200)
    amount = models.DecimalField("合同成交额（元）", max_digits=14, decimal_places=2)
    match = models.ForeignKey(
        Match, on_delete=models.PROTECT, null=True, blank=True, related_name="contracts", verbose_name="来源对接"
    )

    class Meta:
        verbose_name = "技术合同"
        verbose_name_plural = "技术合同"
        ordering = ["-registered_on", "-id"]
        indexes = [models.Index(fields=["registered_on"], name="contract_registered")]

    def __str__(self) -> str:
        return "%s %s" % (self.registration_no, self.title)


class Cooperation(DomainModel):
    """A co-operation agreement (合作协议) of the county (or a local organization) with a university or
    institute, with the projects carried out under it (refs such as ``programs.project:12`` or names)."""

    title = models.CharField("协议名称", max_length=200)
    partner = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="合作院校（院所）",
    )
    partner_name = models.CharField("合作院校（院所）名称", max_length=200)
    local_party = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="本地签约单位",
    )
    signed_on = models.DateField("签订日期")
    ends_on = models.DateField("有效期至", null=True, blank=True)
    content = models.TextField("合作内容", blank=True)
    projects = models.JSONField(
        "合作项目", default=list, blank=True, help_text="项目引用或名称，如 programs.project:12。"
    )

    class Meta:
        verbose_name = "合作协议"
        verbose_name_plural = "合作协议"
        ordering = ["-signed_on", "-id"]

    def __str__(self) -> str:
        return self.title
