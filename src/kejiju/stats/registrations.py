"""What the statistics app adds to the platform: role permissions, menu and field-history pages."""

from __future__ import annotations

from kejiju.core.audit import register_history_model
from kejiju.core.choices import Role
from kejiju.core.navigation import NavItem, register_nav
from kejiju.core.roles import grant

MODELS = ("indicatordefinition", "enteredvalue", "target", "tablelayout", "paragraphtemplate", "workreport")
VIEW = tuple("stats.view_%s" % m for m in MODELS) + ("stats.view_indicatorvalue",)
EDIT = tuple("stats.%s_%s" % (verb, m) for m in MODELS for verb in ("add", "change"))

grant((Role.SYSTEM_ADMIN, Role.BUREAU_ADMIN), *VIEW, *EDIT, "stats.freeze_workreport")
grant(Role.BUREAU_STAFF, *VIEW, *EDIT)
grant(Role.BUREAU_LEADER, *VIEW, "stats.freeze_workreport")
grant(Role.TOWN_STATION, "stats.view_indicatordefinition")

register_nav(
    "stats",
    "统计与报表",
    "bar-chart",
    800,
    [
        NavItem("统计看板", "stats:dashboard", "stats.view_indicatordefinition", "speedometer2"),
        NavItem("指标目录", "stats:indicator_list", "stats.view_indicatordefinition", "list-ol"),
        NavItem("录入数值", "stats:entered_list", "stats.view_enteredvalue", "pencil-square"),
        NavItem("年度目标", "stats:target_list", "stats.view_target", "bullseye"),
        NavItem("上下级核对", "stats:additivity", "stats.view_indicatordefinition", "check2-square"),
        NavItem("统计表", "stats:layout_list", "stats.view_tablelayout", "table"),
        NavItem("段落模板", "stats:template_list", "stats.view_paragraphtemplate", "text-paragraph"),
        NavItem("工作总结", "stats:report_list", "stats.view_workreport", "file-earmark-text"),
    ],
)

register_history_model("enteredvalue", "stats.EnteredValue", "录入数值")
register_history_model("statstarget", "stats.Target", "年度目标")
register_history_model("workreport", "stats.WorkReport", "工作总结")
