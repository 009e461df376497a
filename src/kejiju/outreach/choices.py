"""Choice lists of the outreach app (labels are the Chinese interface)."""

from __future__ import annotations

from django.db import models


class KindGroup(models.TextChoices):
    """Which configurable list a kind belongs to."""

    COMMISSIONER = "commissioner", "特派员类别"
    ACTIVITY = "activity", "活动类型"


class HolderType(models.TextChoices):
    """个人特派员 (a person) or 法人特派员 (an organization)."""

    INDIVIDUAL = "individual", "个人"
    LEGAL = "legal", "法人"


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", "计划"
    HELD = "held", "已举办"
    CANCELLED = "cancelled", "已取消"


#: Kinds created with the app (codes are stable; names and the list can be changed by the bureau).
DEFAULT_KINDS: tuple[tuple[str, str, str, bool], ...] = (
    ("commissioner", "commissioner", "科技特派员", False),
    ("commissioner", "deputy_mayor", "科技副乡镇长", False),
    ("commissioner", "three_areas", "三区科技人才", False),
    ("commissioner", "legal", "法人科技特派员", False),
    ("activity", "training", "培训班", True),
    ("activity", "lecture", "科技讲座", True),
    ("activity", "sci_week", "科技活动周", False),
    ("activity", "sci_winter", "科技之冬", False),
    ("activity", "three_rural", "科技三下乡", False),
    ("activity", "sci_fair", "科普大集", False),
    ("activity", "film", "科普电影放映", False),
    ("activity", "exhibition", "科普展览", False),
    ("activity", "demonstration", "现场示范", True),
)

#: Default grade bands of an assessment template: (grade, lowest total), highest first.
DEFAULT_GRADE_BANDS: tuple[tuple[str, int], ...] = (("优秀", 90), ("良好", 75), ("合格", 60), ("不合格", 0))
