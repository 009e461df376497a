"""Choice lists and status graphs of S&T awards (科技奖励)."""

from __future__ import annotations

from django.db import models

from kejiju.core.workflow import Action, Workflow


class AwardLevel(models.TextChoices):
    NATIONAL = "national", "国家级"
    PROVINCIAL = "provincial", "省级"
    PREFECTURE = "prefecture", "市（州）级"
    COUNTY = "county", "县级"


class CycleStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    OPEN = "open", "受理推荐"
    CHECKING = "checking", "形式审查"
    REVIEW = "review", "专家评审"
    DECIDED = "decided", "已评定"
    PUBLICITY = "publicity", "公示中"
    CLOSED = "closed", "已授奖"


class NominationStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已推荐"
    RETURNED = "returned", "退回修改"
    PASSED = "passed", "形式审查通过"
    REJECTED = "rejected", "不予受理"
    AWARDED = "awarded", "拟授奖"
    NOT_AWARDED = "not_awarded", "未获奖"
    GRANTED = "granted", "已授奖"
    REVOKED = "revoked", "撤销"


CYCLE_FLOW = Workflow(
    [
        Action("open", "开始受理推荐", (CycleStatus.DRAFT,), CycleStatus.OPEN),
        Action("close_nominations", "截止推荐，进入形式审查", (CycleStatus.OPEN,), CycleStatus.CHECKING),
        Action("start_review", "进入专家评审", (CycleStatus.CHECKING,), CycleStatus.REVIEW),
        Action(
            "decide",
            "评定结果",
            (CycleStatus.REVIEW,),
            CycleStatus.DECIDED,
            confirm="评定后按评审委员会表决结果（含已填理由的调整）确定拟授奖和不授奖项目，表决不能再修改。确定评定？",
        ),
        Action("publicize", "发布公示", (CycleStatus.DECIDED,), CycleStatus.PUBLICITY),
        Action(
            "close",
            "公示结束，正式授奖",
            (CycleStatus.PUBLICITY,),
            CycleStatus.CLOSED,
            style="success",
            confirm="授奖后生成获奖证书并计入奖金台账，确定授奖？",
        ),
    ],
    dict(CycleStatus.choices),
)

NOMINATION_FLOW = Workflow(
    [
        Action("submit", "提交推荐", (NominationStatus.DRAFT, NominationStatus.RETURNED), NominationStatus.SUBMITTED),
        Action(
            "return",
            "退回修改",
            (NominationStatus.SUBMITTED,),
            NominationStatus.RETURNED,
            reason_required=True,
            style="warning",
        ),
        Action("pass", "形式审查通过", (NominationStatus.SUBMITTED,), NominationStatus.PASSED, style="success"),
        Action(
            "reject",
            "不予受理",
            (NominationStatus.SUBMITTED,),
            NominationStatus.REJECTED,
            reason_required=True,
            style="danger",
        ),
        Action("award", "拟授奖", (NominationStatus.PASSED, NominationStatus.NOT_AWARDED), NominationStatus.AWARDED),
        Action(
            "not_award", "不授奖", (NominationStatus.PASSED, NominationStatus.AWARDED), NominationStatus.NOT_AWARDED
        ),
        Action("grant", "正式授奖", (NominationStatus.AWARDED,), NominationStatus.GRANTED),
        Action(
            "revoke",
            "撤销",
            (NominationStatus.AWARDED, NominationStatus.GRANTED),
            NominationStatus.REVOKED,
            reason_required=True,
            style="danger",
        ),
    ],
    dict(NominationStatus.choices),
)
