"""Test data for the statistics app: organizations and qualifications through the orgs services, test-only
indicators over them, entered indicators and values through this app's services."""

from __future__ import annotations

import io
import itertools
from datetime import date
from decimal import Decimal
from typing import Any

from django.apps import apps

from kejiju.core.indicators import Column, Indicator, register_indicator, sum_value
from kejiju.engines.idcodes import make_credit_code
from kejiju.orgs.services import organization_create, qualification_save

_seq = itertools.count(1)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def organization(region_code: str, name: str = "") -> Any:
    n = next(_seq)
    return organization_create(
        actor=None,
        data={
            "name": name or f"测试科技有限公司{n}",
            "credit_code": make_credit_code(f"91{region_code[:6].ljust(6, '0')}MA{n:07d}"),
            "region": region_code,
            "org_type": "enterprise",
        },
    )


def qualification(region_code: str, kind: str = "hnte", issued_on: date = date(2026, 3, 1), name: str = "") -> Any:
    org = organization(region_code, name)
    return qualification_save(
        actor=None, organization=org, kind=kind, issued_on=issued_on, certificate_no=f"GR{next(_seq):08d}"
    )


def _qualifications(kind: str):  # type: ignore[no-untyped-def]
    def records(region: str, start: date, end: date) -> Any:
        model = apps.get_model("orgs", "Qualification")
        return model.objects.filter(
            kind=kind, is_archived=False, issued_on__gte=start, issued_on__lte=end, region__code__startswith=region
        ).select_related("organization")

    return records


def _staff(region: str, start: date, end: date) -> Any:
    model = apps.get_model("orgs", "Organization")
    return model.objects.filter(region__code__startswith=region, founded_on__gte=start, founded_on__lte=end)


COLUMNS = (
    Column("单位名称", "organization.name"),
    Column("证书编号", "certificate_no"),
    Column("发证日期", "issued_on"),
)

TEST_INDICATORS = (
    Indicator(
        code="testorgs.hnte_new",
        name="新认定高新技术企业",
        definition="统计期内发证的高新技术企业证书数（按证书所属区划）。",
        unit="家",
        area="cultivation",
        records=_qualifications("hnte"),
        columns=COLUMNS,
        order=10,
    ),
    Indicator(
        code="testorgs.tech_sme_new",
        name="新入库科技型中小企业",
        definition="统计期内入库的科技型中小企业数。",
        unit="家",
        area="cultivation",
        records=_qualifications("tech_sme"),
        columns=COLUMNS,
        order=20,
    ),
    Indicator(
        code="testorgs.staff_new",
        name="新成立单位职工人数",
        definition="统计期内成立的单位的职工人数合计。",
        unit="人",
        area="programs",
        records=_staff,
        value=sum_value("staff_count"),
        order=10,
    ),
)


def register_test_indicators() -> list[str]:
    for indicator in TEST_INDICATORS:
        register_indicator(indicator)
    return [i.code for i in TEST_INDICATORS]


def unregister(codes: list[str]) -> None:
    from kejiju.core import indicators

    for code in codes:
        indicators._registry.pop(code, None)


def entered_indicator(code: str = "entered.rd_share", **data: Any) -> Any:
    from kejiju.stats.services import indicator_define

    values = {"code": code, "name": "研发投入占比", "unit": "%", "area": "general", "decimals": 2, "additive": False}
    values.update(data)
    return indicator_define(actor=None, data=values)


def pdf_file() -> io.BytesIO:
    return io.BytesIO(PDF)


def entered_value(
    user: Any, region: str, value: Any = "2.35", code: str = "entered.rd_share", period: str = "2026"
) -> Any:
    from kejiju.stats.services import entered_value_save

    return entered_value_save(
        actor=user, indicator=code, region=region, period=period, value=value, upload=pdf_file(), upload_name="公报.pdf"
    )


def money(text: str) -> Decimal:
    return Decimal(text)
