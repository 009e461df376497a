"""Choice lists of the statistics app and the status graph of a work report, declared once."""

from __future__ import annotations

from django.db import models

from kejiju.core.workflow import Action, Workflow


class PeriodType(models.TextChoices):
    """统计周期: the smallest period an indicator is reported for."""

    YEAR = "year", "年度"
    HALF = "half", "半年"
    QUARTER = "quarter", "季度"


class IndicatorSource(models.TextChoices):
    """来源: computed from the platform's records, or entered by staff from another agency's figures."""

    COMPUTED = "computed", "系统计算"
    ENTERED = "entered", "人工录入"


#: Areas of work (dashboard panels, work-report sub-sections), in report order, with Chinese titles.
AREAS: dict[str, str] = {
    "programs": "科技计划项目",
    "cultivation": "创新主体培育",
    "platforms": "创新平台建设",
    "talents": "科技人才",
    "service": "农村科技服务",
    "outreach": "科普与培训",
    "ip": "知识产权",
    "transfer": "成果转化",
    "awards": "科技奖励",
    "general": "综合指标",
}


def area_label(area: str) -> str:
    return AREAS.get(area, area)


def area_order(area: str) -> int:
    keys = list(AREAS)
    return keys.index(area) if area in keys else len(keys)


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    FROZEN = "frozen", "已定稿"


REPORT_WORKFLOW = Workflow(
    [
        Action(
            "freeze",
            "定稿",
            (ReportStatus.DRAFT,),
            ReportStatus.FROZEN,
            style="success",
            confirm="定稿后数据将固定为当前值，确定定稿吗？",
        ),
        Action("reopen", "撤销定稿", (ReportStatus.FROZEN,), ReportStatus.DRAFT, reason_required=True, style="warning"),
    ],
    dict(ReportStatus.choices),
)
