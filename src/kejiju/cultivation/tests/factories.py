"""Builders for cultivation tests (and the platforms tests, which reuse the enterprise builder)."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from kejiju.core.testing.factories import region
from kejiju.engines.idcodes import make_credit_code
from kejiju.orgs.services import organization_create

_seq = itertools.count(1)


def enterprise(region_code: str = "341181", name: str | None = None) -> Any:
    """An enterprise in ``region_code`` (created by the system, no permission check)."""
    region(region_code)
    n = next(_seq)
    return organization_create(
        actor=None,
        data={
            "name": name or "测试科技有限公司%03d" % n,
            "credit_code": make_credit_code("91%sMA%07d" % (region_code[:6], n)),
            "region": region_code,
            "org_type": "enterprise",
        },
    )


def tech_sme_input(**overrides: Any) -> dict[str, Any]:
    """A passing 科技型中小企业 record (staff 20 + R&D 50 + IP 30 = 100)."""
    base: dict[str, Any] = {
        "registered_in_mainland": True,
        "restricted_industry": False,
        "bad_record": False,
        "employees": 100,
        "tech_staff": 30,
        "sales_revenue": "10000000",
        "total_assets": "20000000",
        "rd_expense": "600000",
        "cost_total": "8000000",
        "ip_class1": 1,
        "ip_class2": 0,
        "hnte_valid": False,
        "national_award_top3": False,
        "provincial_rd_institution": False,
        "led_standard": False,
        "first_filing": False,
    }
    base.update(overrides)
    return base


def hnte_input(**overrides: Any) -> dict[str, Any]:
    """A 高企 record short of R&D: sales 1,000万 a year, R&D 40万 a year (4 % < 5 %)."""
    base: dict[str, Any] = {
        "application_date": "2025-06-01",
        "registration_date": "2018-03-01",
        "core_ip_owned": True,
        "ip_class1": 1,
        "ip_class2": 5,
        "ip_self_developed": True,
        "field_in_catalogue": True,
        "employees": 100,
        "tech_staff": 20,
        "sales": ["10000000", "10000000", "10000000"],
        "rd_expense": ["400000", "400000", "400000"],
        "rd_expense_in_china": ["400000", "400000", "400000"],
        "high_tech_revenue": "8000000",
        "total_revenue": "10000000",
        "net_assets": ["5000000", "6000000", "7000000"],
        "conversions": 15,
        "operating_years": 7,
        "bad_record": False,
    }
    base.update(overrides)
    return base


def recognised_entry(
    actor: Any, org: Any = None, *, year: int = 2024, on: date = date(2024, 11, 20), number: str = ""
) -> Any:
    """An entry taken through the whole pipeline to 已认定."""
    from kejiju.cultivation.services import pipeline_entry_create, pipeline_entry_transition

    org = org or enterprise()
    entry = pipeline_entry_create(actor=actor, organization=org, year=year, tech_sme_input=tech_sme_input())
    entry = pipeline_entry_transition(
        actor=actor,
        entry=entry,
        action="register",
        number=number or "%d%s%04d" % (year, org.region_id, entry.pk),
        on=date(year, 2, 1),
    )
    entry = pipeline_entry_transition(actor=actor, entry=entry, action="reserve", hnte_input=hnte_input())
    entry = pipeline_entry_transition(actor=actor, entry=entry, action="apply", on=date(2024, 6, 1))
    return pipeline_entry_transition(
        actor=actor, entry=entry, action="recognise", certificate_no="GR2024340%05d" % entry.pk, on=on
    )
