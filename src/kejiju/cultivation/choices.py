"""Choice lists of enterprise cultivation (企业培育)."""

from __future__ import annotations

from django.db import models


class Stage(models.TextChoices):
    """Stages of the cultivation pipeline (培育库), in order."""

    SELF_EVALUATED = "self_evaluated", "科小自评"
    REGISTERED = "registered", "科小入库"
    RESERVE = "reserve", "高企后备"
    APPLIED = "applied", "高企申报"
    RECOGNISED = "recognised", "已认定高企"
    LAPSED = "lapsed", "已失效"


STAGE_ORDER = [s.value for s in Stage]


class FilingStatus(models.TextChoices):
    """R&D reserve filing (研发准备金备案) statuses."""

    SUBMITTED = "submitted", "待审核"
    FILED = "filed", "已备案"
    RETURNED = "returned", "已退回"


class AwardStatus(models.TextChoices):
    """Subsidy award (奖补) statuses."""

    CALCULATED = "calculated", "已测算"
    APPROVED = "approved", "已审核"
    PUBLICIZED = "publicized", "公示中"
    PAID = "paid", "已拨付"
    REJECTED = "rejected", "不予奖补"


class FormulaKind(models.TextChoices):
    FIXED = "fixed", "固定金额"
    RATE_OF_INCREASE = "rate_of_increase", "按增量比例（封顶）"
    BY_LEVEL = "by_level", "按级别"
    PER_UNIT = "per_unit", "按件数（封顶）"


#: Subsidy policies shipped with every installation (created after ``migrate`` when missing; a bureau edits
#: the amounts as a new version): code, name, formula kind, params, effective from (ISO date).
#: ``ip.patent_subsidy`` is the 专利资助 policy the IP register applies to a granted patent (per unit, by IP type).
DEFAULT_POLICIES: list[tuple[str, str, str, dict[str, object], str]] = [
    (
        "ip.patent_subsidy",
        "专利资助",
        "per_unit",
        {
            "table": {"invention": "5000", "defense_patent": "5000", "utility": "1000", "design": "500"},
            "cap": "100000",
        },
        "2015-01-01",
    ),
]
