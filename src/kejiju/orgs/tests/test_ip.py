"""Intellectual property: number rules (check digit), owners (organizations and persons), duplicates,
counts by region and type with 每万人, the two-phase import (all or nothing), custody agreements and
services, enforcement/promotion records, the subsidy hand-off, pages and the permission matrix."""

from __future__ import annotations

import io
from datetime import date

import pytest
import xlsxwriter
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from kejiju.core.errors import BusinessError
from kejiju.core.importing import get_importer, run_import
from kejiju.core.models import OperationLog
from kejiju.core.testing.factories import region
from kejiju.core.testing.matrix import Endpoint, matrix_cases, run_matrix_case
from kejiju.engines.idcodes import make_credit_code, make_id_number
from kejiju.orgs import ipnumbers, selectors, services
from kejiju.orgs.models import IntellectualProperty, IpCase, IpCustodyAgreement, IpCustodyService, Organization

pytestmark = pytest.mark.django_db


def _org(actor, n: int, region_code: str = "341181", name: str = "") -> Organization:
    return services.organization_create(
        actor=actor,
        data={
            "name": name or f"天长市测试科技有限公司{n}",
            "credit_code": make_credit_code(f"91{region_code}MA{n:07d}"[:17]),
            "region": region_code,
            "org_type": "enterprise",
        },
    )


@pytest.fixture
def staff(regions, make_user):
    region("341181101", "秦栏镇")
    return make_user("bureau_staff", "341181")


# ------------------------------------------------------------------ numbers


def test_patent_check_digit_rule():
    assert ipnumbers.patent_check_digit("202320123456") == "1"
    assert ipnumbers.check_number("utility", "202320123456.1") is None
    assert ipnumbers.check_number("utility", "ZL202320123456.1") is None
    assert "校验位错误" in ipnumbers.check_number("utility", "202320123456.2")
    assert "与所选类型不符" in ipnumbers.check_number("invention", "202320123456.1")
    assert "格式不正确" in ipnumbers.check_number("invention", "20231012345.6")
    assert ipnumbers.check_number("software", "2023SR0123456") is None
    assert "格式不正确" in ipnumbers.check_number("software", "2023-0123456")
    assert ipnumbers.canonical_number("utility", "ZL 2023201234561") == "202320123456.1"


@given(st.integers(2003, 2030), st.sampled_from("1238"), st.integers(0, 9_999_999))
def test_made_numbers_always_pass(year, digit, serial):
    number = ipnumbers.make_patent_number(year, digit, serial)
    kind = {"1": "invention", "8": "invention", "2": "utility", "3": "design"}[digit]
    assert ipnumbers.check_number(kind, number) is None
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    assert ipnumbers.check_number(kind, wrong) is not None


# ------------------------------------------------------------------ service rules


def test_ip_save_rules_and_nothing_stored_on_error(staff):
    org = _org(staff, 1)
    ip = services.ip_save(
        actor=staff,
        organization=org,
        ip_type="invention",
        title="一种水稻育秧基质",
        number="ZL202310123456.6",
        applied_on=date(2023, 3, 1),
        granted_on=date(2024, 6, 1),
        status="granted",
    )
    assert ip.number == "202310123456.6" and ip.ip_class == "I" and ip.region_id == "341181"
    assert OperationLog.objects.filter(action="orgs.ip_save", target_id=str(ip.pk)).exists()
    bad = [
        ({"number": "202310123456.7"}, "校验位错误"),  # wrong check digit
        ({"number": "ABC"}, "格式不正确"),
        ({"applied_on": date(2024, 5, 1), "granted_on": date(2024, 1, 1), "status": "granted"}, "早于申请日"),
        ({"number": "202310123456.6"}, "已登记"),  # duplicate
        ({"number": "2023101234566"}, "已登记"),  # the same number written without the dot
    ]
    for overrides, message in bad:
        kwargs = {
            "ip_type": "invention",
            "title": "x",
            "number": "202410654321." + ipnumbers.patent_check_digit("202410654321"),
        }
        kwargs.update(overrides)
        with pytest.raises(BusinessError, match=message):
            services.ip_save(actor=staff, organization=org, **kwargs)
    assert IntellectualProperty.objects.count() == 1


def test_person_owned_ip_through_people_registry(staff):
    from kejiju.people.selectors import person_by_document

    number = make_id_number("341181", date(1980, 1, 2), 11)
    person = services.ip_person_ensure(actor=staff, data={"name": "李农", "id_number": number, "region": "341181"})
    ip = services.ip_save(
        actor=staff, organization=None, person=person, ip_type="utility", title="一种插秧机", number="202320123456.1"
    )
    assert ip.person_id == person.pk and ip.region_id == "341181"
    assert person_by_document(number) == person
    with pytest.raises(BusinessError, match="权利人"):
        services.ip_save(actor=staff, organization=None, ip_type="utility", title="y", number="202320123457.X")


def test_counts_by_town_and_type_with_population(staff):
    town = "341181101"
    org = _org(staff, 2, town)
    other = _org(staff, 3, "341181100")
    for i, (kind, digit) in enumerate([("invention", "1"), ("utility", "2"), ("utility", "2")]):
        services.ip_save(
            actor=staff,
            organization=org,
            ip_type=kind,
            title="t%d" % i,
            number=ipnumbers.make_patent_number(2024, digit, 100 + i),
            applied_on=date(2024, 2, 1),
            granted_on=date(2024, 9, 1) if i == 0 else None,
            status="granted" if i == 0 else "applied",
        )
    services.ip_save(
        actor=staff,
        organization=other,
        ip_type="design",
        title="d",
        number=ipnumbers.make_patent_number(2023, "3", 7),
        applied_on=date(2023, 2, 1),
    )
    services.population_set(actor=staff, region=town, year=2024, population=30000)
    table = selectors.ip_counts(user=staff, region="341181", year=2024)
    rows = {r["code"]: r for r in table["rows"]}
    assert rows[town]["applied"]["utility"] == 2 and rows[town]["applied"]["invention"] == 1
    assert rows[town]["granted_total"] == 1
    assert str(rows[town]["applied_per_10k"]) == "1.00"
    assert rows["341181100"]["applied_total"] == 0 and rows["341181100"]["applied_per_10k"] is None
    assert table["total"]["applied_total"] == 3
    with pytest.raises(BusinessError, match="常住人口"):
        services.population_set(actor=staff, region=town, year=2024, population=0)


def test_population_outside_scope_refused(staff):
    with pytest.raises(BusinessError, match="管辖范围"):
        services.population_set(actor=staff, region="341182", year=2024, population=1000)


# ------------------------------------------------------------------ import


def _xlsx(rows: list[list[str]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet()
    headers = get_importer("ip").headers()
    for c, h in enumerate(headers):
        sheet.write(0, c, h)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    book.close()
    return buffer.getvalue()


def _row(kind, title, number, applied="2024-03-01", granted="", status="申请中", code="", name="", idn=""):
    return [kind, title, number, applied, granted, status, code, name, idn, ""]


def test_import_all_or_nothing(staff):
    org = _org(staff, 4)
    importer = get_importer("ip")
    idn = make_id_number("341181", date(1975, 5, 5), 21)
    good = [
        _row(
            "发明专利",
            "一种育秧方法",
            "202410000001." + ipnumbers.patent_check_digit("202410000001"),
            code=org.credit_code,
        ),
        _row(
            "实用新型专利",
            "一种播种机",
            "ZL202420000002." + ipnumbers.patent_check_digit("202420000002"),
            granted="2024-08-01",
            status="已授权（有效）",
            code=org.credit_code,
        ),
        _row("软件著作权", "农机调度软件", "2024SR0000003", code=org.credit_code),
        _row("实用新型专利", "个人发明的锄头", ipnumbers.make_patent_number(2024, "2", 4), name="王五", idn=idn),
    ]
    bad = good + [
        _row("发明专利", "号码错", "202410000009.0", code=org.credit_code),
        _row(
            "实用新型专利",
            "授权早于申请",
            ipnumbers.make_patent_number(2024, "2", 5),
            applied="2024-05-01",
            granted="2024-01-01",
            status="已授权（有效）",
            code=org.credit_code,
        ),
        _row("发明专利", "文件内重复", good[0][2], code=org.credit_code),
    ]
    report = run_import(importer, _xlsx(bad), "ip.xlsx", actor=staff, commit=True)
    assert not report.committed
    messages = " ".join(e["message"] for e in report.errors)
    assert "校验位错误" in messages and "早于申请日" in messages and "已登记" in messages
    assert {e["row"] for e in report.errors} == {6, 7, 8}
    assert IntellectualProperty.objects.count() == 0
    from kejiju.people.selectors import person_by_document

    assert person_by_document(idn) is None  # the dry run stored nobody
    report = run_import(importer, _xlsx(good), "ip.xlsx", actor=staff, commit=True)
    assert report.committed and report.created == 4, report.errors
    assert IntellectualProperty.objects.count() == 4
    assert IntellectualProperty.objects.get(title="个人发明的锄头").person.name == "王五"
    assert OperationLog.objects.filter(action="orgs.ip_import").count() == 1
    # the same file again: every row is a duplicate, nothing changes
    again = run_import(importer, _xlsx(good), "ip.xlsx", actor=staff, commit=True)
    assert not again.committed and len(again.errors) == 4 and IntellectualProperty.objects.count() == 4


def test_import_refuses_unknown_or_out_of_scope_owner(staff, make_user):
    foreign = _org(make_user("bureau_staff", "341182", username="other"), 5, "341182")
    rows = [_row("发明专利", "x", ipnumbers.make_patent_number(2024, "1", 9), code=foreign.credit_code)]
    report = run_import(get_importer("ip"), _xlsx(rows), "ip.xlsx", actor=staff, commit=True)
    assert not report.committed and "未在主体库登记" in report.errors[0]["message"]


# ------------------------------------------------------------------ custody and cases


def test_custody_agreement_and_services(staff):
    provider = _org(staff, 6, name="天长市知识产权服务中心")
    enterprise = _org(staff, 7)
    ip = services.ip_save(
        actor=staff,
        organization=enterprise,
        ip_type="utility",
        title="u",
        number=ipnumbers.make_patent_number(2024, "2", 77),
    )
    agreement = services.custody_agreement_save(
        actor=staff,
        provider=provider,
        enterprise=enterprise,
        starts_on=date(2024, 1, 1),
        ends_on=date(2025, 12, 31),
        scope="专利挖掘",
    )
    assert agreement.region_id == enterprise.region_id
    services.custody_service_add(
        actor=staff, agreement=agreement, kind="application", served_on=date(2024, 3, 2), description="代理申请", ip=ip
    )
    services.custody_service_add(
        actor=staff, agreement=agreement, kind="advice", served_on=date(2024, 4, 2), description="上门咨询"
    )
    for kwargs, message in (
        ({"served_on": date(2023, 12, 1)}, "托管期内"),
        ({"kind": "nonsense"}, "服务类型"),
        ({"description": "  "}, "服务内容"),
    ):
        args = {"kind": "advice", "served_on": date(2024, 5, 1), "description": "x", **kwargs}
        with pytest.raises(BusinessError, match=message):
            services.custody_service_add(actor=staff, agreement=agreement, **args)
    with pytest.raises(BusinessError, match="早于开始日"):
        services.custody_agreement_save(
            actor=staff, provider=provider, enterprise=enterprise, starts_on=date(2024, 1, 1), ends_on=date(2023, 1, 1)
        )
    with pytest.raises(BusinessError, match="已有同一机构"):
        services.custody_agreement_save(
            actor=staff, provider=provider, enterprise=enterprise, starts_on=date(2025, 1, 1), ends_on=date(2026, 1, 1)
        )
    assert IpCustodyAgreement.objects.count() == 1 and IpCustodyService.objects.count() == 2
    report = selectors.custody_report(user=staff, year=2024)
    assert report[0]["services"] == 2 and report[0]["by_kind"]["application"] == 1
    portfolio = selectors.enterprise_portfolio(organization=enterprise)
    assert portfolio["by_type"]["实用新型专利"]["applied"] == 1


def test_ip_case_rules(staff):
    case = services.ip_case_save(
        actor=staff,
        region="341181",
        kind="case",
        title="外观设计专利侵权纠纷线索移送",
        occurred_on=date(2024, 9, 12),
        referred_to="市市场监督管理局（知识产权局）",
    )
    assert case.activity_ref == "" and case.participants is None
    for kwargs, fld in (({"kind": "nonsense"}, "kind"), ({"occurred_on": date(2999, 1, 1)}, "occurred_on")):
        args = {"region": "341181", "kind": "case", "title": "x", "occurred_on": date(2024, 4, 26), **kwargs}
        with pytest.raises(BusinessError) as exc:
            services.ip_case_save(actor=staff, **args)
        assert exc.value.field == fld
    assert IpCase.objects.count() == 1


def test_subsidy_requires_granted_patent_and_ledger(staff, monkeypatch):
    org = _org(staff, 8)
    applied = services.ip_save(
        actor=staff, organization=org, ip_type="invention", title="a", number=ipnumbers.make_patent_number(2024, "1", 5)
    )
    calls = []

    class Ledger:
        @staticmethod
        def subsidy_award_create(**kwargs):
            calls.append(kwargs)
            return None

    monkeypatch.setattr(services, "_cultivation_services", lambda: Ledger)
    with pytest.raises(BusinessError, match="已授权"):
        services.ip_subsidy_request(actor=staff, ip=applied)
    granted = services.ip_save(
        actor=staff,
        organization=org,
        ip_type="invention",
        title="b",
        number=ipnumbers.make_patent_number(2023, "1", 6),
        applied_on=date(2023, 1, 1),
        granted_on=date(2024, 7, 1),
        status="granted",
    )
    services.ip_subsidy_request(actor=staff, ip=granted)
    assert calls[0]["source"] == "orgs.ip:%d" % granted.pk and calls[0]["year"] == 2024
    assert calls[0]["policy_code"] == services.PATENT_SUBSIDY_POLICY
    monkeypatch.setattr(services, "_cultivation_services", lambda: None)
    with pytest.raises(BusinessError, match="尚未启用"):
        services.ip_subsidy_request(actor=staff, ip=granted)


# ------------------------------------------------------------------ pages and matrix


def _make_ip(code: str):
    from kejiju.core.testing.factories import UserFactory, grant_perms

    actor = grant_perms(
        UserFactory(region=region(code), username=f"maker{code}"), "orgs.add_organization", "orgs.change_organization"
    )
    org = _org(actor, 30 + int(code[-1]), code)
    return services.ip_save(
        actor=actor,
        organization=org,
        ip_type="utility",
        title="矩阵专利" + code,
        number=ipnumbers.make_patent_number(2024, "2", int(code[-3:])),
    )


def _make_custody(code: str):
    from kejiju.core.testing.factories import UserFactory, grant_perms

    actor = grant_perms(
        UserFactory(region=region(code), username=f"cmaker{code}"),
        "orgs.add_organization",
        "orgs.add_ipcustodyagreement",
    )
    provider = _org(actor, 40, code, name="矩阵服务机构")
    enterprise = _org(actor, 41, code, name="矩阵托管企业")
    return services.custody_agreement_save(
        actor=actor, provider=provider, enterprise=enterprise, starts_on=date(2024, 1, 1), ends_on=date(2025, 1, 1)
    )


ENDPOINTS = [
    Endpoint(
        "ip list",
        "orgs.view_intellectualproperty",
        _make_ip,
        lambda o: reverse("orgs:ip_list"),
        detail=False,
        marker=lambda o: o.title,
    ),
    Endpoint("ip detail", "orgs.view_intellectualproperty", _make_ip, lambda o: reverse("orgs:ip_detail", args=[o.pk])),
    Endpoint("ip stats", "orgs.view_intellectualproperty", _make_ip, lambda o: reverse("orgs:ip_stats"), detail=False),
    Endpoint(
        "custody list",
        "orgs.view_ipcustodyagreement",
        _make_custody,
        lambda o: reverse("orgs:custody_list"),
        detail=False,
        marker=lambda o: "矩阵托管企业",
    ),
    Endpoint(
        "custody detail",
        "orgs.view_ipcustodyagreement",
        _make_custody,
        lambda o: reverse("orgs:custody_detail", args=[o.pk]),
    ),
    Endpoint(
        "ip api list",
        "orgs.view_intellectualproperty",
        _make_ip,
        lambda o: "/api/v1/orgs/ip/",
        kind="api",
        detail=False,
        marker=lambda o: o.title,
    ),
    Endpoint(
        "ip api detail", "orgs.view_intellectualproperty", _make_ip, lambda o: f"/api/v1/orgs/ip/{o.pk}/", kind="api"
    ),
]


@pytest.mark.parametrize("case", matrix_cases(ENDPOINTS), ids=str)
def test_permission_matrix(case, client, db):
    run_matrix_case(case, client)


def test_pages_render_and_export(staff, client):
    org = _org(staff, 9)
    services.ip_save(
        actor=staff,
        organization=org,
        ip_type="invention",
        title="页面专利",
        number=ipnumbers.make_patent_number(2024, "1", 99),
        applied_on=date(2024, 1, 5),
    )
    client.force_login(staff)
    assert "页面专利" in client.get(reverse("orgs:ip_list") + "?year=2024").content.decode()
    page = client.get(reverse("orgs:ip_stats") + "?year=2024&region=341181")
    assert page.status_code == 200 and "天长街道" in page.content.decode()
    export = client.get(reverse("orgs:ip_stats") + "?year=2024&export=xlsx")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    response = client.post(reverse("orgs:ip_population"), {"region": "341181100", "year": "2024", "population": "abc"})
    assert response.status_code == 400 and "整数" in response.content.decode()
    response = client.post(
        reverse("orgs:custody_create"),
        {"provider_code": "x", "enterprise_code": org.credit_code, "starts_on": "2024-01-01", "ends_on": "2024-12-31"},
    )
    assert response.status_code == 400 and "未找到" in response.content.decode()
    assert client.get(reverse("orgs:custody_list") + "?report=2024")["Content-Type"].startswith("application/vnd")
    assert client.get(reverse("orgs:ip_case_create")).status_code == 200


def test_custody_service_posted_on_the_agreement_page(staff, client):
    provider = _org(staff, 11, name="天长市知识产权服务中心")
    enterprise = _org(staff, 12)
    ip = services.ip_save(
        actor=staff,
        organization=enterprise,
        ip_type="utility",
        title="u",
        number=ipnumbers.make_patent_number(2024, "2", 12),
    )
    agreement = services.custody_agreement_save(
        actor=staff, provider=provider, enterprise=enterprise, starts_on=date(2024, 1, 1), ends_on=date(2025, 12, 31)
    )
    client.force_login(staff)
    url = reverse("orgs:custody_detail", args=[agreement.pk])
    bad = client.post(url, {"kind": "search", "served_on": "2023-01-01", "description": "检索"})
    assert bad.status_code == 400 and "托管期内" in bad.content.decode()
    ok = client.post(
        url, {"kind": "application", "served_on": "2024-06-01", "description": "代理申请", "ip": str(ip.pk)}
    )
    assert ok.status_code == 302
    assert IpCustodyService.objects.get().ip == ip
    assert "代理申请" in client.get(url).content.decode()
