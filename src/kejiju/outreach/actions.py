"""Operation-log action codes of the outreach app."""

from kejiju.core.audit import register_action

KIND_SAVE = register_action("outreach.kind_save", "保存特派员/活动类别")
TEMPLATE_SAVE = register_action("outreach.template_save", "保存考核模板")
COMMISSIONER_CREATE = register_action("outreach.commissioner_create", "登记科技特派员")
COMMISSIONER_UPDATE = register_action("outreach.commissioner_update", "修改科技特派员")
ASSIGNMENT_SAVE = register_action("outreach.assignment_save", "保存特派员服务对象")
DIARY_CREATE = register_action("outreach.diary_create", "记录服务日志")
ASSESS = register_action("outreach.assess", "特派员年度考核")
ACTIVITY_PLAN = register_action("outreach.activity_plan", "计划培训/科普活动")
ACTIVITY_UPDATE = register_action("outreach.activity_update", "修改活动计划")
ACTIVITY_HOLD = register_action("outreach.activity_hold", "登记活动举办情况")
ACTIVITY_CANCEL = register_action("outreach.activity_cancel", "取消活动")
