"""Choice lists of the programmes and projects app (labels are the Chinese interface)."""

from __future__ import annotations

from django.db import models


class ProgramKind(models.TextChoices):
    """Kinds of programme (科技计划类别); a bureau names its own programmes freely within a kind."""

    KEY_RD = "key_rd", "重点研发计划"
    SPARK = "spark", "星火计划"
    TRANSFER = "transfer", "科技成果转化"
    SOFT_SCIENCE = "soft_science", "软科学研究"
    NATURAL_SCIENCE = "natural_science", "自然科学基金"
    PLATFORM = "platform", "平台建设"
    OTHER = "other", "其他"


class CallStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    CLOSED = "closed", "已截止"


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PENDING_RECOMMENDATION = "pending_recommendation", "待属地推荐"
    SUBMITTED = "submitted", "待形式审查"
    CHECKING = "checking", "形式审查中"
    RETURNED = "returned", "退回修改"
    REJECTED = "rejected", "不予受理"
    WITHDRAWN = "withdrawn", "已撤回"
    IN_REVIEW = "in_review", "评审中"
    REVIEWED = "reviewed", "评审完成"
    APPROVED = "approved", "已立项"
    NOT_APPROVED = "not_approved", "未立项"


#: Statuses in which an application holds its organization's place in a one-per-organization call.
ACTIVE_APPLICATION = frozenset(
    s for s in ApplicationStatus.values if s not in (ApplicationStatus.WITHDRAWN, ApplicationStatus.REJECTED)
)


class DecisionStatus(models.TextChoices):
    DRAFT = "draft", "拟立项（草稿）"
    PUBLICIZED = "publicized", "公示中"
    CONFIRMED = "confirmed", "已确定立项"
    NOTICED = "noticed", "已下达立项通知"


class ProjectStatus(models.TextChoices):
    PENDING_CONTRACT = "pending_contract", "待签订任务书"
    IN_PROGRESS = "in_progress", "执行中"
    ACCEPTANCE_APPLIED = "acceptance_applied", "已申请验收"
    ACCEPTED = "accepted", "通过验收"
    ACCEPTED_CONDITIONAL = "accepted_conditional", "有条件通过验收"
    FAILED = "failed", "验收不通过"
    TERMINATED = "terminated", "已终止"


CLOSED_PROJECT = frozenset(
    (ProjectStatus.ACCEPTED, ProjectStatus.ACCEPTED_CONDITIONAL, ProjectStatus.FAILED, ProjectStatus.TERMINATED)
)


class ChangeStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "未批准"


class ChangeKind(models.TextChoices):
    """Kinds of contract change (项目调整)."""

    BUDGET = "budget", "预算调整"
    PERIOD = "period", "延期"
    LEADER = "leader", "负责人变更"
    TARGETS = "targets", "考核指标调整"
    MEMBERS = "members", "成员变更"
    OTHER = "other", "其他"


class BudgetCategory(models.TextChoices):
    """预算科目 (budget categories of a project's direct and indirect costs)."""

    EQUIPMENT = "equipment", "设备费"
    MATERIALS = "materials", "材料费"
    TESTING = "testing", "测试化验加工费"
    FUEL = "fuel", "燃料动力费"
    TRAVEL = "travel", "差旅/会议/国际合作与交流费"
    PUBLICATION = "publication", "出版/文献/信息传播/知识产权事务费"
    LABOR = "labor", "劳务费"
    CONSULTING = "consulting", "专家咨询费"
    OTHER = "other", "其他支出"
    INDIRECT = "indirect", "间接费用"


class FundSource(models.TextChoices):
    GRANT = "grant", "专项资金"
    SELF = "self", "自筹资金"


class ReportStatus(models.TextChoices):
    DUE = "due", "待提交"
    SUBMITTED = "submitted", "已提交"
    ACCEPTED = "accepted", "已确认"
    RETURNED = "returned", "退回"


class InspectionStatus(models.TextChoices):
    OPEN = "open", "检查中"
    RECTIFYING = "rectifying", "整改中"
    CLOSED = "closed", "已办结"


class InspectionKind(models.TextChoices):
    MIDTERM = "midterm", "中期检查"
    SUPERVISION = "supervision", "监理"
    AUDIT = "audit", "专项审计"


class AcceptanceDecision(models.TextChoices):
    PASS = "pass", "通过"
    CONDITIONAL = "conditional", "有条件通过"
    FAIL = "fail", "不通过"
    TERMINATE = "terminate", "终止"


class FieldType(models.TextChoices):
    """Types of an application-form field defined by a call."""

    TEXT = "text", "文本"
    NUMBER = "number", "数字"
    MONEY = "money", "金额（元）"
    MEMBERS = "members", "成员表"
    BUDGET = "budget", "预算表"
    ATTACHMENT = "attachment", "附件"
