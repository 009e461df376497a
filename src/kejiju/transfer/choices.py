"""Choice lists of the technology-transfer module (成果转化)."""

from __future__ import annotations

from django.db import models


class TechField(models.TextChoices):
    """Technology fields used to file achievements and demands and to match them (领域)."""

    AGRICULTURE = "agriculture", "现代农业"
    FOOD = "food", "食品加工"
    BIOMED = "biomed", "生物医药"
    MATERIALS = "materials", "新材料"
    MANUFACTURING = "manufacturing", "先进制造"
    ELECTRONICS = "electronics", "电子信息"
    ENERGY = "energy", "新能源"
    ENVIRONMENT = "environment", "节能环保"
    CHEMICAL = "chemical", "化工"
    OTHER = "other", "其他"


class Maturity(models.TextChoices):
    RESEARCH = "research", "研发阶段"
    LAB = "lab", "小试"
    PILOT = "pilot", "中试"
    INDUSTRIAL = "industrial", "可产业化"
    APPLIED = "applied", "已推广应用"


class TransferForm(models.TextChoices):
    ASSIGNMENT = "assignment", "技术转让"
    LICENSE = "license", "技术许可"
    EQUITY = "equity", "作价入股"
    JOINT = "joint", "合作开发"
    SERVICE = "service", "技术服务"


class DemandStatus(models.TextChoices):
    OPEN = "open", "征集中"
    MATCHED = "matched", "已对接"
    CLOSED = "closed", "已关闭"


class MatchKind(models.TextChoices):
    ACHIEVEMENT = "achievement", "成果—需求"
    EXPERT = "expert", "专家—需求"


class MatchStatus(models.TextChoices):
    PROPOSED = "proposed", "待对接"
    CONFIRMED = "confirmed", "已确认对接"
    AGREED = "agreed", "已达成合作"
    DECLINED = "declined", "未达成"


class PairOutcome(models.TextChoices):
    DISCUSSED = "discussed", "已洽谈"
    INTENT = "intent", "达成意向"
    AGREEMENT = "agreement", "签订协议"
    NONE = "none", "未达成"


class ContractType(models.TextChoices):
    DEVELOPMENT = "development", "技术开发"
    TRANSFER = "transfer", "技术转让"
    LICENSE = "license", "技术许可"
    CONSULTING = "consulting", "技术咨询"
    SERVICE = "service", "技术服务"
