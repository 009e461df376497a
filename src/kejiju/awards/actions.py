"""Operation-log action codes of S&T awards."""

from kejiju.core.audit import register_action

PROGRAMME_SAVE = register_action("awards.programme_save", "保存奖励项目")
CYCLE_SAVE = register_action("awards.cycle_save", "保存奖励年度")
CYCLE_STEP = register_action("awards.cycle_step", "奖励年度状态变更")
NOMINATION_SAVE = register_action("awards.nomination_save", "保存奖励推荐")
NOMINATION_STEP = register_action("awards.nomination_step", "奖励推荐状态变更")
REVIEW_RESULT = register_action("awards.review_result", "记录奖励评审结果")
GRADE_SET = register_action("awards.grade_set", "评定奖励等级")
OBJECTION_FILE = register_action("awards.objection_file", "受理公示异议")
OBJECTION_RESOLVE = register_action("awards.objection_resolve", "处理公示异议")
CERTIFICATE_ISSUE = register_action("awards.certificate_issue", "生成获奖证书")
PRIZE_PAY = register_action("awards.prize_pay", "发放奖金")
HIGHER_AWARD_SAVE = register_action("awards.higher_save", "登记上级奖励")
MEETING_SAVE = register_action("awards.meeting_save", "登记评审委员会会议")
VOTE_RECORD = register_action("awards.vote_record", "录入评审委员会表决")
VOTE_OVERRIDE = register_action("awards.vote_override", "调整表决结果")
