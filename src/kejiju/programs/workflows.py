"""The declared status graphs of calls, applications, approval decisions, projects and contract changes
(house rule 4): the services check every transition against them and the pages draw their buttons from
them (``workflow.available(status)``)."""

from __future__ import annotations

from kejiju.core.workflow import Action, Workflow
from kejiju.programs.choices import (
    ApplicationStatus as A,
)
from kejiju.programs.choices import (
    CallStatus as C,
)
from kejiju.programs.choices import (
    ChangeStatus as CH,
)
from kejiju.programs.choices import (
    DecisionStatus as D,
)
from kejiju.programs.choices import (
    ProjectStatus as P,
)

CALL_FLOW = Workflow(
    [
        Action(
            "publish", "发布", (C.DRAFT,), C.PUBLISHED, confirm="发布后指南在公开页面可见，单位可在申报时间内申报。"
        ),
        Action("close", "截止", (C.PUBLISHED,), C.CLOSED, style="secondary"),
        Action("reopen", "重新开放", (C.CLOSED,), C.PUBLISHED, reason_required=True, style="warning"),
    ],
    dict(C.choices),
)

#: Applicant steps (submit/withdraw/reopen) and staff steps (recommend … decline) of an application.
APPLICATION_FLOW = Workflow(
    [
        Action("submit", "提交", (A.DRAFT, A.RETURNED), A.SUBMITTED),
        Action("submit_to_county", "提交（待属地推荐）", (A.DRAFT, A.RETURNED), A.PENDING_RECOMMENDATION),
        Action("withdraw", "撤回", (A.SUBMITTED, A.PENDING_RECOMMENDATION), A.WITHDRAWN, style="secondary"),
        Action("reopen", "重新编辑", (A.WITHDRAWN,), A.DRAFT, style="secondary"),
        Action("recommend", "推荐", (A.PENDING_RECOMMENDATION,), A.SUBMITTED, style="success"),
        Action(
            "county_return",
            "退回（属地）",
            (A.PENDING_RECOMMENDATION,),
            A.RETURNED,
            reason_required=True,
            style="warning",
        ),
        Action("start_check", "开始形式审查", (A.SUBMITTED,), A.CHECKING),
        Action("pass_check", "形式审查通过", (A.SUBMITTED, A.CHECKING), A.IN_REVIEW, style="success"),
        Action("return", "退回修改", (A.SUBMITTED, A.CHECKING), A.RETURNED, reason_required=True, style="warning"),
        Action(
            "reject",
            "不予受理",
            (A.SUBMITTED, A.CHECKING),
            A.REJECTED,
            reason_required=True,
            style="danger",
            confirm="不予受理后申报单位不能再修改提交。",
        ),
        Action("record_review", "录入评审结果", (A.IN_REVIEW,), A.REVIEWED),
        Action("approve", "立项", (A.REVIEWED,), A.APPROVED, style="success"),
        Action("decline", "不予立项", (A.REVIEWED,), A.NOT_APPROVED, reason_required=True, style="danger"),
    ],
    dict(A.choices),
)

APPLICANT_ACTIONS = frozenset({"submit", "submit_to_county", "withdraw", "reopen"})
RECOMMEND_ACTIONS = frozenset({"recommend", "county_return"})
CHECK_ACTIONS = frozenset({"start_check", "pass_check", "return", "reject"})
#: Staff actions offered as plain buttons on the application page (the others have their own forms).
STAFF_BUTTONS = RECOMMEND_ACTIONS | CHECK_ACTIONS | {"decline"}

DECISION_FLOW = Workflow(
    [
        Action("publish", "发布公示", (D.DRAFT,), D.PUBLICIZED),
        Action(
            "confirm",
            "确定立项",
            (D.PUBLICIZED,),
            D.CONFIRMED,
            style="success",
            confirm="确定后生成项目，拟立项名单不能再改。",
        ),
        Action("issue_notice", "下达立项通知书", (D.CONFIRMED,), D.NOTICED),
    ],
    dict(D.choices),
)

PROJECT_FLOW = Workflow(
    [
        Action("sign_contract", "签订任务书", (P.PENDING_CONTRACT,), P.IN_PROGRESS, style="success"),
        Action("apply_acceptance", "申请验收", (P.IN_PROGRESS,), P.ACCEPTANCE_APPLIED),
        Action("accept", "验收通过", (P.ACCEPTANCE_APPLIED,), P.ACCEPTED, style="success"),
        Action(
            "accept_conditional",
            "有条件通过",
            (P.ACCEPTANCE_APPLIED,),
            P.ACCEPTED_CONDITIONAL,
            reason_required=True,
            style="warning",
        ),
        Action("fail", "验收不通过", (P.ACCEPTANCE_APPLIED,), P.FAILED, reason_required=True, style="danger"),
        Action(
            "terminate",
            "终止项目",
            (P.PENDING_CONTRACT, P.IN_PROGRESS, P.ACCEPTANCE_APPLIED),
            P.TERMINATED,
            reason_required=True,
            style="danger",
            confirm="终止后项目不再拨付经费。",
        ),
    ],
    dict(P.choices),
)

CHANGE_FLOW = Workflow(
    [
        Action("approve", "批准调整", (CH.PENDING,), CH.APPROVED, style="success"),
        Action("refuse", "不批准", (CH.PENDING,), CH.REJECTED, reason_required=True, style="danger"),
    ],
    dict(CH.choices),
)
