"""Demo data of the review app: an expert pool for the demo area (a few dozen per county, a few hundred
at city scale, a few of each county's talents among them: the same person records as the talent pool),
the ``expert_demo`` account linked to an expert, fee schedules, and — when the programmes
app offers applications in review — a drawn batch with reserves and its draw record. A few experts carry
declarations (回避申报) and unavailable periods (不可参评时间) — the demo expert's own are declared from
their account — and the batch's review date falls in one of them, so the draw visibly skips that expert.
The first application asks to avoid one expert (entered by staff). The demo draw's nonce is one under which the demo expert is on a panel (:func:`_demo_nonce`), so the
``expert_demo`` account has an invitation to answer and a record to score."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from kejiju.core.demo import DemoContext, register_demo
from kejiju.engines.idcodes import make_id_number

FAMILY = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"
#: (subjects, keywords, titles, organizations) of typical county/city review experts.
FIELDS = (
    (
        ["210", "180"],
        "水稻 育种 栽培 稻虾共养",
        ("研究员", "推广研究员", "高级农艺师"),
        ("安徽科技学院", "滁州市农业科学研究所"),
    ),
    (
        ["230", "240"],
        "畜禽养殖 水产养殖 疫病防控",
        ("高级兽医师", "研究员", "教授"),
        ("安徽科技学院", "滁州市畜牧兽医站"),
    ),
    (["460", "470"], "电线电缆 装备制造 自动化", ("正高级工程师", "高级工程师", "教授"), ("滁州学院", "安徽工程大学")),
    (["510", "520"], "仪器仪表 嵌入式 软件 物联网", ("高级工程师", "教授", "副教授"), ("滁州学院", "合肥工业大学")),
    (["430", "530"], "新材料 高分子 化工工艺", ("正高级工程师", "教授", "高级工程师"), ("安徽工程大学", "滁州学院")),
    (["550", "210"], "食品加工 农产品贮藏", ("高级工程师", "副教授"), ("安徽科技学院", "滁州市食品检验所")),
    (
        ["320", "350", "360"],
        "临床医学 中医药 医疗器械",
        ("主任医师", "副主任医师", "主任药师"),
        ("滁州市第一人民医院", "天长市人民医院"),
    ),
    (["610", "480"], "节能环保 新能源 光伏", ("高级工程师", "教授"), ("滁州学院", "滁州市生态环境监测站")),
    (
        ["630", "790"],
        "科技管理 财务 技术经济",
        ("高级会计师", "高级经济师", "教授"),
        ("滁州学院", "滁州市科技咨询服务中心"),
    ),
)
PER_COUNTY = {"county": 60, "city": 35, "province": 12}
CITY_LEVEL = {"county": 20, "city": 60, "province": 0}
BANKS = ("中国工商银行滁州分行", "中国农业银行天长市支行", "中国建设银行滁州分行", "安徽天长农村商业银行")


def _name(rng: Any) -> str:
    return rng.choice(FAMILY) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _expert_row(rng: Any, region: str, n: int) -> dict[str, Any]:
    subjects, keywords, titles, orgs = rng.choice(FIELDS)
    name = _name(rng)
    born = date(rng.randint(1962, 1988), rng.randint(1, 12), rng.randint(1, 28))
    account = "".join(str(rng.randint(0, 9)) for _ in range(19))
    return {
        "name": name,
        "id_number": make_id_number(region[:6] if len(region) >= 6 else (region + "02")[:6], born, n),
        "region": region,
        "subjects": ",".join(subjects[: rng.choice((1, 2, len(subjects)))]),
        "keywords": keywords,
        "title": rng.choice(titles),
        "organization_name": rng.choice(orgs),
        "phone": "1%s%d%08d" % (rng.choice("3578"), rng.randint(0, 9), rng.randint(10000000, 99999999)),
        "bank_account_name": name,
        "bank_name": rng.choice(BANKS),
        "bank_account_no": "6" + account[1:],
    }


def review_demo(ctx: DemoContext) -> None:
    """Experts of the pool, the demo expert's account, fees, and a drawn batch when applications wait."""
    from kejiju.review import services
    from kejiju.review.models import Expert

    if Expert.objects.filter(region__code__startswith=ctx.scope_code or "").exists():
        return
    seq = 0
    made = 0
    groups: list[tuple[str, int]] = [(c, PER_COUNTY.get(ctx.scale, 12)) for c in ctx.county_codes]
    for city in ctx.city_codes:
        groups.append((city, CITY_LEVEL.get(ctx.scale, 0)))
    for region, count in groups:
        actor = ctx.actor_for(region)
        rng = ctx.rng_for("review", region)
        for _ in range(count):
            seq += 1
            try:
                services.expert_create(actor=actor, data=_expert_row(rng, region, 100 + seq % 800))
            except Exception:  # a rare duplicate ID number from the generator: skip the row
                continue
            made += 1
    made += _talent_experts(ctx)
    ctx.count("评审专家", made)
    demo_user = ctx.users.get("expert_demo")
    county = "341181"
    actor = ctx.actor_for(county)
    if demo_user is not None and actor is not None:
        row = _expert_row(ctx.rng_for("review", "expert_demo"), county, 7)
        row.update({"name": demo_user.full_name, "subjects": "460,510,520,210", "title": "正高级工程师"})
        row["bank_account_name"] = demo_user.full_name
        try:
            expert = services.expert_create(actor=actor, data=row)
            services.expert_link_account(actor=actor, expert=expert, user=demo_user)
        except Exception as exc:  # never break the demo for one account
            ctx.log("专家演示账号未关联：%s" % exc)
    _demo_declarations(ctx, county, demo_user)
    for region in ctx.county_codes[:3] + ctx.city_codes[:1]:
        staff = ctx.actor_for(region)
        if staff is not None and staff.region_id == region:
            for kind, label, fee in (("call", "立项评审", "300"), ("acceptance", "验收评审", "500")):
                services.fee_save(actor=staff, region=region, kind=kind, label=label, per_review=fee, per_meeting="800")
    _demo_batch(ctx)


#: Persons of each county's talent pool (people demo) who are also experts of the pool.
TALENT_EXPERTS = 4


def _talent_experts(ctx: DemoContext) -> int:
    """A few persons of each county's talent pool join the expert pool too: found by their ID number, so
    the expert profile is a role of the same person record (one person, one record, many roles)."""
    from kejiju.core.errors import BusinessError
    from kejiju.people.selectors import demo_talents
    from kejiju.review import services

    made = 0
    for county in ctx.county_codes:
        actor = ctx.actor_for(county)
        if actor is None:
            continue
        rng = ctx.rng_for("review-talents", county)
        for person in demo_talents(county, TALENT_EXPERTS):
            account = "".join(str(rng.randint(0, 9)) for _ in range(18))
            data = {
                "name": person.name,
                "id_number": person.id_number,
                "region": county,
                "subjects": ",".join(person.subjects),
                "keywords": person.keywords,
                "title": person.title,
                "organization": person.organization_id,
                "phone": person.phone,
                "bank_account_name": person.name,
                "bank_name": rng.choice(BANKS),
                "bank_account_no": "6" + account,
            }
            try:
                services.expert_create(actor=actor, data=data)
            except BusinessError as exc:  # never break the demo for one person
                ctx.log("人才库人员未登记为专家（%s）：%s" % (person.name, exc))
                continue
            made += 1
    return made


#: Days from today to the demo batch's review date (inside the first expert's unavailable period).
REVIEW_IN_DAYS = 10


def _demo_declarations(ctx: DemoContext, county: str, demo_user: Any) -> None:
    """Unavailable periods and declarations of a few experts of ``county`` (the demo expert's own from
    their account), through the services (validated and logged)."""
    from kejiju.core.errors import BusinessError
    from kejiju.review import services
    from kejiju.review.models import Expert

    actor = ctx.actor_for(county)
    experts = list(Expert.objects.filter(region_id=county, status="active", user__isnull=True).order_by("pk")[:3])
    if actor is None or len(experts) < 3:
        return
    today = date.today()
    own = Expert.objects.filter(user=demo_user).first() if demo_user is not None else None
    steps: list[tuple[Any, Any, str, dict[str, Any]]] = [
        (
            actor,
            experts[0],
            "window",
            {"start": today + timedelta(days=7), "end": today + timedelta(days=14), "note": "出差（外省项目验收）"},
        ),
        (
            actor,
            experts[1],
            "window",
            {"start": today + timedelta(days=30), "end": today + timedelta(days=33), "note": "休假"},
        ),
        (
            actor,
            experts[2],
            "relation",
            {
                "relation": "organization",
                "organization_name": experts[0].org_label or "滁州学院",
                "note": "兼任该单位技术顾问",
            },
        ),
    ]
    if own is not None:
        steps += [
            (
                demo_user,
                own,
                "relation",
                {
                    "relation": "coauthor",
                    "name": "钱立新",
                    "organization_name": "滁州学院",
                    "year": today.year - 1,
                    "note": "合作发表论文",
                },
            ),
            (
                demo_user,
                own,
                "relation",
                {
                    "relation": "relative",
                    "name": experts[1].name,
                    "id_number": experts[1].person.id_number,
                    "note": "表兄弟",
                },
            ),
            (
                demo_user,
                own,
                "window",
                {"start": today + timedelta(days=45), "end": today + timedelta(days=52), "note": "出国访问"},
            ),
        ]
    made = 0
    for who, expert, what, data in steps:
        try:
            if what == "window":
                services.expert_unavailable_add(actor=who, expert=expert, **data)
            else:
                services.expert_relation_add(actor=who, expert=expert, data=data)
        except BusinessError as exc:  # never break the demo for one declaration
            ctx.log("专家回避申报演示未登记：%s" % exc)
            continue
        made += 1
    ctx.count("专家回避申报与不可参评时段", made)


def _demo_batch(ctx: DemoContext) -> None:
    from kejiju.review import services
    from kejiju.review.sources import review_source

    source = review_source("programs.application")
    staff = ctx.users.get("county_staff")
    if source is None or staff is None:
        ctx.log("专家评审演示：没有项目申报可评审，跳过抽取。")
        return
    try:
        candidates = source.candidates(user=staff, kind="call", filters={})
    except Exception as exc:
        ctx.log("专家评审演示：读取申报失败（%s），跳过抽取。" % exc)
        return
    if not candidates:
        ctx.log("专家评审演示：没有处于评审阶段的申报，跳过抽取。")
        return
    batch = services.batch_create(
        actor=staff,
        data={
            "title": "%d 年度科技计划项目立项评审" % date.today().year,
            "source_key": source.key,
            "kind": "call",
            "mode": "draw",
            "reviewers_per_item": 3,
            "reserves_per_item": 2,
            "max_load": 4,
            "respond_days": 5,
            "review_date": (date.today() + timedelta(days=REVIEW_IN_DAYS)).isoformat(),
            "refs": [c.ref for c in candidates[:15]],
            "region": staff.region_id,
        },
    )
    _demo_applicant_avoid(ctx, batch, staff)
    record = services.batch_draw(
        actor=staff,
        batch=batch,
        nonce=_demo_nonce(ctx, batch),
        supervisor="驻局纪检监察组 孙立",
        witnesses="办公室 周敏、计划科 陈刚",
    )
    if record.ok:
        ctx.count("专家抽取记录", 1)
    else:
        ctx.log("专家评审演示：抽取无可行方案（%d 项缺专家）。" % len(record.result.get("shortfall", [])))


def _demo_applicant_avoid(ctx: DemoContext, batch: Any, staff: Any) -> None:
    """One expert the first applicant asked to avoid (申报单位申请回避), entered by staff before the draw."""
    from kejiju.core.errors import BusinessError
    from kejiju.review import services

    item = batch.items.order_by("pk").first()
    expert = next((e for e in services.batch_pool(batch) if e.user_id is None), None)
    if item is None or expert is None:
        return
    try:
        services.applicant_avoid_add(
            actor=staff, batch=batch, item=item.pk, expert=expert.pk, reason="与申报单位存在同类产品竞争关系"
        )
    except BusinessError as exc:  # never break the demo for one request
        ctx.log("申报单位申请回避演示未登记：%s" % exc)
        return
    ctx.count("申报单位申请回避", 1)


#: How many demo nonces are tried for one that draws the demo expert (see :func:`_demo_nonce`).
NONCE_TRIES = 60


def _demo_nonce(ctx: DemoContext, batch: Any) -> str:
    """The supervisor's nonce of the demo draw: the first of ``demo-<seed>``, ``demo-<seed>-2``, … under
    which the ``expert_demo`` account is on a panel, so the demo account can answer the invitation, declare
    no conflict and score. Only the demo chooses its nonce this way (by computing the draw without storing
    anything); the draw itself is the ordinary sealed one and reproduces from the recorded nonce."""
    from kejiju.engines import assignment as engine
    from kejiju.review import services
    from kejiju.review.models import Expert

    first = "demo-%s" % ctx.seed
    demo_user = ctx.users.get("expert_demo")
    own = Expert.objects.filter(user=demo_user).first() if demo_user is not None else None
    if own is None:
        return first
    for n in range(1, NONCE_TRIES + 1):
        nonce = first if n == 1 else "%s-%d" % (first, n)
        instance = services.batch_instance(batch, nonce)[0]
        result = engine.solve(instance)
        if result.status != "ok":
            return first
        if any(a.expert == str(own.pk) for a in result.assignments):
            return nonce
    ctx.log("专家评审演示：专家演示账号未被抽中（可在批次页查看其他专家的任务）。")
    return first


register_demo("review", review_demo, order=60)
