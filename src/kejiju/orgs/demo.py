"""Demo organizations with qualifications and intellectual property (``kejiju demo``).

Per county: 400 organizations at county scale, 300 per county at city scale, 1,900 per county at
province scale (≈ 200,000 for 安徽's 104 counties). Written in bulk with their history rows;
deterministic for a seed; counties that already have organizations are left alone.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from kejiju.core.bulk import copy_history, ids_by, insert_rows
from kejiju.core.demo import DemoContext, register_demo
from kejiju.engines.idcodes import make_credit_code, make_org_code
from kejiju.engines.pinyin import name_initials
from kejiju.orgs.choices import IP_CLASS_OF_TYPE, IpStatus, IpType, OrgType, QualificationKind, QualificationLevel
from kejiju.orgs.importers import ORG_WRITE_FIELDS
from kejiju.orgs.ipnumbers import make_patent_number
from kejiju.orgs.models import IntellectualProperty, Organization, Qualification

#: GB 32100 authority and category of each demo organization type.
AUTHORITY: dict[str, str] = {
    OrgType.ENTERPRISE: "91",
    OrgType.COOPERATIVE: "93",
    OrgType.INDIVIDUAL: "92",
    OrgType.INSTITUTE: "12",
    OrgType.HOSPITAL: "12",
    OrgType.SOCIAL: "51",
}

PER_COUNTY = {"county": 400, "city": 300, "province": 1900}

WORDS = [
    "青禾",
    "科创",
    "新材",
    "同力",
    "华信",
    "金穗",
    "恒泰",
    "远航",
    "瑞丰",
    "天成",
    "鑫源",
    "康达",
    "明润",
    "嘉禾",
    "博远",
    "中科",
    "宏图",
    "绿源",
    "丰登",
    "润田",
    "晶科",
    "泰和",
    "安信",
    "聚能",
    "德隆",
    "启航",
]
KINDS: list[tuple[str, str, list[str]]] = [
    # (org type, GB/T 4754 section, name suffixes)
    (
        OrgType.ENTERPRISE,
        "C",
        ["电子科技有限公司", "新材料股份有限公司", "机械制造有限公司", "食品有限公司", "生物科技有限公司"],
    ),
    (OrgType.ENTERPRISE, "I", ["信息技术有限公司", "软件有限公司", "网络科技有限公司"]),
    (OrgType.ENTERPRISE, "A", ["农业科技有限公司", "生态农业发展有限公司", "茶业有限公司"]),
    (OrgType.ENTERPRISE, "M", ["检测技术有限公司", "工程技术研究院有限公司"]),
    (OrgType.COOPERATIVE, "A", ["种植专业合作社", "养殖专业合作社", "果蔬专业合作社"]),
    (OrgType.INDIVIDUAL, "F", ["农资经营部", "农机维修部"]),
    (OrgType.INSTITUTE, "M", ["农业科学研究所", "工业技术研究所"]),
    (OrgType.HOSPITAL, "Q", ["人民医院", "中医院"]),
    (OrgType.SOCIAL, "S", ["科学技术协会", "农村专业技术协会"]),
]
KIND_WEIGHTS = [30, 10, 14, 6, 16, 10, 3, 2, 2]
FAMILY = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "建国志强海燕秀英明华丽娟文军伟芳敏静磊洋勇艳杰涛超"
IP_WORDS = ["一种", "基于物联网的", "高效", "节能型", "智能", "便携式"]
IP_THINGS = [
    "水稻育秧装置",
    "茶叶揉捻机",
    "农产品溯源系统",
    "污水处理设备",
    "复合材料制备方法",
    "检测方法",
    "播种机",
    "温室控制系统",
    "饲料配方",
    "电机控制电路",
]


def _person(rng: Any) -> str:
    return rng.choice(FAMILY) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _phone(rng: Any) -> str:
    return f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"


def organizations_demo(ctx: DemoContext) -> None:
    """Organizations, qualifications and IP for every county in scope."""
    per_county = PER_COUNTY.get(ctx.scale, 300)
    done = (
        set(
            Organization.objects.filter(region__code__startswith=ctx.scope_code or "")
            .values_list("region_id", flat=True)
            .distinct()
        )
        if ctx.county_codes
        else set()
    )
    done_counties = {code[:6] for code in done}
    today = date.today()
    actor = ctx.users.get("admin")
    for county_index, county in enumerate(ctx.county_codes):
        if county in done_counties:
            continue
        rng = ctx.rng_for("orgs", county)
        towns = ctx.towns_of(county) or [county]
        county_name = ctx.region_names.get(county, "")
        short = county_name[:2]
        rows: list[dict[str, Any]] = []
        for i in range(per_county):
            kind_type, section, suffixes = rng.choices(KINDS, weights=KIND_WEIGHTS)[0]
            prefix = short if kind_type in (OrgType.HOSPITAL, OrgType.SOCIAL, OrgType.INSTITUTE) else ""
            name = f"{prefix or short}{rng.choice(WORDS)}{rng.choice(WORDS)}{suffixes[i % len(suffixes)]}"
            if kind_type == OrgType.HOSPITAL:
                name = f"{county_name}{suffixes[i % len(suffixes)]}" if i % 7 else f"{short}{rng.choice(WORDS)}医院"
            body = make_org_code(f"MA{i:06d}")
            authority = AUTHORITY[kind_type]
            founded = today - timedelta(days=rng.randint(200, 9000))
            rows.append(
                {
                    "name": f"{name}{'' if i < len(WORDS) ** 2 else i}",
                    "credit_code": make_credit_code(f"{authority}{county}{body}"),
                    "region": rng.choice(towns) if rng.random() < 0.8 else county,
                    "org_type": str(kind_type),
                    "industry_code": section,
                    "address": f"{county_name}{rng.choice(['工业园区', '经济开发区', '高新区', '城南新区'])}{rng.randint(1, 300)}号",
                    "legal_representative": _person(rng),
                    "contact_person": _person(rng),
                    "contact_phone": _phone(rng),
                    "founded_on": founded,
                    "staff_count": rng.randint(3, 60) if kind_type != OrgType.ENTERPRISE else rng.randint(8, 800),
                    "main_products": "",
                    "is_archived": False,
                }
            )
        for row in rows:
            row["name_initials"] = name_initials(row["name"])
        fields = [*ORG_WRITE_FIELDS, "is_archived", "created_at", "updated_at"]
        insert_rows(Organization, rows, fields=fields)
        ids = ids_by(Organization, "credit_code", [r["credit_code"] for r in rows])
        copy_history(Organization, ids.values(), history_type="+", user=actor, reason="演示数据")
        quals: list[dict[str, Any]] = []
        ips: list[dict[str, Any]] = []
        for n, row in enumerate(rows):
            if row["org_type"] != OrgType.ENTERPRISE:
                continue
            org_id = ids[row["credit_code"]]
            region = row["region"]
            roll = rng.random()
            if roll < 0.06:
                issued = today - timedelta(days=rng.randint(30, 1000))
                quals.append(
                    {
                        "organization": org_id,
                        "region": region,
                        "kind": QualificationKind.HNTE,
                        "level": QualificationLevel.NATIONAL,
                        "issuer": "安徽省高新技术企业认定管理工作领导小组",
                        "certificate_no": f"GR{issued.year}34{rng.randint(0, 999999):06d}",
                        "issued_on": issued,
                        "expires_on": issued + timedelta(days=365 * 3),
                        "note": "",
                    }
                )
            if roll < 0.2:
                issued = date(today.year - rng.choice((0, 1)), rng.randint(4, 9), rng.randint(1, 28))
                if issued > today:
                    issued = issued.replace(year=issued.year - 1)
                quals.append(
                    {
                        "organization": org_id,
                        "region": region,
                        "kind": QualificationKind.TECH_SME,
                        "level": QualificationLevel.NATIONAL,
                        "issuer": "安徽省科学技术厅",
                        "certificate_no": f"{issued.year}{county}A{rng.randint(0, 9999999):07d}",
                        "issued_on": issued,
                        "expires_on": date(issued.year + 1, 12, 31),
                        "note": "",
                    }
                )
            if roll < 0.03:
                issued = today - timedelta(days=rng.randint(100, 2000))
                quals.append(
                    {
                        "organization": org_id,
                        "region": region,
                        "kind": QualificationKind.TECH_CENTER,
                        "level": rng.choice([QualificationLevel.CITY, QualificationLevel.PROVINCIAL]),
                        "issuer": "",
                        "certificate_no": "",
                        "issued_on": issued,
                        "expires_on": None,
                        "note": "",
                    }
                )
            if rng.random() < 0.35:
                for k in range(rng.randint(1, 5)):
                    ip_type = rng.choices(
                        [IpType.INVENTION, IpType.UTILITY, IpType.DESIGN, IpType.SOFTWARE], weights=[2, 5, 1, 3]
                    )[0]
                    applied = today - timedelta(days=rng.randint(60, 2500))
                    granted = applied + timedelta(days=rng.randint(120, 700)) if rng.random() < 0.7 else None
                    if granted and granted > today:
                        granted = None
                    serial = county_index * 60000 + n * 5 + k  # unique across the province
                    if ip_type == IpType.SOFTWARE:
                        number = f"{applied.year}SR{serial:07d}"
                    else:
                        digit = {IpType.INVENTION: "1", IpType.UTILITY: "2", IpType.DESIGN: "3"}[ip_type]
                        number = make_patent_number(applied.year, digit, serial)
                    ips.append(
                        {
                            "organization": org_id,
                            "region": region,
                            "ip_type": str(ip_type),
                            "ip_class": IP_CLASS_OF_TYPE[ip_type],
                            "owners": row["name"],
                            "title": f"{rng.choice(IP_WORDS)}{rng.choice(IP_THINGS)}",
                            "number": number,
                            "applied_on": applied,
                            "granted_on": granted,
                            "status": IpStatus.GRANTED if granted else IpStatus.APPLIED,
                            "is_archived": False,
                        }
                    )
        for q in quals:
            q["is_archived"] = False
        insert_rows(
            Qualification,
            quals,
            fields=[
                "organization",
                "region",
                "kind",
                "level",
                "issuer",
                "certificate_no",
                "issued_on",
                "expires_on",
                "note",
                "is_archived",
                "created_at",
                "updated_at",
            ],
        )
        insert_rows(
            IntellectualProperty,
            ips,
            fields=[
                "organization",
                "region",
                "ip_type",
                "ip_class",
                "owners",
                "title",
                "number",
                "applied_on",
                "granted_on",
                "status",
                "is_archived",
                "created_at",
                "updated_at",
            ],
        )
        org_ids = list(ids.values())
        for model in (Qualification, IntellectualProperty):
            new = (
                list(model.objects.filter(organization_id__in=org_ids).values_list("pk", flat=True))
                if len(org_ids) < 900
                else list(model.objects.filter(region__code__startswith=county).values_list("pk", flat=True))
            )
            copy_history(model, new, history_type="+", user=actor, reason="演示数据")
        ctx.count("单位", len(rows))
        ctx.count("资质", len(quals))
        ctx.count("知识产权", len(ips))


def organization_members_demo(ctx: DemoContext) -> None:
    """Bind the demo 单位用户 (org_demo) to the first enterprise of its county, so it can apply and report."""
    from kejiju.orgs.models import Organization, OrganizationMember

    account = ctx.users.get("org_demo")
    if account is None or not account.region_id:
        return
    org = (
        Organization.objects.filter(region__code__startswith=account.region_id, org_type="enterprise")
        .order_by("pk")
        .first()
    )
    if org is not None:
        _member, created = OrganizationMember.objects.get_or_create(organization=org, user=account)
        if created:
            ctx.count("单位用户绑定", 1)


register_demo("orgs", organizations_demo, order=20)
register_demo("orgs_members", organization_members_demo, order=21)


# ------------------------------------------------------------------ IP extras (custody, population, cases)

#: Resident population per town (persons): a plausible range for a county's towns.
TOWN_POPULATION = (18_000, 75_000)

CUSTODY_SERVICES = [
    ("advice", "上门开展知识产权管理咨询，梳理企业专利布局"),
    ("search", "开展产品技术方案查新检索，出具检索报告"),
    ("application", "代理提交实用新型专利申请"),
    ("training", "为研发人员开展专利挖掘培训"),
    ("management", "协助建立知识产权管理制度（贯标）"),
]


def ip_extras_demo(ctx: DemoContext) -> None:
    """Per county: the towns' resident population (two years), a county IP service centre with custody
    agreements for the enterprises holding most IP and their services, an enforcement case and the
    世界知识产权日 promotion. Idempotent: a county that already has custody agreements is left alone."""
    from kejiju.core.models import Region
    from kejiju.orgs import services
    from kejiju.orgs.models import IpCustodyAgreement, RegionPopulation

    today = date.today()
    for county in ctx.county_codes:
        if IpCustodyAgreement.objects.filter(region__code__startswith=county).exists():
            continue
        actor = ctx.actor_for(county)
        rng = ctx.rng_for("ip_extras", county)
        for town in ctx.towns_of(county):
            base = rng.randint(*TOWN_POPULATION)
            for year, factor in ((today.year - 1, 1.0), (today.year, 1.004)):
                RegionPopulation.objects.update_or_create(
                    region_id=town, year=year, defaults={"population": int(base * factor)}
                )
        county_name = ctx.region_names.get(county) or Region.objects.get(code=county).name
        provider = Organization.objects.filter(region_id=county, name=f"{county_name}知识产权服务中心").first()
        if provider is None:
            provider = services.organization_create(
                actor=None,
                data={
                    "name": f"{county_name}知识产权服务中心",
                    "credit_code": make_credit_code(
                        "52" + county[:6] + make_org_code(f"MJ{rng.randint(0, 999999):06d}")
                    ),
                    "region": county,
                    "org_type": OrgType.SOCIAL,
                    "contact_person": "刘敏",
                    "contact_phone": "0550-7012345",
                },
            )
        holders = list(
            Organization.objects.filter(
                region__code__startswith=county, org_type=OrgType.ENTERPRISE, intellectual_property__isnull=False
            )
            .distinct()
            .order_by("pk")[: 6 if ctx.scale != "province" else 12]
        )
        start = date(today.year - 1, 3, 1)
        agreements = 0
        for enterprise in holders:
            agreement = services.custody_agreement_save(
                actor=actor,
                provider=provider,
                enterprise=enterprise,
                starts_on=start,
                ends_on=date(today.year + 1, 2, 28),
                number=f"ZSCQTG-{today.year - 1}-{agreements + 1:03d}",
                scope="专利挖掘与布局、申请代理、检索分析、知识产权管理制度建设",
            )
            agreements += 1
            ips = list(enterprise.intellectual_property.filter(applied_on__gte=start)[:1])
            for i in range(rng.randint(2, 4)):
                kind, text = CUSTODY_SERVICES[(i + agreements) % len(CUSTODY_SERVICES)]
                served = start + timedelta(days=rng.randint(10, max(11, (today - start).days - 1)))
                services.custody_service_add(
                    actor=actor,
                    agreement=agreement,
                    kind=kind,
                    served_on=min(served, today),
                    description=text,
                    ip=ips[0] if kind == "application" and ips else None,
                )
        ctx.count("知识产权托管协议", agreements)
        services.ip_case_save(
            actor=actor,
            region=county,
            kind="promotion",
            title=f"{today.year - 1} 年“4·26”世界知识产权日宣传活动",
            occurred_on=date(today.year - 1, 4, 26),
            participants=rng.randint(200, 600),
            outcome="发放宣传资料、现场咨询",
        )
        if holders:
            services.ip_case_save(
                actor=actor,
                region=county,
                kind="case",
                title="外观设计专利侵权纠纷线索移送",
                occurred_on=date(today.year - 1, 9, 12),
                organization=holders[0],
                referred_to="市市场监督管理局（知识产权局）",
                outcome="已立案调查",
            )


register_demo("orgs_ip", ip_extras_demo, order=35)


def ip_day_demo(ctx: DemoContext) -> None:
    """Per county: last year's 世界知识产权日 promotion was held through the outreach module — a 科普展览 on
    26 April in the county's first town — and the IP record links it (after the outreach demo has run).
    Idempotent: a promotion already linked is left alone."""
    from kejiju.orgs import services
    from kejiju.orgs.models import IpCase
    from kejiju.outreach import services as outreach

    for county in ctx.county_codes:
        towns = ctx.towns_of(county)
        actor = ctx.actor_for(county)
        case = (
            IpCase.objects.filter(region__code=county, kind="promotion", activity_ref="", title__contains="知识产权日")
            .order_by("pk")
            .first()
        )
        if case is None or not towns or actor is None:
            continue
        day = case.occurred_on
        activity = outreach.activity_plan(
            actor=actor,
            data={
                "kind": "exhibition",
                "title": case.title,
                "topic": "知识产权保护与专利申请",
                "region": towns[0],
                "venue": "集镇广场",
                "planned_start": day,
                "planned_end": day,
                "planned_attendance": case.participants or 300,
            },
        )
        outreach.activity_hold(
            actor=actor,
            activity=activity,
            data={
                "start_on": day,
                "end_on": day,
                "attendance": case.participants or 300,
                "materials": 1200,
                "summary": "发放知识产权宣传资料，现场解答专利申请、商标注册和维权问题。",
            },
        )
        services.ip_case_save(
            actor=actor,
            region=county,
            kind=case.kind,
            title=case.title,
            occurred_on=case.occurred_on,
            organization=case.organization,
            referred_to=case.referred_to,
            outcome=case.outcome,
            activity_ref="outreach.activity:%d" % activity.pk,
            participants=case.participants,
            case=case,
        )
        ctx.count("知识产权日活动关联", 1)


register_demo("orgs_ip_day", ip_day_demo, order=56)
