"""Demo cultivation data (``kejiju demo``): per county a dozen enterprises moved through the pipeline
(科小自评 → 入库 → 高企后备 → 申报 → 认定, a few lapsed), R&D reserve filings, the subsidy policies and
their awards (calculated, approved, publicized, paid). Everything goes through the services, so the
operation log, transitions and qualifications are the ones a bureau would have. Deterministic for a
seed; counties that already have pipeline entries are left alone."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from kejiju.core.demo import DemoContext, register_demo
from kejiju.cultivation.apps import ensure_default_policies

PER_COUNTY = {"county": 14, "city": 10, "province": 4}

POLICIES: list[tuple[str, str, str, dict[str, Any], date]] = [
    ("hnte_new", "新认定高新技术企业奖励", "fixed", {"amount": "100000"}, date(2022, 1, 1)),
    ("hnte_new", "新认定高新技术企业奖励", "fixed", {"amount": "150000"}, date(2025, 1, 1)),
    ("rd_increment", "企业研发投入增量奖补", "rate_of_increase", {"rate": "0.10", "cap": "500000"}, date(2022, 1, 1)),
    (
        "platform_recognition",
        "创新平台认定奖励",
        "by_level",
        {"table": {"national": "1000000", "provincial": "300000", "city": "100000", "county": "50000"}},
        date(2020, 1, 1),
    ),
]


def _money(rng: random.Random, low: int, high: int) -> str:
    return str(rng.randrange(low, high) * 1000)


def tech_sme_record(rng: random.Random) -> dict[str, Any]:
    employees = rng.randrange(15, 300)
    sales = rng.randrange(3_000, 80_000) * 1000
    return {
        "registered_in_mainland": True,
        "restricted_industry": False,
        "bad_record": rng.random() < 0.03,
        "employees": employees,
        "tech_staff": max(1, int(employees * rng.uniform(0.05, 0.4))),
        "sales_revenue": str(sales),
        "total_assets": str(int(sales * rng.uniform(0.8, 2))),
        "rd_expense": str(int(sales * rng.uniform(0.01, 0.08)) // 100 * 100),
        "cost_total": str(int(sales * rng.uniform(0.6, 0.95))),
        "ip_class1": rng.choice([0, 0, 1, 2, 3]),
        "ip_class2": rng.randrange(0, 12),
        "hnte_valid": False,
        "national_award_top3": False,
        "provincial_rd_institution": rng.random() < 0.1,
        "led_standard": False,
        "first_filing": rng.random() < 0.4,
    }


def hnte_record(rng: random.Random, base: dict[str, Any], year: int) -> dict[str, Any]:
    sales = int(base["sales_revenue"])
    growth = rng.uniform(1.0, 1.3)
    sales3 = [int(sales / growth / growth) // 100 * 100, int(sales / growth) // 100 * 100, sales]
    ratio = rng.uniform(0.03, 0.065)
    rd3 = [int(s * ratio) // 100 * 100 for s in sales3]
    net = rng.randrange(3_000, 30_000) * 1000
    return {
        "application_date": "%d-06-15" % year,
        "registration_date": "%d-04-01" % rng.randrange(2008, year - 2),
        "core_ip_owned": True,
        "ip_class1": base["ip_class1"],
        "ip_class2": base["ip_class2"] + 1,
        "ip_self_developed": True,
        "field_in_catalogue": rng.random() < 0.9,
        "employees": base["employees"],
        "tech_staff": max(base["tech_staff"], base["employees"] // 8),
        "sales": [str(s) for s in sales3],
        "rd_expense": [str(r) for r in rd3],
        "rd_expense_in_china": [str(r) for r in rd3],
        "high_tech_revenue": str(int(sales * rng.uniform(0.5, 0.9)) // 100 * 100),
        "total_revenue": str(sales),
        "net_assets": [str(net), str(int(net * growth)), str(int(net * growth * growth))],
        "conversions": rng.randrange(3, 20),
        "operating_years": 3,
        "bad_record": False,
    }


def cultivation_demo(ctx: DemoContext) -> None:
    """Policies once; then per county: pipeline entries, filings and awards."""
    from kejiju.cultivation import services
    from kejiju.cultivation.models import PipelineEntry
    from kejiju.orgs.selectors import organization_list

    for code, name, kind, params, since in POLICIES:
        services.subsidy_policy_ensure(actor=None, code=code, name=name, kind=kind, params=params, effective_from=since)
    ensure_default_policies("default")  # the shipped ones (专利资助), in case the database was built without them
    this_year = date.today().year
    per_county = PER_COUNTY.get(ctx.scale, 10)
    for county in ctx.county_codes:
        if PipelineEntry.objects.filter(region__code__startswith=county).exists():
            continue
        actor = ctx.actor_for(county)
        rng = ctx.rng_for("cultivation", county)
        orgs = list(
            organization_list(user=actor, filters={"org_type": "enterprise", "region": county}).order_by("pk")[
                : per_county + 6
            ]
        )
        for n, org in enumerate(orgs[:per_county]):
            year = this_year - 1 - (n % 3)
            record = tech_sme_record(rng)
            entry = services.pipeline_entry_create(actor=actor, organization=org, year=year, tech_sme_input=record)
            ctx.count("培育库企业", 1)
            if not entry.tech_sme_passed or rng.random() < 0.15:
                continue
            entry = services.pipeline_entry_transition(
                actor=actor,
                entry=entry,
                action="register",
                number="%d%s%04d" % (year, county, entry.pk),
                on=date(year, rng.randrange(3, 9), rng.randrange(1, 28)),
            )
            if rng.random() < 0.2:
                continue
            entry = services.pipeline_entry_transition(
                actor=actor, entry=entry, action="reserve", hnte_input=hnte_record(rng, record, year)
            )
            if entry.gap_count or rng.random() < 0.25:
                continue
            entry = services.pipeline_entry_transition(actor=actor, entry=entry, action="apply", on=date(year, 6, 15))
            if rng.random() < 0.15:
                services.pipeline_entry_transition(
                    actor=actor, entry=entry, action="reject", reason="专家评审创新能力得分未超过 70 分"
                )
                continue
            recognised = date(year, 11, rng.randrange(10, 28))
            if recognised > date.today():
                continue
            entry = services.pipeline_entry_transition(
                actor=actor,
                entry=entry,
                action="recognise",
                certificate_no="GR%d34%06d" % (year, entry.pk),
                on=recognised,
            )
            ctx.count("新认定高企", 1)
            award = services.subsidy_award_create(
                actor=actor,
                policy_code="hnte_new",
                organization=org,
                year=year,
                inputs={},
                source="cultivation.pipelineentry:%d" % entry.pk,
            )
            _advance(services, actor, award, rng, recognised + timedelta(days=60))
        for org in orgs[: max(3, per_county // 2)]:
            year = this_year - 1
            reserve = rng.randrange(50, 800) * 1000
            filing = services.rd_filing_save(
                actor=actor,
                organization=org,
                year=year,
                reserve_amount=str(reserve),
                rd_expense=str(int(reserve * rng.uniform(1.1, 2.5)) // 100 * 100),
                contact_person="财务负责人",
            )
            ctx.count("研发准备金备案", 1)
            if rng.random() < 0.8:
                services.rd_filing_transition(actor=actor, filing=filing, action="file")
                previous = int(filing.rd_expense) * rng.uniform(0.6, 1.05)
                award = services.subsidy_award_create(
                    actor=actor,
                    policy_code="rd_increment",
                    organization=org,
                    year=year,
                    inputs={"current": str(filing.rd_expense), "previous": str(Decimal(int(previous)))},
                    source="cultivation.rdreservefiling:%d" % filing.pk,
                )
                _advance(services, actor, award, rng, date.today() - timedelta(days=rng.randrange(1, 40)))


def _advance(services: Any, actor: Any, award: Any, rng: random.Random, paid_on: date) -> None:
    """Approve → publicize → pay most awards (a few stay pending)."""
    steps = rng.choice([0, 1, 2, 3, 3, 3])
    for action in ("approve", "publicize", "pay")[:steps]:
        if action == "pay":
            award = services.subsidy_award_transition(
                actor=actor,
                award=award,
                action="pay",
                paid_on=min(paid_on, date.today()),
                voucher_no="记-%06d" % award.pk,
            )
        else:
            award = services.subsidy_award_transition(actor=actor, award=award, action=action)


register_demo("cultivation", cultivation_demo, order=45)
