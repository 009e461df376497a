"""Choice lists of innovation platforms (创新平台 / 载体)."""

from __future__ import annotations

from django.db import models


class PlatformLevel(models.TextChoices):
    NATIONAL = "national", "国家级"
    PROVINCIAL = "provincial", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"


class PlatformStatus(models.TextChoices):
    GOOD = "good", "正常"
    WARNING = "warning", "预警"
    REVOKED = "revoked", "已撤销"


#: The kinds shipped by default (configurable: a bureau adds or disables kinds).
DEFAULT_KINDS: list[tuple[str, str]] = [
    ("star_space", "星创天地"),
    ("maker_space", "众创空间"),
    ("incubator", "科技企业孵化器"),
    ("engineering_center", "工程技术研究中心"),
    ("key_lab", "重点实验室"),
    ("academician_station", "院士专家工作站"),
    ("industry_alliance", "产业技术创新战略联盟"),
    ("agri_park", "农业科技园区"),
    ("demo_base", "科技示范基地"),
]


# The evaluation template shipped by default (a bureau may add its own).
DEFAULT_TEMPLATE_NAME = "创新平台年度绩效评价（通用）"
DEFAULT_TEMPLATE_ITEMS = (
    {"key": "service", "name": "服务能力与条件", "weight": 25},
    {"key": "incubation", "name": "孵化（服务）成效", "weight": 30},
    {"key": "innovation", "name": "创新创业活动", "weight": 20},
    {"key": "management", "name": "运行管理", "weight": 25},
)
