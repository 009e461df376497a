"""The platform status graph (正常 ⇄ 预警 → 已撤销)."""

from __future__ import annotations

from kejiju.core.workflow import Action, Workflow
from kejiju.platforms.choices import PlatformStatus as S

STATUS = Workflow(
    [
        Action("warn", "预警", (S.GOOD,), S.WARNING, reason_required=True, style="warning"),
        Action("restore", "恢复正常", (S.WARNING,), S.GOOD, reason_required=True, style="success"),
        Action(
            "revoke",
            "撤销",
            (S.GOOD, S.WARNING),
            S.REVOKED,
            reason_required=True,
            style="danger",
            confirm="确定撤销该平台吗？撤销后不再计入有效平台。",
        ),
    ],
    {str(k): str(v) for k, v in S.choices},
)
