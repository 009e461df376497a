"""Choice lists of the review app (专家库与专家评审)."""

from __future__ import annotations

from django.db import models


class ExpertStatus(models.TextChoices):
    """专家状态. An expert who applied online waits in 待审核 until staff approve."""

    APPLIED = "applied", "待审核"
    ACTIVE = "active", "在库"
    PAUSED = "paused", "暂停"
    RETIRED = "retired", "退出"
    REMOVED = "removed", "除名"
    REJECTED = "rejected", "未通过"


class ExpertOrigin(models.TextChoices):
    STAFF = "staff", "工作人员录入"
    APPLICATION = "application", "本人申请"
    IMPORT = "import", "Excel 导入"


class ConflictKind(models.TextChoices):
    """回避情形."""

    SAME_ORG = "same_org", "与申报单位同一单位"
    COOP_ORG = "coop_org", "与合作单位同一单位"
    TEAM_MEMBER = "team_member", "项目团队成员"
    RELATIVE = "relative", "团队成员的近亲属"
    SUPERVISOR = "supervisor", "与团队成员有师生关系"
    COAUTHOR = "coauthor", "近年与团队成员合作发表"
    SAME_COUNTY = "same_county", "与申报单位同一县（市、区）"
    SELF_DECLARED = "self_declared", "专家本人申明回避"
    APPLICANT_NAMED = "applicant_named", "申报单位申请回避"


class ConflictSource(models.TextChoices):
    DERIVED = "derived", "系统比对"
    DECLARED = "declared", "专家本人申报"
    APPLICANT = "applicant", "申报单位提出"


class DeclaredRelation(models.TextChoices):
    """Relations an expert declares with another person (kept in the pool, applied to every batch)."""

    RELATIVE = "relative", "近亲属"
    SUPERVISOR = "supervisor", "导师或学生"
    COAUTHOR = "coauthor", "合作发表论著"
    OTHER = "other", "其他利害关系"
    ORGANIZATION = "organization", "与该单位有利害关系"


#: Declared relations that name a person (the others name an organization).
PERSON_RELATIONS = (
    DeclaredRelation.RELATIVE,
    DeclaredRelation.SUPERVISOR,
    DeclaredRelation.COAUTHOR,
    DeclaredRelation.OTHER,
)
#: Declared relations that lapse after the batch's (or the settings') number of years.
TIMED_RELATIONS = (DeclaredRelation.SUPERVISOR, DeclaredRelation.COAUTHOR)


class BatchMode(models.TextChoices):
    DRAW = "draw", "随机抽取"
    OPTIMAL = "optimal", "最优分配"


class BatchStatus(models.TextChoices):
    DRAFT = "draft", "准备中"
    SCORING = "scoring", "评审中"
    CLOSED = "closed", "已完成"
    CANCELLED = "cancelled", "已取消"


class ReviewFormat(models.TextChoices):
    ONLINE = "online", "网络评审"
    MEETING = "meeting", "会议评审"


class AssignmentStatus(models.TextChoices):
    RESERVE = "reserve", "备选"
    INVITED = "invited", "已邀请"
    ACCEPTED = "accepted", "已接受"
    DECLINED = "declined", "已谢绝"
    EXPIRED = "expired", "逾期未答复"
    SUBMITTED = "submitted", "已提交评分"


class Recommendation(models.TextChoices):
    STRONGLY = "strongly", "优先支持"
    SUPPORT = "support", "支持"
    REVISE = "revise", "修改后支持"
    REJECT = "reject", "不予支持"
