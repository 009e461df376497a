"""Demo innovation platforms (``kejiju demo``): per county a few platforms of several kinds and levels
hosted by its enterprises, two years of yearly reports, last year's evaluation, one platform under
warning, and the recognition rewards of provincial and national platforms. Through the services;
deterministic; counties that already have platforms are left alone."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from kejiju.core.demo import DemoContext, register_demo
from kejiju.core.errors import BusinessError

PER_COUNTY = {"county": 6, "city": 4, "province": 2}
NAMES = {
    "star_space": "%s农业星创天地",
    "maker_space": "%s青年众创空间",
    "incubator": "%s科技企业孵化器",
    "engineering_center": "%s工程技术研究中心",
    "key_lab": "%s重点实验室",
    "academician_station": "%s院士专家工作站",
    "industry_alliance": "%s产业技术创新战略联盟",
    "agri_park": "%s农业科技园区",
    "demo_base": "%s科技示范基地",
}
LEVELS = ["county", "city", "city", "provincial", "provincial", "national"]


def platforms_demo(ctx: DemoContext) -> None:
    from kejiju.orgs.selectors import organization_list
    from kejiju.platforms import services
    from kejiju.platforms.models import IndicatorTemplate, Platform, PlatformKind

    kinds = list(PlatformKind.objects.filter(is_active=True).order_by("order"))
    template = IndicatorTemplate.objects.filter(is_active=True).order_by("pk").first()
    if not kinds:
        return
    this_year = date.today().year
    for county in ctx.county_codes:
        if Platform.objects.filter(region__code__startswith=county).exists():
            continue
        actor = ctx.actor_for(county)
        rng = ctx.rng_for("platforms", county)
        hosts = list(organization_list(user=actor, filters={"region": county}).order_by("-pk")[:20])
        place = ctx.region_names.get(county, "")[:4]
        used: set[str] = set()
        for n in range(min(PER_COUNTY.get(ctx.scale, 4), len(hosts))):
            kind = kinds[(n + rng.randrange(len(kinds))) % len(kinds)]
            name = NAMES.get(kind.code, "%s" + kind.name) % place
            if name in used:
                name = NAMES.get(kind.code, "%s" + kind.name) % (place + "第%d" % (n + 1))
            used.add(name)
            level = rng.choice(LEVELS)
            recognised = date(rng.randrange(2016, this_year), rng.randrange(1, 12), rng.randrange(1, 28))
            platform = services.platform_save(
                actor=actor,
                data={
                    "name": name,
                    "kind": kind,
                    "level": level,
                    "host": hosts[n],
                    "recognition_doc": "科字〔%d〕%d号" % (recognised.year, rng.randrange(10, 200)),
                    "recognised_on": recognised,
                    "area": str(rng.randrange(500, 20000)),
                    "staff": rng.randrange(4, 60),
                    "services": "创业辅导、技术对接、投融资服务、政策咨询",
                },
            )
            ctx.count("创新平台", 1)
            for year in (this_year - 2, this_year - 1):
                if year < recognised.year:
                    continue
                incubated = rng.randrange(5, 80)
                services.platform_report_save(
                    actor=actor,
                    platform=platform,
                    year=year,
                    data={
                        "incubated": incubated,
                        "graduates": rng.randrange(0, incubated // 3 + 1),
                        "events": rng.randrange(2, 40),
                        "revenue": str(Decimal(rng.randrange(50, 5000) * 1000)),
                        "jobs": rng.randrange(10, 600),
                    },
                )
            if template is not None and recognised.year < this_year - 1:
                scores = {i["key"]: rng.randrange(50, 98) for i in template.items}
                ev = services.platform_evaluate(
                    actor=actor,
                    platform=platform,
                    year=this_year - 1,
                    template=template,
                    scores=scores,
                    comment="年度绩效评价",
                )
                if ev.total < 60:
                    services.platform_transition(actor=actor, platform=platform, action="warn", reason="年度评价不合格")
            if level in ("provincial", "national"):
                try:
                    services.platform_reward(actor=actor, platform=platform)
                except BusinessError:  # the policy is missing when the cultivation demo did not run
                    pass


register_demo("platforms", platforms_demo, order=46)
