"""Operation-log action codes of the assessment module."""

from kejiju.core.audit import register_action

SCHEME_SAVE = register_action("assessment.scheme_save", "保存考核方案")
SCHEME_ISSUE = register_action("assessment.scheme_issue", "下达考核目标任务")
SCHEME_SCORING = register_action("assessment.scheme_scoring", "开始考核评分")
SCHEME_COMPUTE = register_action("assessment.compute", "计算考核得分")
SCHEME_PUBLISH = register_action("assessment.publish", "公布考核结果")
HONOUR_LIST = register_action("assessment.honour_list", "生成先进单位名单")
TARGET_SET = register_action("assessment.target_set", "调整目标任务")
SELF_SAVE = register_action("assessment.self_save", "保存自评")
SELF_SUBMIT = register_action("assessment.self_submit", "提交自评")
SELF_REOPEN = register_action("assessment.self_reopen", "退回自评")
EVIDENCE_ADD = register_action("assessment.evidence_add", "上传佐证材料")
SCORE_SUBMIT = register_action("assessment.score_submit", "提交考核评分")
APPEAL_FILE = register_action("assessment.appeal_file", "提出申诉")
APPEAL_DECIDE = register_action("assessment.appeal_decide", "处理申诉")
DOSSIER_SAVE = register_action("assessment.dossier_save", "保存科技进步考核材料")
DOSSIER_FILL = register_action("assessment.dossier_fill", "从平台记录取数")
DOSSIER_ENTER = register_action("assessment.dossier_enter", "填报考核指标值")
DOSSIER_EXPORT = register_action("assessment.dossier_export", "导出科技进步考核材料")
MIDYEAR_REPORT = register_action("assessment.midyear_report", "报送年中进度")
MIDYEAR_THRESHOLD = register_action("assessment.midyear_threshold", "设置年中滞后阈值")
