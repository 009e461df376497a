"""Operation-log action codes of the organizations registry."""

from kejiju.core.audit import register_action

ORG_CREATE = register_action("orgs.create", "新增单位")
ORG_UPDATE = register_action("orgs.update", "修改单位")
ORG_RENAME = register_action("orgs.rename", "单位更名")
ORG_MERGE = register_action("orgs.merge", "合并重复单位")
ORG_ARCHIVE = register_action("orgs.archive", "归档单位")
ORG_IMPORT = register_action("orgs.import", "导入单位")
QUAL_SAVE = register_action("orgs.qualification_save", "保存资质")
QUAL_ARCHIVE = register_action("orgs.qualification_archive", "归档资质")
IP_SAVE = register_action("orgs.ip_save", "保存知识产权")
IP_ARCHIVE = register_action("orgs.ip_archive", "归档知识产权")
MEMBER_ADD = register_action("orgs.member_add", "绑定单位用户")
MEMBER_REMOVE = register_action("orgs.member_remove", "解除单位用户")
