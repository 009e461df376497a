"""Operation-log action codes of innovation platforms."""

from kejiju.core.audit import register_action

KIND_SAVE = register_action("platforms.kind_save", "保存平台类型")
PLATFORM_SAVE = register_action("platforms.save", "保存创新平台")
PLATFORM_STATUS = register_action("platforms.status", "平台状态变更")
REPORT_SAVE = register_action("platforms.report_save", "平台年度报告")
TEMPLATE_SAVE = register_action("platforms.template_save", "保存评价指标模板")
EVALUATE = register_action("platforms.evaluate", "平台年度评价")
REWARD = register_action("platforms.reward", "平台认定奖补测算")
