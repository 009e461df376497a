"""Demo data of the service line: experts on a duty rota, knowledge-base articles and a year of requests
(a few thousand for the demo city; 1,000,000 at ``--scale province`` through ``core.bulk`` for the speed
benchmarks). Deterministic per seed (``ctx.rng_for``)."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from kejiju.core.bulk import copy_history, insert_rows
from kejiju.core.demo import DemoContext, register_demo
from kejiju.service.choices import LossMethod, LossStatus, RequestStatus, Visibility

REQUESTS = {"county": 900, "city": 3000, "province": 1_000_000}
EXPERTS_PER_COUNTY = 6
CHUNK = 10_000

#: (subject, category, problem, answer) — the usual calls of a farmers' hotline.
TOPICS = (
    (
        "crop",
        "disease",
        "水稻叶片出现梭形褐色病斑，穗颈变黑，疑似稻瘟病",
        "稻瘟病：破口前 5–7 天用三环唑或稻瘟灵喷雾，间隔 7 天再喷一次；控氮增钾。",
    ),
    (
        "crop",
        "disease",
        "小麦叶片有黄色条状孢子堆，怀疑条锈病",
        "条锈病：发病初期用三唑酮或戊唑醇喷雾，重点防治早发病田块。",
    ),
    (
        "crop",
        "pest",
        "水稻稻纵卷叶螟危害严重，叶片卷成筒状",
        "稻纵卷叶螟：卵孵高峰期用氯虫苯甲酰胺喷雾，田间保持浅水层。",
    ),
    (
        "crop",
        "pest",
        "玉米心叶被虫咬成花叶，发现草地贪夜蛾幼虫",
        "草地贪夜蛾：低龄幼虫期用甲维盐或乙基多杀菌素喷心叶，傍晚施药。",
    ),
    (
        "crop",
        "cultivation",
        "稻虾共作田水稻分蘖少，施肥不知道怎么安排",
        "稻虾共作：基肥以有机肥为主，分蘖期少量追施尿素，避免高温时段施肥伤虾。",
    ),
    (
        "forestry",
        "disease",
        "葡萄叶片背面长白色霉层，果穗腐烂",
        "葡萄霜霉病：雨前喷波尔多液保护，发病后用烯酰吗啉，注意通风降湿。",
    ),
    (
        "forestry",
        "cultivation",
        "桃树花多坐果少，想了解疏花疏果",
        "桃树疏果：硬核期前完成，长果枝留 3–4 个，短果枝留 1 个。",
    ),
    (
        "livestock",
        "epidemic",
        "生猪发热不吃食，皮肤发红，担心非洲猪瘟",
        "疑似疫病：立即隔离并报告当地动物防疫站，禁止调运，全场消毒。",
    ),
    (
        "livestock",
        "breeding",
        "母猪产后不吃食，奶水少",
        "母猪产后护理：补充电解质和青绿饲料，必要时注射催产素，请兽医诊治。",
    ),
    (
        "livestock",
        "epidemic",
        "鸡群出现呼吸道症状，产蛋下降",
        "禽呼吸道病：隔离病鸡，加强通风，按兽医处方用药，注意免疫程序。",
    ),
    (
        "aquaculture",
        "disease",
        "小龙虾大量死亡，池塘水发黑",
        "小龙虾死亡：立即换水增氧，检测氨氮亚硝酸盐，泼洒底质改良剂。",
    ),
    (
        "aquaculture",
        "breeding",
        "螃蟹池塘水草长得不好，水浑浊",
        "河蟹养殖：补栽伊乐藻，控制投喂量，定期泼洒微生物制剂调水。",
    ),
    (
        "machinery",
        "technique",
        "植保无人机喷药不均匀，想了解作业参数",
        "植保无人机：飞行高度 2–3 米、速度 4–5 米/秒，每亩药液量不少于 1.5 升。",
    ),
    (
        "market",
        "information",
        "今年稻谷收购价格多少，哪里收购",
        "稻谷价格：请关注粮食部门最低收购价公告，可联系本地粮食收储企业。",
    ),
    (
        "policy",
        "information",
        "想申请农机购置补贴，需要什么材料",
        "农机补贴：携带身份证、购机发票和机具到乡镇农机站申请，按公示目录补贴。",
    ),
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "建国 秀英 海涛 桂兰 志强 玉梅 德明 春花 长江 红霞 立新 家宝 金凤 永福 爱华 国强 兰英 玉华 正林 小平".split()
EXPERT_TITLES = ("农艺师", "高级农艺师", "畜牧师", "水产工程师", "农业技术推广研究员")


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _id_number(region: str, born: date, seq: int) -> str:
    body = "%s%s%03d" % (region[:6], born.strftime("%Y%m%d"), seq % 1000)
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]
    return body + check


def _experts(ctx: DemoContext) -> dict[str, list[Any]]:
    """Six experts per county (one record per person via ``person_ensure``)."""
    from kejiju.people.services import person_ensure

    out: dict[str, list[Any]] = {}
    for county in ctx.county_codes:
        rng = ctx.rng_for("service-experts", county)
        actor = ctx.actor_for(county)
        people = []
        for i in range(EXPERTS_PER_COUNTY):
            born = date(1965 + rng.randrange(25), 1 + rng.randrange(12), 1 + rng.randrange(28))
            people.append(
                person_ensure(
                    actor=actor,
                    data={
                        "name": _name(rng),
                        "id_number": _id_number(county, born, 500 + i * 2),
                        "region": county,
                        "phone": "139%08d" % rng.randrange(10**8),
                        "title": rng.choice(EXPERT_TITLES),
                    },
                )
            )
        out[county] = people
    return out


def _articles(ctx: DemoContext) -> None:
    from kejiju.service.models import KnowledgeArticle
    from kejiju.service.services import article_save

    actor = ctx.actor_for(ctx.county_codes[0] if ctx.county_codes else ctx.scope_code)
    region = ctx.county_codes[0] if ctx.county_codes else ctx.scope_code
    seasons = {"disease": ["summer"], "pest": ["summer", "autumn"], "epidemic": ["winter", "spring"]}
    existing = set(KnowledgeArticle.objects.filter(region_id=region).values_list("title", flat=True))
    added = 0
    for i, (subject, category, problem, answer) in enumerate(TOPICS):
        title = answer.split("：", 1)[0] + "：" + problem[:14]
        if title in existing:  # a second run adds nothing (the demo is idempotent)
            continue
        added += 1
        article_save(
            actor=actor,
            data={
                "title": title,
                "summary": problem,
                "body": "【症状】%s。\n\n【处理】%s\n\n【预防】加强田间（栏舍、池塘）巡查，发现问题及时拨打农业科技服务热线。"
                % (problem, answer.split("：", 1)[1]),
                "subject": subject,
                "category": category,
                "seasons": seasons.get(category, []),
                "visibility": Visibility.INTERNAL if i % 5 == 4 else Visibility.PUBLIC,
                "region": region,
            },
        )
    ctx.count("知识库文章", added)


def _duty(ctx: DemoContext, experts: dict[str, list[Any]]) -> None:
    """A rota for the 14 days around today: each town one expert a day, round the county's experts."""
    from kejiju.service.models import DutySlot, ServiceSubject

    subjects = list(ServiceSubject.objects.all())
    today = timezone.localdate()
    slots = []
    for county, people in experts.items():
        towns = ctx.towns_of(county)[:12]
        for d in range(-7, 8):
            day = today + timedelta(days=d)
            for t, town in enumerate(towns):
                slots.append(DutySlot(person=people[(t + d) % len(people)], on_date=day, region_id=town))
    # A second run adds only the missing slots (the demo is idempotent).
    before = DutySlot.objects.count()
    DutySlot.objects.bulk_create(slots, batch_size=2000, ignore_conflicts=True)
    added = DutySlot.objects.count() - before
    through = DutySlot.subjects.through
    links = []
    for slot in DutySlot.objects.filter(on_date__gte=today - timedelta(days=7)).values_list("pk", "person_id"):
        for s in subjects:
            if (slot[1] + s.pk) % 3 != 0 or s.code in ("crop", "livestock"):
                links.append(through(dutyslot_id=slot[0], servicesubject_id=s.pk))
    through.objects.bulk_create(links, batch_size=5000, ignore_conflicts=True)
    ctx.count("值班安排", added)


def _requests(ctx: DemoContext, experts: dict[str, list[Any]]) -> None:
    """A year of requests, written with ``core.bulk`` (statuses, timers, visits and callbacks consistent
    with each other). At city scale every request also gets its transition rows and field history."""
    from kejiju.service.models import (
        Callback,
        ProblemCategory,
        ServiceRequest,
        ServiceRequestTransition,
        ServiceSubject,
        Visit,
    )

    total = REQUESTS.get(ctx.scale, 900)
    villages = [v for v in ctx.village_codes] or list(ctx.town_codes)
    if not villages:
        return
    if ServiceRequest.objects.filter(region_id__in=villages[:200]).exists():
        return  # the year of requests is already there: a second run adds none (the demo is idempotent)
    subj = {s.code: s.pk for s in ServiceSubject.objects.all()}
    cats = {c.code: c for c in ProblemCategory.objects.all()}
    rng = ctx.rng_for("service-requests")
    tz = timezone.get_current_timezone()
    end = timezone.localdate()
    start = end - timedelta(days=365)
    next_id = (ServiceRequest.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    taker = ctx.actor_for(villages[0])
    full = ctx.scale != "province"
    fields = [
        "id",
        "number",
        "channel",
        "caller_phone",
        "caller_name",
        "region",
        "town",
        "subject",
        "category",
        "description",
        "status",
        "taker",
        "assignee",
        "assigned_region",
        "received_at",
        "first_response_at",
        "dispatched_at",
        "accepted_at",
        "visited_at",
        "closed_at",
        "response_due",
        "visit_due",
        "closure_due",
        "paused_seconds",
        "is_overdue",
        "answer",
        "satisfaction",
        "resolved",
        "loss_avoided",
        "complaints",
        "resume_status",
        "created_at",
        "updated_at",
        "is_archived",
    ]
    done = 0
    while done < total:
        n = min(CHUNK, total - done)
        rows: list[dict[str, Any]] = []
        trans: list[dict[str, Any]] = []
        visits: list[dict[str, Any]] = []
        cbs: list[dict[str, Any]] = []
        for i in range(n):
            pk = next_id + done + i
            village = villages[rng.randrange(len(villages))]
            # more calls in the growing season
            day = start + timedelta(days=min(365, int(rng.triangular(0, 365, 200))))
            at = datetime.combine(day, time(7 + rng.randrange(11), rng.randrange(60)), tzinfo=tz)
            subject, category, problem, answer = TOPICS[rng.randrange(len(TOPICS))]
            cat = cats[category]
            age = (end - day).days
            roll = rng.random()
            status = (
                RequestStatus.CLOSED
                if age > 10 or roll < 0.6
                else rng.choice(
                    [RequestStatus.RECEIVED, RequestStatus.ACCEPTED, RequestStatus.VISITED, RequestStatus.ANSWERED]
                )
            )
            needs_visit = cat.visit_hours > 0 and rng.random() < 0.7
            county = village[:6]
            people = experts.get(county) or next(iter(experts.values()), [])
            assignee = people[rng.randrange(len(people))] if (needs_visit and people) else None
            resp: datetime | None = at + timedelta(minutes=20 + rng.randrange(cat.response_hours * 60))
            assert resp is not None
            visited: datetime | None = (
                resp + timedelta(hours=2 + rng.randrange(max(1, cat.visit_hours))) if assignee else None
            )
            closed = (
                (visited or resp) + timedelta(hours=24 + rng.randrange(96)) if status == RequestStatus.CLOSED else None
            )
            if status in (RequestStatus.RECEIVED,):
                assignee, visited, resp = None, None, None
            if status == RequestStatus.ACCEPTED:
                visited = None
            rated = status == RequestStatus.CLOSED and rng.random() < 0.85
            satisfaction = rng.choice((5, 5, 5, 4, 4, 3)) if rated else None
            loss = None
            if rated and subject in ("crop", "forestry", "aquaculture", "livestock") and rng.random() < 0.5:
                loss = Decimal(rng.randrange(8, 300) * 100)
            row = {
                "id": pk,
                "number": "FW%s%06d" % (day.strftime("%Y%m%d"), pk),
                "channel": "web" if rng.random() < 0.12 else "phone",
                "caller_phone": "1%d%09d" % (rng.choice((3, 5, 8)), rng.randrange(10**9)),
                "caller_name": _name(rng),
                "region": village,
                "town": village[:9],
                "subject": subj[subject],
                "category": cat.pk,
                "description": problem,
                "status": status,
                "taker": taker.pk if taker else None,
                "assignee": assignee.pk if assignee else None,
                "assigned_region": village[:9] if assignee else None,
                "received_at": at,
                "first_response_at": resp,
                "dispatched_at": resp if assignee else None,
                "accepted_at": resp + timedelta(minutes=30) if assignee and resp else None,
                "visited_at": visited,
                "closed_at": closed,
                "response_due": at + timedelta(hours=cat.response_hours),
                "visit_due": at + timedelta(hours=cat.visit_hours) if cat.visit_hours else None,
                "closure_due": at + timedelta(hours=cat.closure_hours),
                "paused_seconds": 0,
                "is_overdue": bool(status != RequestStatus.CLOSED and age > cat.closure_hours / 24),
                "answer": "" if assignee else answer,
                "satisfaction": satisfaction,
                "resolved": True if rated else None,
                "loss_avoided": loss,
                "complaints": 1 if satisfaction == 3 and rng.random() < 0.2 else 0,
                "resume_status": "",
                "created_at": at,
                "updated_at": closed or at,
                "is_archived": False,
            }
            rows.append(row)
            if full:
                trans.append(
                    {
                        "request": pk,
                        "from_status": "",
                        "to_status": "received",
                        "action": "create",
                        "at": at,
                        "actor": row["taker"],
                        "reason": "",
                        "extra": {},
                    }
                )
                if visited is not None:
                    visits.append(
                        {
                            "request": pk,
                            "visited_on": timezone.localtime(visited).date(),
                            "people": getattr(assignee, "name", ""),
                            "diagnosis": answer.split("：")[0],
                            "measures": answer.split("：", 1)[1],
                            "materials": "技术明白纸 1 份",
                            "recorded_by": row["taker"],
                        }
                    )
                if closed is not None:
                    trans.append(
                        {
                            "request": pk,
                            "from_status": "visited" if visited else "answered",
                            "to_status": "closed",
                            "action": "close",
                            "at": closed,
                            "actor": row["taker"],
                            "reason": "",
                            "extra": {},
                        }
                    )
                if rated:
                    method, area, yld, price = (LossMethod.DIRECT, None, None, None)
                    formula = "直接测算 %s 元 = %s 元" % (loss, loss) if loss else ""
                    cbs.append(
                        {
                            "request": pk,
                            "called_on": timezone.localtime(closed).date(),
                            "resolved": True,
                            "satisfaction": satisfaction,
                            "comment": "",
                            "loss_method": method if loss else "",
                            "area_mu": area,
                            "yield_saved_kg": yld,
                            "price": price,
                            "head_count": None,
                            "loss_amount": loss,
                            "loss_formula": formula,
                            "loss_status": LossStatus.CHECKED if loss else "",
                            "recorded_by": row["taker"],
                        }
                    )
        insert_rows(ServiceRequest, rows, fields=fields)
        if full:
            insert_rows(
                ServiceRequestTransition,
                trans,
                fields=["request", "from_status", "to_status", "action", "at", "actor", "reason", "extra"],
            )
            insert_rows(
                Visit,
                visits,
                fields=[
                    "request",
                    "visited_on",
                    "people",
                    "diagnosis",
                    "measures",
                    "materials",
                    "recorded_by",
                    "created_at",
                ],
            )
            insert_rows(
                Callback,
                cbs,
                fields=[
                    "request",
                    "called_on",
                    "resolved",
                    "satisfaction",
                    "comment",
                    "loss_method",
                    "area_mu",
                    "yield_saved_kg",
                    "price",
                    "head_count",
                    "loss_amount",
                    "loss_formula",
                    "loss_status",
                    "recorded_by",
                    "created_at",
                ],
            )
            copy_history(ServiceRequest, [r["id"] for r in rows], history_type="+", user=taker, reason="演示数据")
        done += n
        if ctx.scale == "province":
            ctx.log("  服务工单 %d / %d" % (done, total))
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                "SELECT setval(pg_get_serial_sequence('service_servicerequest', 'id'), "
                "(SELECT COALESCE(MAX(id), 1) FROM service_servicerequest))"
            )
    ctx.count("服务工单", total)
    # the bulk load bypasses the saves that mark months dirty: sum every month for the statistics page
    from kejiju.service.services import stats_rollup_rebuild

    stats_rollup_rebuild(everything=True)


def service_demo(ctx: DemoContext) -> None:
    from kejiju.service.services import ensure_defaults

    ensure_defaults()
    experts = _experts(ctx)
    _articles(ctx)
    _duty(ctx, experts)
    _requests(ctx, experts)


register_demo("service", service_demo, order=50)
