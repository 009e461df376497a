"""Demo technology transfer (``kejiju demo``, order 70): per county, achievements of the institutes and
universities (each with the granted invention patent behind it as related IP), enterprise demands written to match some of them, the suggested pairs confirmed by staff, a
match event where some pairs reach agreement, the technology contracts registered for them (plus a few
others), and co-operation agreements with universities. Deterministic; a county that already has
demands is left alone."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from kejiju.core.demo import DemoContext, register_demo

#: (field, achievement title, summary, keywords, demand title, demand problem)
PAIRS = [
    (
        "agriculture",
        "稻虾综合种养绿色高效技术",
        "集成稻田工程改造、小龙虾苗种繁育与水稻病虫害绿色防控，亩均增收 1500 元以上。",
        "稻虾,综合种养,绿色防控",
        "稻虾共养田小龙虾规格偏小",
        "稻虾共养基地小龙虾规格偏小、成活率低，希望引进苗种繁育和种养茬口衔接技术。",
    ),
    (
        "agriculture",
        "水稻机插秧育秧基质及配套技术",
        "以秸秆、菌渣为主要原料的育秧基质，透气保水不板结，出苗整齐，适合机插秧。",
        "水稻,育秧,基质,机插秧",
        "育秧基质板结导致出苗率低",
        "合作社现用育秧基质容易板结，出苗率低、秧苗素质差，需要新型育秧基质配方和育秧技术指导。",
    ),
    (
        "food",
        "低温真空油炸果蔬脆片加工技术",
        "低温真空条件下油炸果蔬，保留色泽和营养，含油率低于 20%，适合中小企业生产线改造。",
        "果蔬脆片,真空油炸,食品加工",
        "果蔬脆片含油率高、色泽差",
        "企业果蔬脆片生产线产品含油率偏高、色泽发暗，希望改进油炸工艺，降低含油率。",
    ),
    (
        "manufacturing",
        "数控机床主轴热变形补偿技术",
        "基于温度场建模的主轴热误差实时补偿，加工精度提高 30% 以上，可加装在现有数控系统上。",
        "数控机床,主轴,热变形,补偿",
        "数控机床加工精度随温升下降",
        "连续加工数小时后数控机床主轴发热，零件尺寸精度下降，需要热变形补偿方案。",
    ),
    (
        "materials",
        "高性能电缆绝缘料交联改性技术",
        "硅烷交联聚乙烯绝缘料配方与工艺，耐热等级提高到 125℃，通过型式试验。",
        "电缆,绝缘料,交联,聚乙烯",
        "电缆绝缘层耐热性能不足",
        "公司电线电缆产品绝缘层耐热等级不够，出口订单要求提高到 125℃，寻求绝缘料改性技术。",
    ),
    (
        "environment",
        "畜禽粪污好氧发酵制有机肥技术",
        "槽式好氧发酵工艺与菌剂，发酵周期缩短至 15 天，臭气减排明显。",
        "畜禽粪污,有机肥,好氧发酵",
        "养殖场粪污处理臭气大周期长",
        "生猪养殖场粪污堆肥周期长、臭气大，群众投诉多，需要快速发酵制有机肥的技术和设备。",
    ),
    (
        "electronics",
        "基于机器视觉的产品表面缺陷检测系统",
        "深度学习识别划痕、气泡、污点等表面缺陷，检测速度每分钟 120 件，漏检率低于 0.5%。",
        "机器视觉,缺陷检测,深度学习",
        "产品外观缺陷依靠人工目检",
        "注塑件外观缺陷依靠人工目检，效率低、漏检多，希望用机器视觉自动检测表面缺陷。",
    ),
    (
        "energy",
        "分布式光伏电站智能运维平台",
        "组串级监测、故障诊断与清洗调度，发电量提升 5% 以上。",
        "光伏,运维,故障诊断",
        "",
        "",
    ),
]

PARTNERS = ["安徽农业大学", "合肥工业大学", "安徽科技学院", "中国科学技术大学先进技术研究院"]


def transfer_demo(ctx: DemoContext) -> None:
    from kejiju.orgs.selectors import organization_list
    from kejiju.orgs.services import ip_save
    from kejiju.orgs.testing import make_patent_number
    from kejiju.transfer import selectors, services
    from kejiju.transfer.models import TechDemand

    today = date.today()
    for county_index, county in enumerate(ctx.county_codes):
        if TechDemand.objects.filter(region__code__startswith=county).exists():
            continue
        actor = ctx.actor_for(county)
        if actor is None:
            continue
        rng = ctx.rng_for("transfer", county)
        orgs = organization_list(user=actor, filters={"region": county})
        owners = list(orgs.filter(org_type__in=["institute", "university"]).order_by("pk")[:4]) or list(
            orgs.filter(org_type="enterprise").order_by("-pk")[:4]
        )
        enterprises = list(orgs.filter(org_type="enterprise").order_by("pk")[:20])
        if not owners or not enterprises:
            continue
        demands = []
        for index, (fld, a_title, a_summary, keywords, d_title, d_problem) in enumerate(PAIRS):
            low = Decimal(rng.randint(5, 30) * 10000)
            owner = owners[index % len(owners)]
            # the invention patent behind the achievement, registered through the IP register (serials from
            # 9,000,000 on, above those of the organizations demo, so never a duplicate)
            applied = today - timedelta(days=rng.randint(400, 1500))
            patent = ip_save(
                actor=actor,
                organization=owner,
                ip_type="invention",
                title=a_title,
                number=make_patent_number(applied.year, "1", 9_000_000 + county_index * 100 + index),
                applied_on=applied,
                granted_on=applied + timedelta(days=rng.randint(300, 380)),
                status="granted",
                owners=owner.name,
            )
            services.achievement_save(
                actor=actor,
                owner=owner,
                data={
                    "title": a_title,
                    "summary": a_summary,
                    "keywords": keywords,
                    "field": fld,
                    "maturity": rng.choice(["pilot", "industrial", "applied"]),
                    "transfer_form": rng.choice(["assignment", "license", "joint", "service"]),
                    "price_min": low,
                    "price_max": low * 3,
                    "contact_name": rng.choice(["王工", "李老师", "陈研究员", "张博士"]),
                    "contact_phone": "1390550%04d" % rng.randint(0, 9999),
                    "related_ip": [patent],
                },
            )
            if d_title:
                demands.append(
                    services.demand_save(
                        actor=actor,
                        enterprise=enterprises[(index * 3) % len(enterprises)],
                        data={
                            "title": d_title,
                            "problem": d_problem,
                            "field": fld,
                            "budget": Decimal(rng.randint(2, 50) * 10000),
                            "deadline": today + timedelta(days=rng.randint(90, 400)),
                            "contact_name": "技术部",
                        },
                    )
                )
        ctx.count("科技成果", len(PAIRS))
        ctx.count("成果相关专利", len(PAIRS))
        ctx.count("技术需求", len(demands))
        confirmed = []
        for demand in demands[:5]:
            best = selectors.achievement_suggestions(demand=demand, limit=1)
            if not best:
                continue
            match = services.match_propose(
                actor=actor,
                demand=demand,
                achievement=best[0].obj,
                score=best[0].score,
                explanation=best[0].explanation,
            )
            confirmed.append(services.match_transition(actor=actor, match=match, action="confirm"))
        if confirmed:
            outcomes = ["agreement", "agreement", "intent", "discussed", "agreement"]
            event = services.event_save(
                actor=actor,
                region=county,
                data={
                    "title": "%d 年校企科技成果对接会" % today.year,
                    "held_on": today - timedelta(days=rng.randint(5, 40)),
                    "venue": "县科技局三楼会议室",
                    "participant_count": rng.randint(60, 150),
                    "summary": "高校院所发布成果，企业提出技术难题，现场洽谈。",
                },
                pairs=[(m, outcomes[i % len(outcomes)], "") for i, m in enumerate(confirmed)],
            )
            ctx.count("对接活动", 1)
            for pair in event.pairs.select_related("match", "match__achievement", "match__demand__enterprise"):
                if pair.outcome != "agreement" or pair.match.achievement is None:
                    continue
                services.contract_register(
                    actor=actor,
                    region=county,
                    match=pair.match,
                    data={
                        "contract_type": "transfer"
                        if pair.match.achievement.transfer_form == "assignment"
                        else "development",
                        "title": pair.match.achievement.title + "合同",
                        "registration_no": "%d%s%04d" % (today.year, county[:6], pair.match.pk % 10000),
                        "registered_on": today - timedelta(days=rng.randint(0, 4)),
                        "seller_name": pair.match.achievement.owner.name,
                        "buyer_name": pair.match.demand.enterprise.name,
                        "amount": Decimal(rng.randint(10, 80) * 10000) + Decimal("0.50"),
                    },
                )
                ctx.count("技术合同", 1)
        for i in range(2):
            partner = PARTNERS[(i + rng.randint(0, 3)) % len(PARTNERS)]
            services.cooperation_save(
                actor=actor,
                region=county,
                data={
                    "title": "%s与%s科技合作协议" % (ctx.region_names.get(county, "本县"), partner),
                    "partner_name": partner,
                    "signed_on": date(today.year - 1 - i, 5, 18),
                    "ends_on": date(today.year + 2 - i, 5, 17),
                    "content": "共建产业技术研究院，开展科技特派员服务和成果转化。",
                    "projects": ["稻虾综合种养示范基地建设", "智能制造共性技术攻关"][: i + 1],
                },
            )
        ctx.count("合作协议", 2)


register_demo("transfer", transfer_demo, order=70)
