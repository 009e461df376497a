"""Choice lists of the core app (labels are the Chinese interface)."""

from __future__ import annotations

from django.db import models


class RegionLevel(models.IntegerChoices):
    """Region levels; the value is the length of the code at that level."""

    PROVINCE = 2, "省级"
    CITY = 4, "地级"
    COUNTY = 6, "县级"
    TOWN = 9, "乡级"
    VILLAGE = 12, "村级"


class RegionSource(models.TextChoices):
    PACKAGE = "package", "国家区划数据包"
    IMPORT = "import", "Excel 导入"
    FORM = "form", "表单录入"
    DEMO = "demo", "演示数据"


class Role(models.TextChoices):
    """Account roles (design §2). Each is a Django group with its model permissions."""

    SYSTEM_ADMIN = "system_admin", "系统管理员"
    BUREAU_ADMIN = "bureau_admin", "科技局账号管理员"
    BUREAU_LEADER = "bureau_leader", "局领导"
    BUREAU_STAFF = "bureau_staff", "科室工作人员"
    TOWN_STATION = "town_station", "乡镇科技站"
    EXPERT = "expert", "专家"
    COMMISSIONER = "commissioner", "科技特派员"
    ORG_USER = "org_user", "单位用户"


class CodeKind(models.TextChoices):
    INDUSTRY = "industry", "国民经济行业分类（GB/T 4754-2017）"
    SUBJECT = "subject", "学科分类与代码（GB/T 13745-2009）"
    HIGHTECH_FIELD = "hightech_field", "国家重点支持的高新技术领域"
