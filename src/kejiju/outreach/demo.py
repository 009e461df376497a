"""Demo commissioners and a year of training and 科普 activities for the demo city (``kejiju demo``).

Per county of the demo city (滁州市): 6–10 commissioners (科技特派员, 科技副乡镇长, 三区科技人才 and one
法人科技特派员) selected last year, each assigned to a town with targets, with 6–14 service diary entries
over the last twelve months and last year's assessment; per town 4–8 activities over the last twelve
months (training classes most, 科技活动周 in May, 科技之冬 and 三下乡 in winter), a few still planned.
A few persons of each county's talent pool (people demo) are commissioners too and attended the first
training classes held (their attendee lists), so one person record carries several roles.
Figures follow the bureau reports (培训 30–300 人次 per class, 科普大集 1,000+ 人次, 资料 hundreds of 份).
Written through the services (so history and the operation log are filled); deterministic for a seed;
counties that already have commissioners are left alone.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from kejiju.core.demo import CITY_CODE, COUNTY_CODE, DemoContext, register_demo
from kejiju.engines.idcodes import make_id_number
from kejiju.outreach import services
from kejiju.outreach.models import Commissioner

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
GIVEN = [
    "建华",
    "立新",
    "秀英",
    "国强",
    "红梅",
    "志刚",
    "海燕",
    "永胜",
    "春生",
    "德明",
    "晓东",
    "玉兰",
    "文杰",
    "桂芳",
    "长青",
]
FIELDS = [
    "水稻栽培与病虫害防治",
    "小麦高产栽培",
    "设施蔬菜种植",
    "生猪健康养殖",
    "稻虾综合种养",
    "茶叶种植与加工",
    "果树修剪与管理",
    "农机应用",
    "食用菌栽培",
    "水产养殖",
    "农产品电商",
]
TOPICS = {
    "training": [
        "水稻病虫害绿色防控",
        "小麦赤霉病防治",
        "稻虾共作技术",
        "设施蔬菜栽培",
        "生猪疫病防控",
        "高素质农民培训",
    ],
    "lecture": ["农产品质量安全", "农村电商运营", "科学施肥", "农药安全使用"],
    "demonstration": ["水稻机插秧现场示范", "测土配方施肥示范", "无人机飞防示范"],
    "sci_week": ["科技活动周主场活动", "科技活动周科普进校园"],
    "sci_winter": ["科技之冬送技术下乡"],
    "three_rural": ["文化科技卫生三下乡"],
    "sci_fair": ["科普大集"],
    "film": ["科普电影进乡村"],
    "exhibition": ["科普展览进社区"],
}
SERVED = ["种粮大户", "家庭农场", "专业合作社", "养殖户", "村两委", "果农", "菜农"]
CONTENT = [
    "田间查看稻瘟病发生情况，指导对症用药",
    "指导育秧及秧田管理",
    "讲解测土配方施肥，发放技术资料",
    "现场指导大棚温湿度管理",
    "指导生猪免疫程序和消毒",
    "调查病虫害发生情况并提出防治措施",
    "协助合作社对接农产品销售渠道",
    "指导果树冬季修剪",
]


def _name(rng: Any) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _counties(ctx: DemoContext) -> list[str]:
    return [c for c in ctx.county_codes if c.startswith(CITY_CODE)] or list(ctx.county_codes[:1])


def _month_day(rng: Any, today: date, back_days: int) -> date:
    return today - timedelta(days=rng.randint(1, back_days))


def outreach_demo(ctx: DemoContext) -> None:
    today = date.today()
    last_year = today.year - 1
    total_c = total_d = total_a = 0
    for county in _counties(ctx):
        if Commissioner.objects.filter(region_id=county).exists():
            continue
        actor = ctx.actor_for(county)
        towns = ctx.towns_of(county)
        if actor is None or not towns:
            continue
        rng = ctx.rng_for("outreach", county)
        template = services.template_save(
            actor=actor,
            data={
                "name": "%d 年度科技特派员考核" % last_year,
                "year": last_year,
                "region": county,
                "items": [
                    {"name": "服务时长与频次", "weight": 30},
                    {"name": "服务目标完成情况", "weight": 30},
                    {"name": "培训与示范推广", "weight": 20},
                    {"name": "服务对象满意度", "weight": 20},
                ],
            },
        )
        commissioners = []
        n = rng.randint(6, 10)
        for i in range(n):
            kind = "commissioner" if i % 4 else rng.choice(["deputy_mayor", "three_areas", "commissioner"])
            name = _name(rng)
            user = None
            if county == COUNTY_CODE and i == 0 and "commissioner_demo" in ctx.users:
                user = ctx.users["commissioner_demo"]
                name, kind = user.full_name, "commissioner"
            id_no = make_id_number(
                county, date(rng.randint(1965, 1992), rng.randint(1, 12), rng.randint(1, 28)), rng.randint(1, 999)
            )
            try:
                c = services.commissioner_create(
                    actor=actor,
                    data={
                        "kind": kind,
                        "holder_type": "individual",
                        "selection_year": last_year,
                        "region": county,
                        "person": {"name": name, "id_number": id_no, "phone": "139%08d" % rng.randint(0, 99_999_999)},
                        "expertise": rng.choice(FIELDS),
                        "user": user.pk if user else None,
                    },
                )
            except Exception:  # a rare clash of generated ID numbers: skip that one
                continue
            commissioners.append(c)
        commissioners += _talent_commissioners(ctx, actor, county, last_year)
        coop = _cooperative(actor, county)
        if coop is not None:
            commissioners.append(
                services.commissioner_create(
                    actor=actor,
                    data={
                        "kind": "legal",
                        "holder_type": "legal",
                        "organization": coop.pk,
                        "selection_year": last_year,
                        "region": county,
                        "expertise": "产业链技术服务",
                    },
                )
            )
        start = date(last_year, 1, 1)
        for c in commissioners:
            town = rng.choice(towns)
            a = services.assignment_save(
                actor=actor,
                commissioner=c,
                data={
                    "target_region": town,
                    "start_on": start,
                    "targets": [
                        {"indicator": "服务天数", "number": rng.choice([30, 40, 60])},
                        {"indicator": "推广新品种新技术", "number": rng.randint(2, 5)},
                        {"indicator": "培训农民（人次）", "number": rng.choice([100, 150, 200])},
                    ],
                },
            )
            places = ctx.villages_of(town) or [town]
            for _ in range(rng.randint(6, 14)):
                services.diary_create(
                    actor=c.user or actor,
                    commissioner=c,
                    data={
                        "served_on": _month_day(rng, today, 360),
                        "place_region": rng.choice(places),
                        "served": rng.choice(SERVED),
                        "content": rng.choice(CONTENT),
                        "hours": Decimal(rng.choice(["1.5", "2", "2.5", "3", "4", "6"])),
                    },
                )
                total_d += 1
            services.assessment_save(
                actor=actor,
                commissioner=c,
                year=last_year,
                template=template,
                scores=[rng.randint(70, 100) for _ in template.items],
                comment="服务到位，群众认可。",
            )
            del a
        total_c += len(commissioners)
        total_a += _activities(ctx, actor, county, towns, commissioners, today)
    ctx.count("科技特派员", total_c)
    ctx.count("特派员服务日志", total_d)
    ctx.count("培训与科普活动", total_a)
    ctx.log(
        "  科技特派员：%(c)s 名，服务日志 %(d)s 条，培训与科普活动 %(a)s 场"
        % {"c": total_c, "d": total_d, "a": total_a}
    )


#: Persons of each county's talent pool (people demo) who are also commissioners …
TALENT_COMMISSIONERS = 2
#: … and who attended the first few training classes held in the county.
TALENT_ATTENDEES = 6
TRAINED_CLASSES = 3


def _talent_commissioners(ctx: DemoContext, actor: Any, county: str, year: int) -> list[Commissioner]:
    """A few persons of the county's talent pool serve as commissioners too: found by their ID number, so
    the commissioner is a role of the same person record (one person, one record, many roles)."""
    from kejiju.core.errors import BusinessError
    from kejiju.people.selectors import demo_talents

    made = []
    for person in demo_talents(county, TALENT_COMMISSIONERS):
        try:
            made.append(
                services.commissioner_create(
                    actor=actor,
                    data={
                        "kind": "commissioner",
                        "holder_type": "individual",
                        "selection_year": year,
                        "region": county,
                        "person": {"name": person.name, "id_number": person.id_number},
                        "expertise": person.keywords or "农业技术推广",
                    },
                )
            )
        except BusinessError as exc:  # never break the demo for one person
            ctx.log("人才库人员未登记为科技特派员（%s）：%s" % (person.name, exc))
    return made


def _cooperative(actor: Any, county: str) -> Any:
    from kejiju.orgs.selectors import organization_list

    return organization_list(user=actor, filters={"org_type": "cooperative", "region": county}).order_by("pk").first()


def _kind_for(rng: Any, day: date) -> str:
    if day.month == 5 and rng.random() < 0.5:
        return "sci_week"
    if day.month in (12, 1, 2) and rng.random() < 0.3:
        return rng.choice(["sci_winter", "three_rural"])
    return rng.choices(
        ["training", "lecture", "demonstration", "sci_fair", "film", "exhibition"], weights=[50, 15, 12, 8, 8, 7]
    )[0]


def _activities(
    ctx: DemoContext, actor: Any, county: str, towns: list[str], commissioners: list[Any], today: date
) -> int:
    from kejiju.people.selectors import demo_talents

    rng = ctx.rng_for("outreach-activities", county)
    trainers = [c for c in commissioners if c.person_id]
    # the first training classes held keep their list of attendees: talents of the county
    attendees = [p.pk for p in demo_talents(county, TALENT_ATTENDEES)]
    trained = 0
    made = 0
    for town in towns:
        for _ in range(rng.randint(4, 8)):
            day = today + timedelta(days=rng.randint(-350, 40))
            kind = _kind_for(rng, day)
            topic = rng.choice(TOPICS[kind])
            big = kind in ("sci_week", "sci_fair", "three_rural", "sci_winter")
            people = rng.sample(trainers, k=min(len(trainers), rng.randint(1, 2))) if trainers else []
            a = services.activity_plan(
                actor=actor,
                data={
                    "kind": kind,
                    "title": "%s%s" % (ctx.region_names.get(town, ""), topic),
                    "topic": topic,
                    "region": town,
                    "venue": rng.choice(["镇文化站", "村党群服务中心", "农民田间学校", "镇政府会议室", "集镇广场"]),
                    "planned_start": day,
                    "planned_end": day + timedelta(days=1 if kind == "training" and rng.random() < 0.3 else 0),
                    "planned_attendance": rng.randint(800, 2000) if big else rng.randint(40, 200),
                    "trainers": [c.person_id for c in people],
                    "commissioners": [c.pk for c in people],
                },
            )
            made += 1
            if day >= today:
                continue
            if rng.random() < 0.05:
                services.activity_cancel(actor=actor, activity=a, reason="天气原因延期")
                continue
            planned = a.planned_attendance or 50
            held: dict[str, Any] = {
                "start_on": a.planned_start,
                "end_on": a.planned_end,
                "attendance": max(10, int(planned * rng.uniform(0.8, 1.2))),
                "materials": rng.randint(800, 3000) if big else rng.randint(50, 400),
                "cost": Decimal(rng.randint(5, 200) * 100) if not big else Decimal(rng.randint(50, 400) * 100),
                "summary": "活动按计划举办，发放技术资料，现场解答群众问题。",
            }
            if kind == "training" and attendees and trained < TRAINED_CLASSES:
                held["attendees"] = attendees
                trained += 1
            services.activity_hold(actor=actor, activity=a, data=held)
    return made


register_demo("outreach", outreach_demo, order=55)
