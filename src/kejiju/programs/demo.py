"""Demo programmes, calls and projects (``kejiju demo``), written through the services so every record
has its transitions, versions, documents and operation-log rows.

Two programmes — the city's 重点研发计划 (calls above county level, with 属地推荐) and the county's
星火计划 — with calls in several stages (a closed call whose projects run, an open call, a call in
review, a draft call) and projects in every state. The demo 单位用户 ``org_demo`` has a draft and a
project of its own organization. Deterministic for a seed; skipped when programmes already exist."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.utils import timezone

from kejiju.core.demo import DemoContext, register_demo
from kejiju.engines.idcodes import make_id_number

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TOPICS = [
    "稻虾共养智能投喂系统研发",
    "高压电缆绝缘材料关键技术攻关",
    "设施蔬菜水肥一体化技术示范",
    "智能电表计量芯片研发",
    "新能源汽车线束轻量化技术",
    "优质稻米绿色生产技术集成",
    "工业废水深度处理装备研制",
    "芡实精深加工技术开发",
    "仪器仪表数字化检测平台",
    "龙虾苗种繁育技术推广",
    "光伏组件回收利用技术",
    "中药材林下种植技术示范",
]
#: GB/T 13745 subjects (main first) of each topic, the same codes the demo expert pool holds, so that
#: a 立项评审 draw finds experts of the subject.
TOPIC_SUBJECTS = {
    "稻虾共养智能投喂系统研发": ["240", "210"],
    "高压电缆绝缘材料关键技术攻关": ["430", "470"],
    "设施蔬菜水肥一体化技术示范": ["210"],
    "智能电表计量芯片研发": ["510", "470"],
    "新能源汽车线束轻量化技术": ["460", "430"],
    "优质稻米绿色生产技术集成": ["210", "180"],
    "工业废水深度处理装备研制": ["610", "530"],
    "芡实精深加工技术开发": ["550", "210"],
    "仪器仪表数字化检测平台": ["510", "520"],
    "龙虾苗种繁育技术推广": ["240", "230"],
    "光伏组件回收利用技术": ["480", "610"],
    "中药材林下种植技术示范": ["360", "210"],
    "电线电缆在线检测装置研发": ["470", "510"],
}
SURNAMES = "王李张刘陈杨黄赵吴周"
GIVEN = ["建国", "志强", "海燕", "秀英", "明华", "丽娟", "文军", "晓东"]
FORM = [
    {"key": "summary", "label": "项目简介", "type": "text", "required": True},
    {"key": "innovation", "label": "主要创新点", "type": "text", "required": True},
    {"key": "self_funds", "label": "自筹资金（元）", "type": "money", "required": False},
    {"key": "members", "label": "项目组成员", "type": "members", "required": True},
    {"key": "budget", "label": "经费预算", "type": "budget", "required": True},
    {"key": "plan", "label": "可行性研究报告", "type": "attachment", "required": True},
]


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_default_timezone())


def _data(rng: Any, title: str, amount: Decimal, n: int) -> dict[str, Any]:
    half = (amount * Decimal("0.6")).quantize(Decimal("0.01"))
    members = [
        {
            "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
            "id_number": make_id_number("341181", date(1975, 1, 1) + timedelta(days=n * 37 + i * 400), 20 + i),
            "role": ["项目负责人", "技术研发", "试验示范"][i],
            "is_leader": i == 0,
        }
        for i in range(3)
    ]
    return {
        "title": title,
        "subjects": TOPIC_SUBJECTS.get(title, ["210"]),
        "requested_amount": str(amount),
        "contact_person": members[0]["name"],
        "contact_phone": "1390550%04d" % n,
        "fields": {
            "summary": "围绕%s开展研发和示范，形成可推广的技术方案。" % title,
            "innovation": "集成创新，降低成本20%以上。",
            "self_funds": str(amount * 2),
        },
        "members": members,
        "budget": [
            {"category": "equipment", "source": "grant", "amount": str(half)},
            {"category": "labor", "source": "grant", "amount": str(amount - half)},
            {"category": "materials", "source": "self", "amount": str(amount * 2)},
        ],
    }


def _applicant(ctx: DemoContext, org: Any, n: int) -> Any:
    from kejiju.core.choices import Role
    from kejiju.core.demo import DEMO_PASSWORD
    from kejiju.core.services.accounts import user_create
    from kejiju.orgs.selectors import organization_member_ids
    from kejiju.orgs.services import organization_member_add

    members = organization_member_ids(organization=org)
    if members:
        from kejiju.core.models import User

        return User.objects.get(pk=members[0])
    from kejiju.core.models import Region

    user = user_create(
        actor=None,
        username="applicant%03d" % n,
        full_name="%s联系人" % org.name[:8],
        password=DEMO_PASSWORD,
        role=Role.ORG_USER,
        region=Region.objects.get(code=org.region_id),
        must_change_password=False,
    )
    organization_member_add(actor=ctx.users.get("admin"), organization=org, user=user)
    return user


def _submit(
    ctx: DemoContext,
    call: Any,
    org: Any,
    n: int,
    amount: Decimal,
    title: str,
    now: datetime,
    **extra: Any,
) -> Any:
    from kejiju.programs import services

    user = _applicant(ctx, org, n)
    rng = ctx.rng_for("programs", call.pk, n)
    app = services.application_create(
        actor=user, call=call, organization=org, data={**_data(rng, title, amount, n), **extra}, now=now
    )
    services.application_attach(
        actor=user, application=app, key="plan", fileobj=BytesIO(PDF), name="可行性研究报告.pdf"
    )
    services.application_submit(actor=user, application=app, now=now)
    from kejiju.programs.models import Application

    return Application.objects.get(pk=app.pk)


def programs_demo(ctx: DemoContext) -> None:
    from kejiju.orgs.selectors import organization_list, organizations_of_user
    from kejiju.programs import services
    from kejiju.programs.models import Program

    if Program.objects.exists():
        return
    city_staff, county_staff = ctx.users.get("city_staff"), ctx.users.get("county_staff")
    admin = ctx.users.get("admin")
    if city_staff is None or county_staff is None or admin is None:
        return
    county = county_staff.region_id
    today = timezone.localdate()
    year = today.year
    demo_user = ctx.users.get("org_demo")
    demo_org = organizations_of_user(user=demo_user).first() if demo_user else None
    orgs = [
        o
        for o in organization_list(user=admin, filters={"org_type": "enterprise", "region": county}).order_by("pk")[:14]
    ]
    if demo_org is not None and demo_org in orgs:
        orgs.remove(demo_org)
    if len(orgs) < 12:
        return
    # co-operating units (合作单位): the county's research institutes and associations of the registry
    partners = [
        o.pk
        for kind in ("institute", "social")
        for o in organization_list(user=admin, filters={"org_type": kind, "region": county}).order_by("pk")[:3]
    ]

    def coop(n: int) -> dict[str, Any]:
        return {"cooperating_organizations": [partners[n % len(partners)]]} if partners and n % 2 == 0 else {}

    key_rd = services.program_save(
        actor=city_staff,
        data={"name": "滁州市重点研发计划", "kind": "key_rd", "region": city_staff.region_id, "department": "计划科"},
    )
    spark = services.program_save(
        actor=county_staff, data={"name": "天长市星火计划", "kind": "spark", "region": county, "department": "计划科"}
    )
    base = {
        "form_fields": FORM,
        "eligibility": {"org_types": ["enterprise"], "one_per_org": True},
        "max_request": "500000.00",
    }

    # 1. last year's city call: closed, its projects run through every state
    past_open, past_close = today - timedelta(days=560), today - timedelta(days=530)
    old = services.call_save(
        actor=city_staff,
        data={
            **base,
            "program": key_rd,
            "year": year - 1,
            "title": "%s年度滁州市重点研发计划项目申报指南" % (year - 1),
            "guide": "围绕电线电缆、仪器仪表、新能源汽车零部件等主导产业，支持关键核心技术攻关。",
            "opens_at": _at(past_open),
            "closes_at": _at(past_close, 17),
            "budget_ceiling": "5000000.00",
            "needs_recommendation": True,
        },
    )
    old = services.call_transition(actor=city_staff, call=old, action="publish")
    people = ([demo_org] if demo_org is not None else []) + orgs[:8]
    apps = []
    for i, org in enumerate(people):
        amount = Decimal(200000 + 50000 * (i % 4))
        app = _submit(
            ctx, old, org, i + 1, amount, TOPICS[i % len(TOPICS)], _at(past_open + timedelta(days=5 + i)), **coop(i)
        )
        services.application_transition(actor=county_staff, application=app, action="recommend")
        services.application_transition(actor=city_staff, application=app, action="pass_check")
        services.application_review_record(
            actor=city_staff, application=app, score=str(92 - i * 2), opinion="项目目标明确，技术路线可行。"
        )
        apps.append(app)
    old = services.call_transition(actor=city_staff, call=old, action="close")
    decided = past_close + timedelta(days=60)
    decision = services.decision_create(
        actor=city_staff,
        call=old,
        meeting="市科技局党组会议",
        decided_on=decided,
        items=[(a.pk, str(a.requested_amount)) for a in apps],
        doc_number="滁科〔%s〕12号" % (year - 1),
    )
    services.decision_publish(
        actor=city_staff, decision=decision, start=decided + timedelta(days=1), end=decided + timedelta(days=7)
    )
    objection = services.objection_record(
        actor=city_staff,
        decision=decision,
        content="反映项目负责人同期承担其他项目。",
        received_on=decided + timedelta(days=3),
        submitter="匿名",
    )
    services.objection_resolve(
        actor=city_staff, objection=objection, resolution="经核实，负责人未超限承担项目，异议不成立。", upheld=False
    )
    projects = services.decision_confirm(actor=city_staff, decision=decision, today=decided + timedelta(days=8))
    services.decision_issue_notice(actor=city_staff, decision=decision)
    ctx.count("立项项目", len(projects))
    template = services.default_template()
    start = decided + timedelta(days=30)
    for i, project in enumerate(projects):
        if i == len(projects) - 1:  # one waits for its contract
            continue
        amount = project.approved_amount
        half = (amount / 2).quantize(Decimal("0.01"))
        services.contract_save(
            actor=city_staff,
            project=project,
            data={
                "starts_on": start.isoformat(),
                "ends_on": (start + timedelta(days=730)).isoformat(),
                "targets": [
                    {"name": "申请发明专利", "unit": "件", "value": "2"},
                    {"name": "新增销售收入", "unit": "万元", "value": "500"},
                    {"name": "培训技术人员", "unit": "人次", "value": "50"},
                ],
                "milestones": [
                    {"due": (start + timedelta(days=365)).isoformat(), "content": "完成样机（示范基地）建设"},
                    {"due": (start + timedelta(days=720)).isoformat(), "content": "完成验收准备"},
                ],
                "budget": [
                    {"category": "equipment", "source": "grant", "amount": str(half)},
                    {"category": "labor", "source": "grant", "amount": str(amount - half)},
                ],
            },
        )
        scan = services.project_attach(
            actor=city_staff,
            project=project,
            fileobj=BytesIO(PDF),
            name="任务书（签字盖章）.pdf",
            purpose="任务书扫描件",
        )
        services.contract_sign(actor=city_staff, project=project, signed_on=start, scan=scan)
        services.disbursement_plan_save(
            actor=city_staff,
            project=project,
            rows=[
                {
                    "planned_on": (start + timedelta(days=10)).isoformat(),
                    "amount": str((amount * Decimal("0.6")).quantize(Decimal("0.01"))),
                },
                {
                    "planned_on": (start + timedelta(days=400)).isoformat(),
                    "amount": str(amount - (amount * Decimal("0.6")).quantize(Decimal("0.01"))),
                },
            ],
        )
        first, second = project.disbursements.all()
        services.payment_create(
            actor=city_staff,
            project=project,
            amount=first.amount,
            paid_on=first.planned_on,
            disbursement=first,
            voucher="CZ%s%04d" % (year - 1, i + 1),
        )
        applicant = _applicant(ctx, project.organization, 0)
        reports = list(project.reports.all())
        # everyone but project 1 reported on time so far; project 1 leaves its last report overdue
        for r in reports:
            if r.due_on < today and not (i == 1 and r == [x for x in reports if x.due_on < today][-1]):
                services.report_submit(
                    actor=applicant, report=r, content="按计划推进，完成阶段任务。", funds_used=str(first.amount / 2)
                )
        if i == 2:
            services.inspection_create(
                actor=city_staff,
                project=project,
                data={
                    "inspected_on": (start + timedelta(days=300)).isoformat(),
                    "findings": "经费台账不够规范。",
                    "rectification_due": (start + timedelta(days=330)).isoformat(),
                    "conclusion": "基本按计划实施",
                },
            )
        if 3 <= i <= 6:
            services.payment_create(
                actor=city_staff, project=project, amount=second.amount, paid_on=second.planned_on, disbursement=second
            )
            services.acceptance_apply(
                actor=applicant,
                project=project,
                summary="全面完成任务书规定的研发和示范任务。",
                results=[
                    {"name": "申请发明专利", "achieved": str(3 - (i == 5) * 2)},
                    {"name": "新增销售收入", "achieved": str(620 - (i == 5) * 400)},
                    {"name": "培训技术人员", "achieved": "80"},
                ],
            )
        if i in (4, 5, 6):
            services.acceptance_panel_record(
                actor=city_staff, project=project, score=str(90 - (i - 4) * 15), opinion="专家组同意验收意见。"
            )
            decision_value = {4: "pass", 5: "fail", 6: "conditional"}[i]
            services.acceptance_decide(
                actor=city_staff,
                project=project,
                decision=decision_value,
                decided_on=today - timedelta(days=20),
                reason="" if i == 4 else "补充提交专利受理材料。",
            )
        if i == 4:
            services.performance_review_create(
                actor=city_staff,
                project=project,
                template=template,
                scores={"targets": "37", "funds": "18", "outputs": "17", "benefits": "16"},
                outputs={"patents": "3", "products": "2", "revenue": "620", "jobs": "15", "trainees": "80"},
                funds_used=str(amount),
                reviewed_on=today - timedelta(days=5),
            )
        if i == 7:
            services.project_terminate(actor=city_staff, project=project, reason="企业经营困难，无法继续实施。")
    ctx.count("拨付记录", sum(p.payments.count() for p in projects))

    # 2. this year's city call: open now; org_demo has a draft
    now = timezone.now()
    open_call = services.call_save(
        actor=city_staff,
        data={
            **base,
            "program": key_rd,
            "year": year,
            "title": "%s年度滁州市重点研发计划项目申报指南" % year,
            "guide": "一、申报范围……\n二、申报条件：在本市登记注册的企业，每个单位限报1项。\n三、申报时间和方式：网上申报，逾期不予受理。",
            "opens_at": now - timedelta(days=5),
            "closes_at": _at(today + timedelta(days=20), 17),
            "budget_ceiling": "6000000.00",
            "needs_recommendation": True,
        },
    )
    open_call = services.call_transition(actor=city_staff, call=open_call, action="publish")
    if demo_org is not None and demo_user is not None:
        rng = ctx.rng_for("programs", "demo-draft")
        services.application_create(
            actor=demo_user,
            call=open_call,
            organization=demo_org,
            data=_data(rng, "电线电缆在线检测装置研发", Decimal("300000.00"), 99),
        )
    for i, org in enumerate(orgs[8:11]):
        app = _submit(ctx, open_call, org, 20 + i, Decimal("250000.00"), TOPICS[(i + 8) % len(TOPICS)], now, **coop(i))
        if i == 0:
            services.application_transition(actor=county_staff, application=app, action="recommend")

    # 3. the county's call in formal check and review
    review_call = services.call_save(
        actor=county_staff,
        data={
            **base,
            "program": spark,
            "year": year,
            "title": "%s年度天长市星火计划项目申报指南" % year,
            "opens_at": now - timedelta(days=40),
            "closes_at": now - timedelta(days=2),
            "guide": "支持农业新品种、新技术示范推广。",
            "needs_recommendation": False,
            "max_request": "100000.00",
        },
    )
    review_call = services.call_transition(actor=county_staff, call=review_call, action="publish")
    expert_demo = ctx.users.get("expert_demo")
    for i, org in enumerate(orgs[:6]):
        extra = coop(i)
        if i == 3:
            # the applicant asks to avoid one expert of the pool, by name as it knows him
            extra["avoid_experts"] = [
                {
                    "name": expert_demo.full_name if expert_demo is not None else "赵明远",
                    "organization": "",
                    "reason": "曾与本单位有技术转让纠纷，申请回避。",
                }
            ]
        app = _submit(
            ctx,
            review_call,
            org,
            40 + i,
            Decimal("80000.00"),
            TOPICS[(i + 3) % len(TOPICS)],
            now - timedelta(days=10 - i),
            **extra,
        )
        if i == 0:
            services.application_transition(
                actor=county_staff, application=app, action="return", reason="缺少自筹资金证明。"
            )
        elif i == 1:
            services.application_transition(actor=county_staff, application=app, action="start_check")
        elif i >= 2:
            services.application_transition(actor=county_staff, application=app, action="pass_check")
            if i >= 4:
                services.application_review_record(
                    actor=county_staff, application=app, score=str(85 - i), opinion="建议支持。"
                )
    services.call_transition(actor=county_staff, call=review_call, action="close")

    # 4. next year's call in draft
    services.call_save(
        actor=county_staff,
        data={
            **base,
            "program": spark,
            "year": year + 1,
            "title": "%s年度天长市星火计划项目申报指南（征求意见稿）" % (year + 1),
            "opens_at": _at(today + timedelta(days=120)),
            "closes_at": _at(today + timedelta(days=150), 17),
            "needs_recommendation": False,
        },
    )
    ctx.count("项目指南", 4)


register_demo("programs", programs_demo, order=40)
