"""Demo data of the statistics app (runs after every other module, order 90): entered indicators with
their source documents, the demo year's targets, paragraph templates, and a draft work report for the
demo county. Deterministic (``ctx.rng_for``); modest at every scale (only the demo county and its city)."""

from __future__ import annotations

import io
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone

from kejiju.core.demo import DemoContext, register_demo
from kejiju.core.indicators import get_indicator
from kejiju.core.models import Region

ENTERED = (
    {
        "code": "entered.rd_intensity",
        "name": "全社会研发经费投入强度",
        "unit": "%",
        "area": "general",
        "decimals": 2,
        "additive": False,
        "definition": "全社会研究与试验发展经费支出占地区生产总值的比重，取自统计部门年度统计公报。",
    },
    {
        "code": "entered.fiscal_st_share",
        "name": "科技支出占一般公共预算支出比重",
        "unit": "%",
        "area": "general",
        "decimals": 2,
        "additive": False,
        "definition": "一般公共预算科学技术支出占一般公共预算支出的比重，取自财政部门决算报表。",
    },
    {
        "code": "entered.hightech_output",
        "name": "高新技术产业增加值",
        "unit": "亿元",
        "area": "general",
        "decimals": 2,
        "additive": True,
        "definition": "规模以上高新技术产业增加值，取自统计部门。",
    },
)

#: Paragraph templates in the style of the bureau's own year-end reports; a template is created only when
#: every indicator it quotes is registered.
TEMPLATES: dict[str, list[str]] = {
    "programs": [
        "全年共组织申报各级科技计划项目{programs.applications_submitted}项，立项{programs.projects_approved|unit}"
        "（{programs.projects_approved|yoy}），争取资助资金{programs.funds_approved|unit}，拨付经费{programs.funds_disbursed|unit}。",
        "完成项目验收{programs.projects_accepted|unit}，年末在研项目{programs.projects_in_progress|unit}。",
    ],
    "cultivation": [
        "新认定高新技术企业{cultivation.hnte_new|unit}（{cultivation.hnte_new|yoy}），年末有效高新技术企业"
        "{cultivation.hnte_valid|unit}，完成年度目标的{cultivation.hnte_new|rate}。",
        "科技型中小企业入库{cultivation.tech_sme_registered|unit}，{cultivation.tech_sme_registered|yoy}。",
        "兑现科技奖补资金{cultivation.subsidies_paid|unit}，共{cultivation.subsidies_paid_count}笔。",
    ],
    "platforms": [
        "新认定各级创新平台{platforms.recognised|unit}，其中省级{platforms.recognised_provincial|unit}，"
        "年末创新平台总数{platforms.valid|unit}。",
    ],
    "service": [
        "农业科技服务热线受理求助{service.requests_handled|unit}（{service.requests_handled|yoy}），组织专家下乡出诊"
        "{service.visits|unit}，帮助群众挽回经济损失{service.loss_avoided|unit}。",
    ],
    "outreach": [
        "举办技术培训{outreach.trainings_held|unit}，培训{outreach.people_trained|unit}（{outreach.people_trained|yoy}），"
        "发放技术资料{outreach.materials_distributed|unit}。",
    ],
    "transfer": [
        "登记技术合同{transfer.contracts_registered|unit}，成交额{transfer.contract_amount|unit}。",
    ],
}

PROBLEMS = (
    "一是企业创新主体地位有待进一步增强，部分企业研发投入不足。\n"
    "二是高层次创新平台和领军人才偏少，对产业发展的支撑作用不够明显。\n"
    "三是科技成果转化渠道不够畅通，技术合同登记工作有待加强。"
)
PLANS = (
    "一是持续推进高新技术企业培育，完善“科技型中小企业—高新技术企业”梯次培育机制。\n"
    "二是加大科技计划项目组织申报力度，强化项目全过程管理。\n"
    "三是深化科技特派员制度，做好农业科技服务热线和技术培训工作。"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _round(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def stats_demo(ctx: DemoContext) -> None:
    from kejiju.stats import services
    from kejiju.stats.figures import compute_figure
    from kejiju.stats.models import EnteredValue, IndicatorDefinition, ParagraphTemplate, Target, WorkReport
    from kejiju.stats.periods import Period

    services.catalogue_sync()
    staff = ctx.users.get("county_staff")
    county = staff.region_id if staff is not None else (ctx.county_codes[0] if ctx.county_codes else "")
    if not county:
        return
    actor: Any = staff or ctx.actor_for(county)
    city = county[:4]
    year = timezone.localdate().year
    rng = ctx.rng_for("stats", county)
    # 1. entered indicators, last year and this year, with the statistical bulletin as the source
    for spec in ENTERED:
        if not IndicatorDefinition.objects.filter(code=spec["code"]).exists():
            services.indicator_define(actor=None, data=spec)
    base = {
        "entered.rd_intensity": Decimal("2.10"),
        "entered.fiscal_st_share": Decimal("3.40"),
        "entered.hightech_output": Decimal("86.50"),
    }
    for y in (year - 1, year):
        for code, start in base.items():
            if EnteredValue.objects.filter(indicator__code=code, region_id=county, period=str(y)).exists():
                continue
            value = _round(start * Decimal(1 + (y - year + 1) * rng.uniform(0.03, 0.12)), 2)
            services.entered_value_save(
                actor=actor,
                indicator=code,
                region=county,
                period=str(y),
                value=str(value),
                upload=io.BytesIO(PDF),
                upload_name="%d年国民经济和社会发展统计公报.pdf" % y,
                source_note="%d年统计公报" % y,
            )
            ctx.count("录入指标数值", 1)
    # 2. the year's targets: a little above last year's figure, for the county and its city
    for region in (county, city):
        if not Region.objects.filter(code=region).exists():
            continue
        for d in IndicatorDefinition.objects.filter(is_active=True, additive=True):
            if d.source == "computed" and get_indicator(d.code) is None:
                continue
            if Target.objects.filter(indicator=d, region_id=region, year=year).exists():
                continue
            last = compute_figure(d.code, region, Period(year - 1), definition=d).value
            if not last:
                continue
            target = _round(Decimal(last) * Decimal(str(rng.choice((1.05, 1.1, 1.15, 1.2)))), d.decimals)
            services.target_save(
                actor=ctx.actor_for(region) or actor, indicator=d.code, region=region, year=year, value=str(target)
            )
            ctx.count("年度目标", 1)
    # 3. paragraph templates (the city's, inherited by its counties)
    if not ParagraphTemplate.objects.filter(region_id=city).exists() and Region.objects.filter(code=city).exists():
        city_actor = ctx.users.get("city_staff") or ctx.users.get("admin")
        from kejiju.stats.textfill import placeholders

        for area, texts in TEMPLATES.items():
            for order, text in enumerate(texts, start=1):
                codes = [c for c, _h in placeholders(text) if c not in ("period", "region")]
                if all(get_indicator(c) is not None for c in codes):
                    services.template_save(
                        actor=city_actor, data={"region": city, "area": area, "order": order, "text": text}
                    )
                    ctx.count("段落模板", 1)
    # 4. a draft work report for the demo county
    if not WorkReport.objects.filter(region_id=county, period=str(year)).exists():
        services.report_save(
            actor=actor, data={"region": county, "period": str(year), "problems": PROBLEMS, "plans": PLANS}
        )
        ctx.count("工作总结", 1)


register_demo("stats", stats_demo, order=90)
