"""Operation-log action codes of enterprise cultivation."""

from kejiju.core.audit import register_action

BATCH_EVALUATE = register_action("cultivation.batch_evaluate", "批量测算（科小/高企）")
SELF_ASSESS = register_action("cultivation.self_assess", "企业自评")
ENTRY_CREATE = register_action("cultivation.entry_create", "纳入培育库")
ENTRY_TRANSITION = register_action("cultivation.entry_transition", "培育库阶段变更")
ENTRY_REMIND = register_action("cultivation.entry_remind", "高企到期提醒")
FILING_SAVE = register_action("cultivation.filing_save", "研发准备金备案登记")
FILING_TRANSITION = register_action("cultivation.filing_transition", "研发准备金备案审核")
POLICY_SAVE = register_action("cultivation.policy_save", "保存奖补政策版本")
AWARD_CREATE = register_action("cultivation.award_create", "奖补测算")
AWARD_TRANSITION = register_action("cultivation.award_transition", "奖补审核/公示/拨付")
