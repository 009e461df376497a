"""Demo data of S&T awards: last year's county award granted (review scores, the award committee's meeting
and votes, certificates' figures and prize paid),
this year's cycle open with a nomination of the demo 单位用户, and higher-level awards."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kejiju.core.demo import COUNTY_CODE, DemoContext, register_demo
from kejiju.engines.idcodes import make_id_number

TITLES = [
    ("优质稻米绿色高效栽培技术集成与推广", "科技进步奖"),
    ("稻虾共养生态种养模式示范", "科技成果转化奖"),
    ("特种电缆阻燃护套材料研制", "科技进步奖"),
    ("设施蔬菜物联网监测系统应用", "科技成果转化奖"),
    ("高效低毒农药减量施用技术", "科技进步奖"),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡"
GIVEN = ["建国", "海燕", "志强", "丽华", "明", "晓东", "春梅", "永刚", "文静", "国平"]


COMMITTEE = [
    {"name": name, "unit": unit}
    for name, unit in (
        ("韩志远", "天长市科学技术局"),
        ("沈丽君", "天长市农业农村局"),
        ("曹建平", "天长市工业和信息化局"),
        ("许文涛", "天长市发展和改革委员会"),
        ("邓海波", "天长市财政局"),
        ("冯玉兰", "天长市农业技术推广中心"),
        ("蒋国华", "天长市质量技术监督检测中心"),
        ("宋立新", "天长市人民医院"),
        ("唐晓峰", "天长市科学技术协会"),
        ("程永红", "天长市生态环境分局"),
        ("魏明哲", "天长市教育体育局"),
    )
]


def _members(rng: Any, n: int) -> list[dict[str, Any]]:
    return [
        {
            "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
            "id_number": make_id_number(
                COUNTY_CODE,
                date(1965 + rng.randint(0, 30), rng.randint(1, 12), rng.randint(1, 28)),
                rng.randint(1, 998),
            ),
            "contribution": rng.choice(["项目总体设计", "关键技术研发", "示范推广", "试验与数据分析"]),
        }
        for _ in range(n)
    ]


def awards_demo(ctx: DemoContext) -> None:
    from kejiju.awards import services
    from kejiju.awards.models import AwardCycle
    from kejiju.orgs.selectors import organization_list

    staff = ctx.users.get("county_staff")
    if staff is None:
        return
    if AwardCycle.objects.filter(region__code__startswith=COUNTY_CODE).exists():
        return  # already loaded: a second run adds nothing (the demo is idempotent)
    orgs = list(organization_list(user=staff, filters={"org_type": "enterprise"}).order_by("pk")[:8])
    if len(orgs) < 3:
        return
    rng = ctx.rng_for("awards", COUNTY_CODE)
    programme = services.programme_save(
        actor=staff,
        name="天长市科学技术进步奖",
        categories=["科技进步奖", "科技成果转化奖"],
        grades=[
            {"grade": "一等奖", "prize": "50000", "quota": 1},
            {"grade": "二等奖", "prize": "30000", "quota": 2},
            {"grade": "三等奖", "prize": "10000", "quota": 4},
        ],
        rules="依据《天长市科学技术奖励暂行办法》，每年评审一次。",
    )
    year = timezone.localdate().year
    now = timezone.now()
    past = services.cycle_save(
        actor=staff,
        programme=programme,
        year=year - 1,
        opens_at=now - timedelta(days=2),
        closes_at=now + timedelta(days=1),
    )
    services.cycle_step(actor=staff, cycle=past, action="open")
    nominations = []
    for n, (title, category) in enumerate(TITLES):
        nomination = services.nomination_save(
            actor=staff,
            cycle=past,
            organization=orgs[n % len(orgs)],
            data={
                "title": title,
                "category": category,
                "summary": f"{title}：集成创新，示范推广成效显著。",
                "field_keywords": "农业" if "稻" in title or "蔬菜" in title or "农药" in title else "制造",
            },
            members=_members(rng, rng.randint(2, 5)),
        )
        services.nomination_step(actor=staff, nomination=nomination, action="submit")
        nominations.append(nomination)
    services.cycle_step(actor=staff, cycle=past, action="close_nominations")
    for nomination in nominations:
        services.nomination_step(actor=staff, nomination=nomination, action="pass")
    services.cycle_step(actor=staff, cycle=past, action="start_review")
    today = timezone.localdate()
    for rank, nomination in enumerate(nominations, start=1):
        services.nomination_review_result(
            actor=staff, nomination_id=nomination.pk, score=Decimal(92) - 4 * rank, rank=rank
        )
    # the award committee (11 members, 9 present) votes; 2/3 of 9 is 6 votes for
    services.meeting_save(
        actor=staff,
        cycle=past,
        held_on=today - timedelta(days=12),
        place="天长市科学技术局三楼会议室",
        members=COMMITTEE,
        members_present=9,
    )
    ballots = [("一等奖", 8, 1, 0), ("二等奖", 7, 1, 1), ("二等奖", 6, 2, 1), ("三等奖", 9, 0, 0), ("三等奖", 4, 3, 2)]
    for nomination, (grade, votes_for, against, abstain) in zip(nominations, ballots, strict=True):
        services.vote_record(
            actor=staff,
            nomination=nomination,
            grade=grade,
            votes_for=votes_for,
            votes_against=against,
            votes_abstain=abstain,
        )
    services.cycle_step(actor=staff, cycle=past, action="decide")
    services.cycle_step(
        actor=staff,
        cycle=past,
        action="publicize",
        publicity_from=today - timedelta(days=10),
        publicity_until=today - timedelta(days=3),
    )
    AwardCycle.objects.filter(pk=past.pk).update(publicity_until=today - timedelta(days=3))
    past.refresh_from_db()
    services.cycle_step(actor=staff, cycle=past, action="close")
    for nomination in nominations[:3]:
        nomination.refresh_from_db()
        services.prize_pay(
            actor=staff,
            nomination=nomination,
            amount=nomination.prize,
            paid_on=today,
            payee=nomination.organization.name,
            voucher=f"JL{year - 1}{nomination.pk:03d}",
        )
    ctx.count("科技奖励推荐", len(nominations))

    current = services.cycle_save(
        actor=staff,
        programme=programme,
        year=year,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30),
    )
    services.cycle_step(actor=staff, cycle=current, action="open")
    applicant = ctx.users.get("org_demo")
    from kejiju.orgs.selectors import organizations_of_user

    own = organizations_of_user(user=applicant).first() if applicant is not None else None
    if own is not None and applicant is not None:
        services.nomination_save(
            actor=applicant,
            cycle=current,
            organization=own,
            data={"title": "智能电网电缆在线监测装置", "category": "科技进步奖", "summary": "研制并应用在线监测装置。"},
            members=_members(rng, 3),
        )
    for level, name, grade in (
        ("provincial", "安徽省科学技术奖", "三等奖"),
        ("prefecture", "滁州市科学技术奖", "二等奖"),
    ):
        services.higher_award_save(
            actor=staff,
            data={
                "name": name,
                "level": level,
                "grade": grade,
                "year": year - 1,
                "title": rng.choice(TITLES)[0],
                "prize": "20000",
            },
            organization=rng.choice(orgs),
            persons=_members(rng, 2),
        )
    ctx.count("上级科技奖励", 2)


register_demo("awards", awards_demo, order=96)
