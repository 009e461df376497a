"""The match status graph (declared once; drives the service and the buttons)."""

from kejiju.core.workflow import Action, Workflow
from kejiju.transfer.choices import MatchStatus

MATCH_WORKFLOW = Workflow(
    [
        Action("confirm", "确认对接", (MatchStatus.PROPOSED,), MatchStatus.CONFIRMED, style="primary"),
        Action(
            "decline",
            "未达成",
            (MatchStatus.PROPOSED, MatchStatus.CONFIRMED),
            MatchStatus.DECLINED,
            reason_required=True,
            style="outline-danger",
        ),
        Action("agree", "达成合作", (MatchStatus.CONFIRMED,), MatchStatus.AGREED, style="success"),
    ],
    {str(c.value): str(c.label) for c in MatchStatus},
)
