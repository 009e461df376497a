"""The status graph of a talent selection round (house rule 4), declared once: it drives the
transition service and the buttons of the round page."""

from __future__ import annotations

from kejiju.core.workflow import Action, Workflow
from kejiju.people.choices import RoundStatus as S

ROUND_FLOW = Workflow(
    [
        Action("open", "开始推荐", (S.DRAFT,), S.NOMINATING, confirm="开始推荐后可登记推荐人选。"),
        Action("start_review", "进入评审", (S.NOMINATING,), S.REVIEWING, confirm="进入评审后不再接受推荐。"),
        Action("decide", "确定人选", (S.REVIEWING,), S.DECIDED, confirm="确定后评选结果不能再改。"),
        Action("publish", "发布公示", (S.DECIDED,), S.PUBLICITY),
        Action(
            "grant",
            "认定入库",
            (S.PUBLICITY,),
            S.GRANTED,
            confirm="公示期满且异议已处理：入选人员将加入人才类别。",
            style="success",
        ),
        Action(
            "cancel",
            "取消评选",
            (S.DRAFT, S.NOMINATING, S.REVIEWING, S.DECIDED, S.PUBLICITY),
            S.CANCELLED,
            reason_required=True,
            style="outline-danger",
        ),
    ],
    {str(s.value): str(s.label) for s in S},
)
