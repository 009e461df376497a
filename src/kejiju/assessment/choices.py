"""Choice lists and status graphs of the target-responsibility assessment (目标责任制考核)."""

from __future__ import annotations

from django.db import models

from kejiju.core.workflow import Action, Workflow


class AssesseeKind(models.TextChoices):
    TOWN = "town", "乡镇（街道）"
    DEPARTMENT = "department", "部门"


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    ISSUED = "issued", "已下达"
    SCORING = "scoring", "考核评分中"
    PUBLISHED = "published", "已公布"


class TargetStatus(models.TextChoices):
    ISSUED = "issued", "已下达"
    SUBMITTED = "submitted", "已提交自评"
    PUBLISHED = "published", "已公布"


#: 年中进度 (mid-year progress) is reported while the scheme is 已下达 (the year is under way; there is no
#: separate "in progress" state) and the assessee has not yet submitted its self-assessment (目标任务书 still
#: 已下达). Once the self-assessment is submitted (even if later returned for correction), or scoring starts, the
#: mid-year report is closed.
MIDYEAR_SCHEME_STATES = (SchemeStatus.ISSUED,)
MIDYEAR_TARGET_STATES = (TargetStatus.ISSUED,)


class MidyearStatus(models.TextChoices):
    """The state of one assessee × indicator cell of the mid-year progress table."""

    LAGGING = "lagging", "滞后"
    ON_TRACK = "on_track", "正常"
    REPORTED = "reported", "已报送"
    NOT_FILLED = "not_filled", "未填报"
    UNREPORTED = "unreported", "未报送"


class AppealStatus(models.TextChoices):
    OPEN = "open", "待处理"
    ACCEPTED = "accepted", "已采纳并调整"
    REJECTED = "rejected", "不予采纳"


SCHEME_FLOW = Workflow(
    [
        Action(
            "issue",
            "下达目标任务",
            (SchemeStatus.DRAFT,),
            SchemeStatus.ISSUED,
            confirm="下达后考核细则不能再修改，确定下达？",
        ),
        Action("start_scoring", "开始考核评分", (SchemeStatus.ISSUED,), SchemeStatus.SCORING),
        Action(
            "publish",
            "公布考核结果",
            (SchemeStatus.SCORING,),
            SchemeStatus.PUBLISHED,
            style="success",
            confirm="公布后各被考核单位可见得分、排名和等次，确定公布？",
        ),
    ],
    dict(SchemeStatus.choices),
)

TARGET_FLOW = Workflow(
    [
        Action("submit", "提交自评", (TargetStatus.ISSUED,), TargetStatus.SUBMITTED),
        Action(
            "reopen", "退回自评", (TargetStatus.SUBMITTED,), TargetStatus.ISSUED, reason_required=True, style="warning"
        ),
        Action("publish", "公布", (TargetStatus.ISSUED, TargetStatus.SUBMITTED), TargetStatus.PUBLISHED),
    ],
    dict(TargetStatus.choices),
)
