"""The declared status graph of a service request (house rule 4); it also drives the buttons."""

from __future__ import annotations

from kejiju.core.workflow import Action, Workflow
from kejiju.service.choices import RequestStatus as S

REQUEST_WORKFLOW = Workflow(
    [
        Action("answer", "直接答复", (S.RECEIVED,), S.ANSWERED),
        Action("dispatch", "派单", (S.RECEIVED,), S.DISPATCHED),
        Action("transfer", "转派", (S.DISPATCHED, S.ACCEPTED), S.DISPATCHED, reason_required=True, style="warning"),
        Action("accept", "接单", (S.DISPATCHED,), S.ACCEPTED, style="success"),
        Action("decline", "退回", (S.DISPATCHED,), S.RECEIVED, reason_required=True, style="secondary"),
        Action("wait", "等待来电人（暂停计时）", (S.RECEIVED, S.ACCEPTED), S.WAITING, style="secondary"),
        Action("resume_received", "恢复处理", (S.WAITING,), S.RECEIVED, style="secondary"),
        Action("resume_accepted", "恢复处理", (S.WAITING,), S.ACCEPTED, style="secondary"),
        Action("visit", "记录出诊", (S.ACCEPTED, S.VISITED), S.VISITED),
        Action("close", "办结", (S.ANSWERED, S.VISITED), S.CLOSED, style="success", confirm="确定办结该工单吗？"),
        Action("reopen", "重新打开", (S.CLOSED,), S.RECEIVED, reason_required=True, style="secondary"),
        Action(
            "complain",
            "登记投诉",
            (S.ANSWERED, S.VISITED, S.CLOSED),
            S.RECEIVED,
            reason_required=True,
            style="danger",
            confirm="登记投诉后工单将重新打开并计入承办人投诉次数，确定吗？",
        ),
    ],
    labels={str(c.value): str(c.label) for c in S},
)
