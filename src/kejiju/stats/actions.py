"""Operation-log action codes of the statistics app."""

from kejiju.core.audit import register_action

INDICATOR_SYNC = register_action("stats.indicator_sync", "同步指标目录")
INDICATOR_DEFINE = register_action("stats.indicator_define", "保存录入指标")
VALUE_ENTER = register_action("stats.value_enter", "录入指标数值")
TARGET_SAVE = register_action("stats.target_save", "保存年度目标")
LAYOUT_SAVE = register_action("stats.layout_save", "保存统计表样")
TABLE_EXPORT = register_action("stats.table_export", "导出统计表")
TEMPLATE_SAVE = register_action("stats.template_save", "保存段落模板")
REPORT_SAVE = register_action("stats.report_save", "保存工作总结")
REPORT_FREEZE = register_action("stats.report_freeze", "工作总结定稿")
REPORT_REOPEN = register_action("stats.report_reopen", "撤销工作总结定稿")
REPORT_GENERATE = register_action("stats.report_generate", "生成工作总结公文")
