"""Demo talent pool (``kejiju demo``, order 30 — before experts and commissioners, who reuse some of these
persons through :func:`kejiju.people.selectors.demo_talents`): per county a pool of persons with valid
generated ID numbers and mobile numbers, employers from the demo organizations, talent categories, honours
and training; a selection round of last year already granted and this year's 拔尖人才评选 in publicity.

Persons per county: 300 at county scale, 150 at city scale, 60 at province scale. Written in bulk with
their history rows; deterministic for a seed; counties that already have persons are left alone. The age
mix leans old on purpose, as the seed reports describe (知识老化, 青黄不接).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from kejiju.core.bulk import copy_history, ids_by, insert_rows
from kejiju.core.demo import DemoContext, register_demo
from kejiju.engines.idcodes import make_id_number
from kejiju.engines.pinyin import name_initials
from kejiju.people.models import Honour, Person, SelectionRound, TalentCategory, TalentMembership, TrainingRecord

PER_COUNTY = {"county": 300, "city": 150, "province": 60}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红玉春林海波宁晓东文辉鹏飞雪梅俊峰琳慧"

#: (title, title level, education, subjects, industries, keywords) profiles of a rural county's talents.
PROFILES: list[tuple[str, str, str, list[str], list[str], str]] = [
    ("高级农艺师", "vice_senior", "bachelor", ["210"], ["A01"], "水稻栽培, 绿色防控"),
    ("农艺师", "intermediate", "junior_college", ["210"], ["A01"], "蔬菜种植, 设施农业"),
    ("畜牧师", "intermediate", "bachelor", ["230"], ["A03"], "生猪养殖, 疫病防控"),
    ("高级兽医师", "vice_senior", "bachelor", ["230"], ["A03"], "兽医, 家禽养殖"),
    ("水产工程师", "intermediate", "junior_college", ["240"], ["A04"], "虾蟹养殖, 稻渔综合种养"),
    ("林业工程师", "intermediate", "bachelor", ["220"], ["A02"], "苗木繁育, 经济林"),
    ("高级工程师", "vice_senior", "master", ["460"], ["C34"], "机械设计, 智能装备"),
    ("工程师", "intermediate", "bachelor", ["510"], ["C39"], "电子元器件, 线缆"),
    ("正高级工程师", "senior", "doctor", ["530"], ["C26"], "精细化工, 新材料"),
    ("工程师", "intermediate", "master", ["520"], ["I65"], "软件开发, 工业互联网"),
    ("主治医师", "intermediate", "bachelor", ["360"], ["Q84"], "中医药, 基层医疗"),
    ("食品工程师", "intermediate", "bachelor", ["550"], ["C13"], "农产品加工, 食品安全"),
    ("", "none", "secondary", ["210"], ["A01"], "种粮大户, 农机作业"),
    ("", "none", "below", ["230"], ["A03"], "特色养殖, 合作社经营"),
    ("助理农艺师", "junior", "junior_college", ["210"], ["A05"], "农技推广, 植保"),
]

#: Age weights (years of age → weight): more people in their fifties than under 35.
AGES = [(25, 3), (30, 5), (35, 7), (40, 8), (45, 10), (50, 12), (55, 11), (60, 6), (63, 3)]

HONOURS = [
    ("劳动模范", "city"),
    ("优秀科技特派员", "provincial"),
    ("农村实用人才带头人", "county"),
    ("五一劳动奖章", "provincial"),
    ("科技进步奖获得者", "city"),
    ("优秀共产党员", "county"),
    ("最美科技工作者", "city"),
    ("乡村振兴先进个人", "county"),
]

TRAININGS = [
    "高素质农民培训",
    "基层农技人员知识更新培训",
    "科技特派员业务培训",
    "企业技术骨干研修班",
    "乡村振兴带头人培训",
]


def _weighted_age(rng: Any) -> int:
    total = sum(w for _a, w in AGES)
    pick = rng.uniform(0, total)
    for age, weight in AGES:
        pick -= weight
        if pick <= 0:
            return age + rng.randint(0, 4)
    return 45


def _name(rng: Any) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _categories() -> dict[str, TalentCategory]:
    from kejiju.people.choices import DEFAULT_CATEGORIES

    for order, (code, name, description) in enumerate(DEFAULT_CATEGORIES, start=1):
        TalentCategory.objects.get_or_create(
            code=code, defaults={"name": name, "description": description, "order": order * 10}
        )
    return {c.code: c for c in TalentCategory.objects.all()}


def _employers(actor: Any, county: str) -> list[int]:
    from kejiju.orgs.selectors import organization_list

    if actor is None:
        return []
    return list(
        organization_list(user=actor, filters={"region": county}).order_by("pk").values_list("pk", flat=True)[:200]
    )


def people_demo(ctx: DemoContext) -> None:
    """Persons, memberships, honours and training records per county, then the selection rounds."""
    from kejiju.people.services import match_tokens

    today = timezone.localdate()
    categories = _categories()
    per_county = PER_COUNTY.get(ctx.scale, 100)
    for county in ctx.county_codes:
        if Person.objects.filter(region__code__startswith=county).exists():
            continue
        rng = ctx.rng_for("people", county)
        actor = ctx.actor_for(county)
        towns = ctx.towns_of(county) or [county]
        employers = _employers(actor, county)
        rows: list[dict[str, Any]] = []
        taken: set[str] = set()
        for _i in range(per_county):
            age = _weighted_age(rng)
            birth = date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
            number = make_id_number(county, birth, rng.randint(0, 999))
            while number in taken:
                number = make_id_number(county, birth, rng.randint(0, 999))
            taken.add(number)
            title, level, education, subjects, industries, keywords = rng.choice(PROFILES)
            name = _name(rng)
            rows.append(
                {
                    "name": name,
                    "name_initials": name_initials(name)[:80],
                    "id_type": "resident",
                    "id_number": number,
                    "gender": "male" if int(number[16]) % 2 else "female",
                    "birth_date": birth,
                    "ethnicity": "汉族" if rng.random() < 0.97 else "回族",
                    "phone": "1%d%08d" % (rng.choice((38, 39, 58, 59, 80, 87)), rng.randint(0, 99_999_999)),
                    "email": "",
                    "organization": rng.choice(employers) if employers and title and rng.random() < 0.7 else None,
                    "position": "",
                    "title": title,
                    "title_level": level,
                    "education": education,
                    "major": "",
                    "subjects": subjects,
                    "industries": industries,
                    "keywords": keywords,
                    "notes": "",
                    "region": rng.choice(towns),
                    "is_archived": False,
                }
            )
            rows[-1]["match_tokens"] = match_tokens(SimpleNamespace(**rows[-1]))  # as the services store it
        insert_rows(
            Person,
            rows,
            fields=[
                "name",
                "name_initials",
                "id_type",
                "id_number",
                "gender",
                "birth_date",
                "ethnicity",
                "phone",
                "email",
                "organization",
                "position",
                "title",
                "title_level",
                "education",
                "major",
                "subjects",
                "industries",
                "keywords",
                "match_tokens",
                "notes",
                "region",
                "is_archived",
                "created_at",
                "updated_at",
            ],
        )
        ids = ids_by(Person, "id_number", [r["id_number"] for r in rows])
        copy_history(Person, ids.values(), history_type="+", user=actor, reason="演示数据")
        memberships, honours, trainings = [], [], []
        doc_no = 0
        for row in rows:
            pk = ids[row["id_number"]]
            age = today.year - row["birth_date"].year
            wanted: list[str] = []
            if row["title_level"] in ("senior", "vice_senior") and rng.random() < 0.5:
                wanted.append("top")
            if row["title_level"] in ("none", "junior") and rng.random() < 0.6:
                wanted.append("rural")
            if rng.random() < 0.12:
                wanted.append("sanqu")
            if row["education"] in ("master", "doctor") and rng.random() < 0.4:
                wanted.append("introduced")
            if age < 35 and rng.random() < 0.7:
                wanted.append("young")
            for code in wanted:
                doc_no += 1
                memberships.append(
                    {
                        "person": pk,
                        "category": categories[code].pk,
                        "year": rng.randint(max(today.year - 8, row["birth_date"].year + 22), today.year - 1),
                        "document_no": "%s科〔%d〕%d号"
                        % (ctx.region_names.get(county, "")[:1] or "县", today.year - 1, doc_no),
                        "notes": "",
                        "region": row["region"],
                        "is_archived": False,
                    }
                )
            if wanted and rng.random() < 0.45:
                title, level = rng.choice(HONOURS)
                honours.append(
                    {
                        "person": pk,
                        "title": title,
                        "level": level,
                        "year": rng.randint(today.year - 6, today.year - 1),
                        "issuer": {"city": "市人民政府", "provincial": "省人民政府", "county": "县委县政府"}[level],
                        "document_no": "",
                        "region": row["region"],
                        "is_archived": False,
                    }
                )
            if rng.random() < 0.25:
                start = today - timedelta(days=rng.randint(30, 900))
                trainings.append(
                    {
                        "person": pk,
                        "title": rng.choice(TRAININGS),
                        "organizer": "省科技厅" if rng.random() < 0.3 else "市农业农村局",
                        "start_date": start,
                        "end_date": start + timedelta(days=rng.randint(1, 6)),
                        "hours": Decimal(rng.choice((8, 16, 24, 32, 40))),
                        "certificate_no": "",
                        "region": row["region"],
                        "is_archived": False,
                    }
                )
        # one active membership per person and category even if the draw repeated a code
        unique: dict[tuple[int, int], dict[str, Any]] = {}
        for m in memberships:
            unique.setdefault((m["person"], m["category"]), m)
        memberships = list(unique.values())
        insert_rows(
            TalentMembership,
            memberships,
            fields=[
                "person",
                "category",
                "year",
                "document_no",
                "notes",
                "region",
                "is_archived",
                "created_at",
                "updated_at",
            ],
        )
        insert_rows(
            Honour,
            honours,
            fields=[
                "person",
                "title",
                "level",
                "year",
                "issuer",
                "document_no",
                "region",
                "is_archived",
                "created_at",
                "updated_at",
            ],
        )
        insert_rows(
            TrainingRecord,
            trainings,
            fields=[
                "person",
                "title",
                "organizer",
                "start_date",
                "end_date",
                "hours",
                "certificate_no",
                "region",
                "is_archived",
                "created_at",
                "updated_at",
            ],
        )
        person_ids = list(ids.values())
        for model in (TalentMembership, Honour, TrainingRecord):
            new = list(model.objects.filter(region__code__startswith=county).values_list("pk", flat=True))
            copy_history(model, new, history_type="+", user=actor, reason="演示数据")
        ctx.count("人员", len(rows))
        ctx.count("人才入库", len(memberships))
        ctx.count("荣誉与入选", len(honours))
        ctx.count("培训记录", len(trainings))
        if ctx.scale != "province" or county == ctx.county_codes[0]:
            _rounds(ctx, county, actor, person_ids, rng)


def _rounds(ctx: DemoContext, county: str, actor: Any, person_ids: list[int], rng: Any) -> None:
    """Last year's 拔尖人才评选 granted, this year's in publicity (through the services, with their
    transition rows and operation log)."""
    from kejiju.people import services

    if actor is None or SelectionRound.objects.filter(region_id=county).exists():
        return
    today = timezone.localdate()
    name = ctx.region_names.get(county, "")
    candidates = list(
        Person.objects.filter(pk__in=person_ids, title_level__in=("senior", "vice_senior", "intermediate"))
        .exclude(memberships__category__code="top")
        .order_by("pk")[:16]
    )
    for year, final, people in (
        (today.year - 1, "granted", candidates[:8]),
        (today.year, "publicity", candidates[8:16]),
    ):
        if len(people) < 3:
            continue
        rnd = services.round_create(
            actor=actor,
            data={
                "title": "%d 年度%s拔尖人才评选" % (year, name),
                "category": "top",
                "year": str(year),
                "quota": "5",
                "region": county,
                "rules": "在本地工作满 3 年，具有中级及以上职称，近 3 年在科技创新、成果转化或带动产业发展方面业绩突出。",
                "publicity_contact": "0550-7012345",
            },
        )
        services.round_transition(actor=actor, selection_round=rnd, action="open")
        nominations = [
            services.nomination_create(
                actor=actor,
                selection_round=rnd,
                person_data={"name": p.name, "id_number": p.id_number},
                achievements="主持或参与科技项目，推广新技术、新品种，带动农户增收。",
            )
            for p in people
        ]
        services.round_transition(actor=actor, selection_round=rnd, action="start_review")
        scores = sorted((Decimal(rng.randint(7000, 9600)) / 100 for _ in nominations), reverse=True)
        for i, (nomination, score) in enumerate(zip(nominations, scores, strict=True)):
            services.nomination_score(
                actor=actor, nomination=nomination, score=score, reviewers=5, opinion="材料齐全，业绩属实。"
            )
            services.nomination_decide(
                actor=actor, nomination=nomination, result="selected" if i < 5 else "not_selected"
            )
        services.round_transition(actor=actor, selection_round=rnd, action="decide")
        start = today - timedelta(days=2)
        end = today + timedelta(days=5)
        if final == "granted":
            start, end = date(year, 11, 20), date(year, 11, 26)
        services.round_transition(
            actor=actor,
            selection_round=rnd,
            action="publish",
            data={
                "publicity_start": start.isoformat(),
                "publicity_end": end.isoformat(),
                "decision_document_no": "%s科〔%d〕%d号" % (name[:1] or "县", year, 30 + rng.randint(1, 60)),
            },
        )
        if final == "granted":
            services.round_transition(actor=actor, selection_round=rnd, action="grant")
        ctx.count("人才评选", 1)


register_demo("people", people_demo, order=30)
