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
