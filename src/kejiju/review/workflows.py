"""Declared status graphs of the review app (house rule 4): experts, batches and assignments."""

from __future__ import annotations

from kejiju.core.workflow import Action, Workflow
from kejiju.review.choices import AssignmentStatus as A
from kejiju.review.choices import BatchStatus as B
from kejiju.review.choices import ExpertStatus as E

EXPERT_WORKFLOW = Workflow(
    [
        Action("approve", "审核通过", (E.APPLIED,), E.ACTIVE, style="success"),
        Action("reject", "不予入库", (E.APPLIED,), E.REJECTED, reason_required=True, style="danger"),
        Action("pause", "暂停", (E.ACTIVE,), E.PAUSED, reason_required=True, style="warning"),
        Action("resume", "恢复", (E.PAUSED,), E.ACTIVE, style="success"),
        Action("retire", "退出专家库", (E.ACTIVE, E.PAUSED), E.RETIRED, reason_required=True, style="secondary"),
        Action("reinstate", "重新入库", (E.RETIRED,), E.ACTIVE, style="success"),
        Action(
            "remove",
            "除名",
            (E.ACTIVE, E.PAUSED, E.RETIRED),
            E.REMOVED,
            reason_required=True,
            style="danger",
            confirm="除名后该专家不再参加任何评审，确定吗？",
        ),
    ],
    dict(E.choices),
)

BATCH_WORKFLOW = Workflow(
    [
        Action("draw", "抽取专家", (B.DRAFT,), B.SCORING),
        Action("close", "汇总并回传结果", (B.SCORING,), B.CLOSED, style="success"),
        Action("cancel", "取消批次", (B.DRAFT, B.SCORING), B.CANCELLED, reason_required=True, style="danger"),
    ],
    dict(B.choices),
)

ASSIGNMENT_WORKFLOW = Workflow(
    [
        Action("invite", "邀请", (A.RESERVE,), A.INVITED),
        Action("accept", "接受邀请", (A.INVITED,), A.ACCEPTED, style="success"),
        Action("decline", "谢绝", (A.INVITED, A.ACCEPTED), A.DECLINED, reason_required=True, style="danger"),
        Action("expire", "逾期未答复", (A.INVITED,), A.EXPIRED),
        Action("submit", "提交评分", (A.ACCEPTED,), A.SUBMITTED, style="success"),
    ],
    dict(A.choices),
)
