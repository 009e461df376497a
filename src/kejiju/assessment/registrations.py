"""What the assessment module adds to the platform: role permissions, menu and history pages."""

from __future__ import annotations

from kejiju.core.audit import register_history_model
from kejiju.core.choices import Role
from kejiju.core.navigation import NavItem, register_nav
from kejiju.core.roles import grant

VIEW = ("assessment.view_assessmentscheme", "assessment.view_assessmenttarget")
MANAGE = (
    "assessment.add_assessmentscheme",
    "assessment.change_assessmentscheme",
    "assessment.change_assessmenttarget",
    "assessment.score_assessment",
)

grant((Role.SYSTEM_ADMIN, Role.BUREAU_ADMIN, Role.BUREAU_STAFF), *VIEW, *MANAGE)
grant(Role.BUREAU_LEADER, *VIEW, "assessment.score_assessment")
grant(Role.TOWN_STATION, *VIEW, "assessment.change_assessmenttarget")
grant(
    Role.EXPERT, "assessment.view_assessmentscheme", "assessment.view_assessmenttarget", "assessment.score_assessment"
)

register_nav(
    "assessment",
    "目标考核",
    "clipboard-check",
    400,
    [
        NavItem("考核方案", "assessment:scheme_list", "assessment.view_assessmentscheme", "list-check"),
        NavItem("新建考核方案", "assessment:scheme_create", "assessment.add_assessmentscheme", "plus-circle"),
        NavItem("科技进步考核材料", "assessment:dossier_list", "assessment.view_assessmentscheme", "folder-check"),
    ],
)

register_history_model("assessmentscheme", "assessment.AssessmentScheme", "考核方案")
register_history_model("assessmenttarget", "assessment.AssessmentTarget", "目标任务书")
register_history_model("progressdossier", "assessment.ProgressDossier", "科技进步考核材料")
register_history_model("midyearprogress", "assessment.MidyearProgress", "年中进度")
