"""The service line (科技服务热线 / 农业科技110) and its knowledge base (知识库).

A :class:`ServiceRequest` (求助/工单) is taken by an operator or from the public web form, answered directly
from the knowledge base or dispatched (:class:`Dispatch`) to a person on the duty rota (:class:`DutySlot`),
visited (:class:`Visit`) and called back (:class:`Callback`, with the loss avoided). Every status change is a
:class:`ServiceRequestTransition`. :class:`EarlyWarning` records a cluster of similar requests in one town.
:class:`KnowledgeArticle` rows are mirrored into a full-text table (``service_kb_fts``) by the services.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from kejiju.core.models import DomainModel
from kejiju.core.workflow import transition_fields
from kejiju.service.choices import (
    Channel,
    DispatchKind,
    LossMethod,
    LossStatus,
    RequestStatus,
    Visibility,
)


class ServiceSubject(models.Model):
    """A subject of requests (种植业, 畜牧业, 水产养殖 …): a code table the bureau edits; disabled, never deleted."""

    code = models.SlugField("代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=40)
    order = models.PositiveSmallIntegerField("排序", default=100)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "服务领域"
        verbose_name_plural = "服务领域"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class ProblemCategory(models.Model):
    """A problem category (病害, 虫害, 疫病 …) with its timers in hours: first response, visit (0 = no visit
    expected) and closure, counted from intake, without the time spent waiting for the caller."""

    code = models.SlugField("代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=40)
    response_hours = models.PositiveIntegerField("首次响应时限（小时）", default=24)
    visit_hours = models.PositiveIntegerField("出诊时限（小时）", default=72, help_text="0 表示不要求出诊。")
    closure_hours = models.PositiveIntegerField("办结时限（小时）", default=240)
    order = models.PositiveSmallIntegerField("排序", default=100)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "问题类别"
        verbose_name_plural = "问题类别"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class KnowledgeArticle(DomainModel):
    """An answer or technique of the knowledge base, tagged by subject, category and season; public articles
    appear on the public pages. ``source_request`` is the closed request it was curated from (personal data
    removed)."""

    title = models.CharField("标题", max_length=200)
    summary = models.CharField("摘要", max_length=300, blank=True)
    body = models.TextField("正文")
    subject = models.ForeignKey(ServiceSubject, on_delete=models.PROTECT, related_name="+", verbose_name="服务领域")
    category = models.ForeignKey(
        ProblemCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="问题类别"
    )
    seasons = models.JSONField("适用季节", default=list, blank=True)
    keywords = models.CharField("关键词", max_length=200, blank=True)
    visibility = models.CharField("公开范围", max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    source_request = models.ForeignKey(
        "service.ServiceRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name="来源工单",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="编写人",
    )
    views = models.PositiveIntegerField("浏览次数", default=0)

    class Meta:
        verbose_name = "知识库文章"
        verbose_name_plural = "知识库文章"
        ordering = ["-updated_at", "-pk"]
        indexes = [models.Index(fields=["subject", "visibility"], name="svc_kb_subject_vis")]

    def __str__(self) -> str:
        return self.title


class ServiceRequest(DomainModel):
    """One request for help (求助/工单). ``region`` is the caller's village (or town): the owner region;
    ``assigned_region`` is the town it was dispatched or transferred to, so a transfer to another county is
    visible to both sides (``SCOPE_FIELDS``). The taker owns the request until it is dispatched. Timers
    (``*_due``) come from the category and are pushed back by the time spent waiting for the caller."""

    SCOPE_FIELDS: ClassVar[tuple[str, ...]] = ("region", "assigned_region")

    number = models.CharField("工单号", max_length=20, unique=True)
    channel = models.CharField("受理渠道", max_length=10, choices=Channel.choices, default=Channel.PHONE)
    caller_phone = models.CharField("来电号码", max_length=20, db_index=True)
    caller_name = models.CharField("求助人", max_length=40)
    town = models.ForeignKey(
        "core.Region", on_delete=models.PROTECT, related_name="+", verbose_name="所在乡镇", db_index=True
    )
    subject = models.ForeignKey(ServiceSubject, on_delete=models.PROTECT, related_name="+", verbose_name="服务领域")
    category = models.ForeignKey(ProblemCategory, on_delete=models.PROTECT, related_name="+", verbose_name="问题类别")
    description = models.TextField("问题描述")
    status = models.CharField(
        "状态", max_length=20, choices=RequestStatus.choices, default=RequestStatus.RECEIVED, db_index=True
    )
    resume_status = models.CharField("等待前状态", max_length=20, blank=True, editable=False)
    taker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="受理人",
    )
    assignee = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="承办人"
    )
    assigned_region = models.ForeignKey(
        "core.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="承办地"
    )
    received_at = models.DateTimeField("受理时间", default=timezone.now, db_index=True)
    first_response_at = models.DateTimeField("首次响应时间", null=True, blank=True)
    dispatched_at = models.DateTimeField("派单时间", null=True, blank=True)
    accepted_at = models.DateTimeField("接单时间", null=True, blank=True)
    visited_at = models.DateTimeField("出诊时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    response_due = models.DateTimeField("响应时限", null=True, blank=True)
    visit_due = models.DateTimeField("出诊时限", null=True, blank=True)
    closure_due = models.DateTimeField("办结时限", null=True, blank=True)
    paused_at = models.DateTimeField("暂停计时时间", null=True, blank=True)
    paused_seconds = models.PositiveIntegerField("累计暂停（秒）", default=0)
    is_overdue = models.BooleanField("超时", default=False, db_index=True)
    answer = models.TextField("答复内容", blank=True)
    articles_used = models.ManyToManyField(
        KnowledgeArticle, blank=True, related_name="used_by", verbose_name="引用的知识库文章"
    )
    satisfaction = models.PositiveSmallIntegerField("满意度", null=True, blank=True)
    resolved = models.BooleanField("问题已解决", null=True, blank=True)
    loss_avoided = models.DecimalField(
        "挽回经济损失（元，已核定）", null=True, blank=True, max_digits=14, decimal_places=2
    )
    complaints = models.PositiveSmallIntegerField("投诉次数", default=0)

    class Meta:
        verbose_name = "服务工单"
        verbose_name_plural = "服务工单"
        ordering = ["-received_at", "-pk"]
        permissions = [
            ("dispatch_servicerequest", "可以派单和转派工单"),
            ("check_loss", "可以核定挽回经济损失"),
            ("view_service_stats", "可以查看服务热线统计"),
        ]
        indexes = [
            models.Index(fields=["region", "received_at"], name="svc_req_region_recv"),
            models.Index(fields=["town", "received_at"], name="svc_req_town_recv"),
            # the list filtered by status, newest first: its capped count reads the scope and subject
            # columns from the index alone (an index-only scan instead of a heap row per candidate)
            models.Index(
                fields=["status", "received_at"],
                include=["region", "assigned_region", "subject", "id"],
                name="svc_req_status_recv_cov",
            ),
            models.Index(fields=["subject", "category", "town", "received_at"], name="svc_req_cluster"),
            models.Index(fields=["assignee", "status"], name="svc_req_assignee"),
            # the list's search box looks for a number, a phone or a caller's name: one index each
            models.Index(fields=["caller_name"], name="svc_req_caller_name"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_waiting(self) -> bool:
        return self.status == RequestStatus.WAITING


class ServiceRequestTransition(models.Model):
    """One status change of a request (house rule 4)."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="transitions")
    locals().update(transition_fields("service.ServiceRequest"))

    class Meta:
        verbose_name = "工单状态变更"
        verbose_name_plural = "工单状态变更"
        ordering = ["at", "pk"]


class DutySlot(DomainModel):
    """One person on duty (值班) on one date for one town (``region``, 9 digits) and subjects. Experts and
    commissioners are :class:`people.Person` records; the assignee sees their tasks when the person has an
    account (``Person.user``)."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+", verbose_name="值班人员")
    on_date = models.DateField("值班日期", db_index=True)
    subjects = models.ManyToManyField(ServiceSubject, related_name="+", verbose_name="服务领域")
    note = models.CharField("备注", max_length=100, blank=True)

    class Meta:
        verbose_name = "值班安排"
        verbose_name_plural = "值班安排"
        ordering = ["on_date", "region", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["person", "on_date", "region"], name="svc_duty_unique"),
        ]

    def __str__(self) -> str:
        return "%s %s" % (self.on_date, self.person_id)


class Dispatch(models.Model):
    """A dispatch or transfer of a request to a person in a town; the chain is the request's history and is
    shown to both the sending and the receiving side."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="dispatches")
    kind = models.CharField("类型", max_length=10, choices=DispatchKind.choices, default=DispatchKind.DISPATCH)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+", verbose_name="承办人")
    from_region = models.ForeignKey(
        "core.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="派出地"
    )
    to_region = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+", verbose_name="承办地")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="派单人")
    note = models.CharField("说明", max_length=200, blank=True)
    at = models.DateTimeField("派单时间", default=timezone.now)
    accepted_at = models.DateTimeField("接单时间", null=True, blank=True)

    class Meta:
        verbose_name = "派单记录"
        verbose_name_plural = "派单记录"
        ordering = ["at", "pk"]


class Visit(models.Model):
    """An on-site visit (出诊): date (not before the request), who went, diagnosis, measures, materials
    given; photos are attachments owned by the visit."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField("出诊日期")
    people = models.CharField("出诊人员", max_length=200)
    diagnosis = models.TextField("诊断")
    measures = models.TextField("处理措施")
    materials = models.CharField("发放资料/物资", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="记录人"
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "出诊记录"
        verbose_name_plural = "出诊记录"
        ordering = ["visited_on", "pk"]


class Callback(models.Model):
    """A callback (回访): resolved, satisfaction 1–5, the caller's comment and the loss avoided with its
    basis. The amount is computed from the basis (area × yield saved × price, head count × value, or a direct
    amount) and counts only after the bureau checks it (``loss_status``)."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="callbacks")
    called_on = models.DateField("回访日期")
    resolved = models.BooleanField("问题已解决")
    satisfaction = models.PositiveSmallIntegerField("满意度（1–5）")
    comment = models.CharField("农户意见", max_length=300, blank=True)
    loss_method = models.CharField("挽回损失测算方式", max_length=10, choices=LossMethod.choices, blank=True)
    area_mu = models.DecimalField("面积（亩）", null=True, blank=True, max_digits=14, decimal_places=2)
    yield_saved_kg = models.DecimalField("亩挽回产量（公斤）", null=True, blank=True, max_digits=14, decimal_places=2)
    price = models.DecimalField("单价（元）", null=True, blank=True, max_digits=14, decimal_places=2)
    head_count = models.PositiveIntegerField("头（只）数", null=True, blank=True)
    loss_amount = models.DecimalField("挽回经济损失（元）", null=True, blank=True, max_digits=14, decimal_places=2)
    loss_formula = models.CharField("测算公式", max_length=200, blank=True)
    loss_status = models.CharField("核定状态", max_length=10, choices=LossStatus.choices, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="核定人",
    )
    checked_at = models.DateTimeField("核定时间", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="记录人"
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "回访记录"
        verbose_name_plural = "回访记录"
        ordering = ["created_at", "pk"]


class EarlyWarning(DomainModel):
    """An early warning (预警): ``count`` requests of one subject and category in one town (``region``)
    within ``days`` days up to ``last_at``; raised once per cluster window."""

    subject = models.ForeignKey(ServiceSubject, on_delete=models.PROTECT, related_name="+", verbose_name="服务领域")
    category = models.ForeignKey(ProblemCategory, on_delete=models.PROTECT, related_name="+", verbose_name="问题类别")
    count = models.PositiveIntegerField("工单数")
    days = models.PositiveIntegerField("统计天数")
    first_at = models.DateTimeField("最早受理")
    last_at = models.DateTimeField("最近受理")
    requests = models.ManyToManyField(ServiceRequest, related_name="warnings", verbose_name="相关工单")

    class Meta:
        verbose_name = "预警"
        verbose_name_plural = "预警"
        ordering = ["-last_at", "-pk"]

    def __str__(self) -> str:
        return "%s %s×%s" % (self.region_id, self.category_id, self.count)


class StatMonth(models.Model):
    """A month (local time) of the statistics roll-up: ``dirty`` once a request received in it changed after
    the month was summed. Only clean months are read from :class:`StatRollup`; the others are counted from
    the requests themselves, so the figures stay exact either way (``kejiju service rollup``)."""

    month = models.DateField("月份", primary_key=True)
    dirty = models.BooleanField("待重算", default=True)
    built_at = models.DateTimeField("汇总时间", null=True, blank=True)

    class Meta:
        verbose_name = "统计汇总月份"
        verbose_name_plural = "统计汇总月份"
        ordering = ["month"]

    def __str__(self) -> str:
        return self.month.strftime("%Y-%m")


class StatRollup(models.Model):
    """Sums and counts of the requests of one month, one town (``town``, the caller's town, which the owner
    region's code starts with) and one assigned town, for one value of one grouping (``kind``): the channel
    (its rows also give the towns and the months), the subject, the problem category or the assignee.
    Written only by :func:`kejiju.service.services.stats_rollup_rebuild`; read by the statistics page."""

    KIND_CHANNEL, KIND_SUBJECT, KIND_CATEGORY, KIND_ASSIGNEE = 0, 1, 2, 3

    month = models.DateField("月份")
    kind = models.PositiveSmallIntegerField("分组")
    town = models.CharField("所在乡镇", max_length=12)
    assigned_region = models.CharField("承办地", max_length=12, null=True, blank=True)
    channel = models.CharField("受理渠道", max_length=10, blank=True)
    key = models.BigIntegerField("分组值", null=True, blank=True, help_text="服务领域、问题类别或承办人的编号。")
    total = models.PositiveIntegerField("件数")
    closed = models.PositiveIntegerField("办结")
    visited = models.PositiveIntegerField("出诊")
    overdue = models.PositiveIntegerField("超时")
    sat_sum = models.BigIntegerField("满意度合计", null=True, blank=True)
    sat_n = models.PositiveIntegerField("评价件数")
    loss = models.DecimalField("挽回经济损失合计（元）", null=True, blank=True, max_digits=18, decimal_places=2)
    response_sum = models.DurationField("响应时长合计", null=True, blank=True)
    response_n = models.PositiveIntegerField("已响应件数")
    closure_sum = models.DurationField("办结时长合计", null=True, blank=True)
    closure_n = models.PositiveIntegerField("已办结件数")
    complaints = models.BigIntegerField("投诉合计", null=True, blank=True)

    class Meta:
        verbose_name = "统计汇总"
        verbose_name_plural = "统计汇总"
        indexes = [models.Index(fields=["month", "kind"], name="svc_rollup_month_kind")]
