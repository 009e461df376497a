"""Computed indicators of programmes and projects (area ``programs``): every figure is explained by
the records its ``records`` function returns for a region (code prefix) and a period."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kejiju.core.indicators import Column, Indicator, count_value, register_indicator, sum_value

WAN = Decimal("0.0001")


def _span(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_default_timezone()
    return datetime.combine(start, time.min, tzinfo=tz), datetime.combine(end, time.max, tzinfo=tz)


def _submitted(region: str, start: date, end: date) -> Any:
    from kejiju.programs.models import ApplicationVersion

    lo, hi = _span(start, end)
    from kejiju.programs.models import Application

    first = ApplicationVersion.objects.filter(number=1, created_at__range=(lo, hi)).values("application_id")
    return Application.objects.filter(pk__in=first, region__code__startswith=region).select_related("organization")


def _approved(region: str, start: date, end: date) -> Any:
    from kejiju.programs.models import Project

    return Project.objects.filter(region__code__startswith=region, approved_on__range=(start, end)).select_related(
        "organization", "program"
    )


def _paid(region: str, start: date, end: date) -> Any:
    from kejiju.programs.models import Payment

    return Payment.objects.filter(project__region__code__startswith=region, paid_on__range=(start, end)).select_related(
        "project"
    )


def _accepted(region: str, start: date, end: date) -> Any:
    from kejiju.programs.choices import ProjectStatus
    from kejiju.programs.models import Project

    return Project.objects.filter(
        region__code__startswith=region,
        closed_on__range=(start, end),
        status__in=(ProjectStatus.ACCEPTED, ProjectStatus.ACCEPTED_CONDITIONAL),
    ).select_related("organization", "program")


def _in_progress(region: str, start: date, end: date) -> Any:
    """Projects being carried out at some time in the period: approved by its end, not closed before its start."""
    from django.db.models import Q

    from kejiju.programs.choices import ProjectStatus
    from kejiju.programs.models import Project

    return (
        Project.objects.filter(region__code__startswith=region, approved_on__lte=end)
        .exclude(status=ProjectStatus.PENDING_CONTRACT)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start))
        .select_related("organization", "program")
    )


def _list_url(status: str = "") -> Any:
    def url(region: str, start: date, end: date) -> str:
        from django.urls import reverse

        query = "region=%s" % region + ("&status=%s" % status if status else "")
        return reverse("programs:project_list") + "?" + query

    return url


PROJECT_COLUMNS = (
    Column("项目编号", "number"),
    Column("项目名称", "title"),
    Column("承担单位", "organization.name"),
    Column("科技计划", "program.name"),
    Column("立项资助（元）", "approved_amount"),
)

register_indicator(
    Indicator(
        "programs.applications_submitted",
        "项目申报数",
        "期间首次提交的申报书数（按申报单位所在区划）。",
        "项",
        "programs",
        _submitted,
        count_value,
        order=10,
        columns=(Column("申报编号", "number"), Column("项目名称", "title"), Column("申报单位", "organization.name")),
    )
)
register_indicator(
    Indicator(
        "programs.projects_approved",
        "立项项目数",
        "期间立项（立项决定日期在期间内）的项目数。",
        "项",
        "programs",
        _approved,
        count_value,
        order=20,
        list_url=_list_url(),
        columns=PROJECT_COLUMNS,
    )
)
register_indicator(
    Indicator(
        "programs.funds_approved",
        "立项资助金额",
        "期间立项项目的资助金额合计。",
        "万元",
        "programs",
        _approved,
        sum_value("approved_amount", WAN),
        decimals=2,
        order=30,
        columns=PROJECT_COLUMNS,
    )
)
register_indicator(
    Indicator(
        "programs.funds_disbursed",
        "拨付经费",
        "期间实际拨付的项目经费合计。",
        "万元",
        "programs",
        _paid,
        sum_value("amount", WAN),
        decimals=2,
        order=40,
        columns=(Column("项目", "project.title"), Column("拨付日期", "paid_on"), Column("金额（元）", "amount")),
    )
)
register_indicator(
    Indicator(
        "programs.projects_accepted",
        "验收项目数",
        "期间通过验收（含有条件通过）的项目数。",
        "项",
        "programs",
        _accepted,
        count_value,
        order=50,
        columns=PROJECT_COLUMNS,
    )
)
register_indicator(
    Indicator(
        "programs.projects_in_progress",
        "在研项目数",
        "期间内处于执行期的项目数（已签订任务书、期间开始前未结题）。",
        "项",
        "programs",
        _in_progress,
        count_value,
        order=60,
        additive=True,
        period="year",
        columns=PROJECT_COLUMNS,
    )
)
