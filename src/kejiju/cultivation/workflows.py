"""Declared status graphs of enterprise cultivation (house rule 4): they drive services and buttons."""

from __future__ import annotations

from kejiju.core.workflow import Action, Workflow
from kejiju.cultivation.choices import AwardStatus, FilingStatus, Stage

S = Stage
PIPELINE = Workflow(
    [
        Action("register", "登记入库编号", (S.SELF_EVALUATED,), S.REGISTERED),
        Action("reserve", "纳入高企后备", (S.REGISTERED,), S.RESERVE),
        Action("apply", "登记高企申报", (S.RESERVE,), S.APPLIED),
        Action("recognise", "登记认定结果", (S.APPLIED,), S.RECOGNISED, style="success"),
        Action("reject", "未获认定，退回后备", (S.APPLIED,), S.RESERVE, reason_required=True, style="warning"),
        Action("lapse", "登记失效", (S.RECOGNISED,), S.LAPSED, reason_required=True, style="danger"),
    ],
    {str(k): str(v) for k, v in Stage.choices},
)

F = FilingStatus
FILING = Workflow(
    [
        Action("file", "审核通过（备案）", (F.SUBMITTED,), F.FILED, style="success"),
        Action("return", "退回", (F.SUBMITTED,), F.RETURNED, reason_required=True, style="warning"),
        Action("resubmit", "重新提交", (F.RETURNED,), F.SUBMITTED),
    ],
    {str(k): str(v) for k, v in FilingStatus.choices},
)

A = AwardStatus
AWARD = Workflow(
    [
        Action("approve", "审核通过", (A.CALCULATED,), A.APPROVED, style="success"),
        Action("publicize", "公示", (A.APPROVED,), A.PUBLICIZED),
        Action("pay", "登记拨付", (A.PUBLICIZED,), A.PAID, style="success"),
        Action(
            "reject",
            "不予奖补",
            (A.CALCULATED, A.APPROVED, A.PUBLICIZED),
            A.REJECTED,
            reason_required=True,
            style="danger",
            confirm="确定不予奖补吗？",
        ),
    ],
    {str(k): str(v) for k, v in AwardStatus.choices},
)
