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
IP_IMPORT = register_action("orgs.ip_import", "导入知识产权")
POPULATION_SET = register_action("orgs.population_set", "录入常住人口")
CUSTODY_SAVE = register_action("orgs.custody_save", "保存知识产权托管协议")
CUSTODY_SERVICE_ADD = register_action("orgs.custody_service_add", "登记托管服务")
IP_CASE_SAVE = register_action("orgs.ip_case_save", "登记知识产权保护与宣传")
IP_SUBSIDY = register_action("orgs.ip_subsidy", "申报专利资助")
