"""Choice lists of the people registry."""

from __future__ import annotations

from django.db import models


class IdType(models.TextChoices):
    """证件类型. A resident ID number is validated per GB 11643; other documents are kept as typed."""

    RESIDENT = "resident", "居民身份证"
    PASSPORT = "passport", "护照"
    HK_MACAO_TAIWAN = "hmt", "港澳台居民居住证/通行证"
    FOREIGNER_PR = "foreigner_pr", "外国人永久居留身份证"


class Gender(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


class Education(models.TextChoices):
    """最高学历."""

    DOCTOR = "doctor", "博士研究生"
    MASTER = "master", "硕士研究生"
    BACHELOR = "bachelor", "大学本科"
    JUNIOR_COLLEGE = "junior_college", "大学专科"
    SECONDARY = "secondary", "中专/高中"
    BELOW = "below", "初中及以下"


class TitleLevel(models.TextChoices):
    """职称级别."""

    SENIOR = "senior", "正高级"
    VICE_SENIOR = "vice_senior", "副高级"
    INTERMEDIATE = "intermediate", "中级"
    JUNIOR = "junior", "初级"
    NONE = "none", "无职称"


class HonourLevel(models.TextChoices):
    """荣誉级别."""

    NATIONAL = "national", "国家级"
    PROVINCIAL = "provincial", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"
    OTHER = "other", "其他"


class RoundStatus(models.TextChoices):
    """人才评选的状态."""

    DRAFT = "draft", "草稿"
    NOMINATING = "nominating", "推荐中"
    REVIEWING = "reviewing", "评审中"
    DECIDED = "decided", "已确定人选"
    PUBLICITY = "publicity", "公示中"
    GRANTED = "granted", "已认定入库"
    CANCELLED = "cancelled", "已取消"


class NominationResult(models.TextChoices):
    PENDING = "pending", "待定"
    SELECTED = "selected", "入选"
    NOT_SELECTED = "not_selected", "未入选"
    WITHDRAWN = "withdrawn", "公示后撤销"


class ObjectionStatus(models.TextChoices):
    OPEN = "open", "待处理"
    UPHELD = "upheld", "异议成立"
    DISMISSED = "dismissed", "异议不成立"


#: Age bands of the age-structure chart (lower bound inclusive, upper exclusive; None = open).
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("35 岁以下", 0, 35),
    ("35–44 岁", 35, 45),
    ("45–54 岁", 45, 55),
    ("55–59 岁", 55, 60),
    ("60 岁及以上", 60, None),
)

#: The categories a new installation starts with (code, name, description).
DEFAULT_CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("top", "拔尖人才", "经评选认定的本地拔尖人才。"),
    ("rural", "乡土人才", "扎根农村、有一技之长的乡土实用人才。"),
    ("sanqu", "三区科技人才", "边远贫困地区、边疆民族地区和革命老区人才支持计划科技人员。"),
    ("introduced", "引进人才", "从外地引进的高层次人才和急需紧缺人才。"),
    ("young", "青年人才", "35 岁以下的青年科技人才。"),
)
