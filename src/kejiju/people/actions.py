"""Operation-log action codes of the people registry."""

from kejiju.core.audit import register_action

PERSON_CREATE = register_action("people.create", "新增人员")
PERSON_UPDATE = register_action("people.update", "修改人员")
PERSON_ARCHIVE = register_action("people.archive", "归档人员")
PERSON_IMPORT = register_action("people.import", "导入人员")
CATEGORY_SAVE = register_action("people.category_save", "保存人才类别")
MEMBERSHIP_GRANT = register_action("people.membership_grant", "人才入库")
TALENT_IMPORT = register_action("people.talent_import", "导入人才入库")
MEMBERSHIP_ARCHIVE = register_action("people.membership_archive", "人才出库")
HONOUR_SAVE = register_action("people.honour_save", "保存荣誉与入选")
HONOUR_ARCHIVE = register_action("people.honour_archive", "归档荣誉与入选")
TRAINING_SAVE = register_action("people.training_save", "保存培训记录")
TRAINING_ARCHIVE = register_action("people.training_archive", "归档培训记录")
ROUND_SAVE = register_action("people.round_save", "保存人才评选")
ROUND_TRANSITION = register_action("people.round_transition", "人才评选状态变更")
NOMINATION_CREATE = register_action("people.nomination_create", "推荐人选")
NOMINATION_WITHDRAW = register_action("people.nomination_withdraw", "撤回推荐")
NOMINATION_SCORE = register_action("people.nomination_score", "录入评审结果")
NOMINATION_DECIDE = register_action("people.nomination_decide", "确定评选结果")
OBJECTION_SUBMIT = register_action("people.objection_submit", "提出公示异议")
OBJECTION_HANDLE = register_action("people.objection_handle", "处理公示异议")
