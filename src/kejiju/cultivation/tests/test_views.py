"""Cultivation pages and API: permission matrix, batch tool, self-assessment, pipeline, awards, exports."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse

from kejiju.core.excel import read_table, write_workbook
from kejiju.core.models import OperationLog
from kejiju.core.testing.factories import grant_perms
from kejiju.core.testing.matrix import Endpoint, matrix_cases, run_matrix_case
from kejiju.cultivation import fields
from kejiju.cultivation.models import PipelineEntry, SubsidyAward
from kejiju.cultivation.services import (
    pipeline_entry_create,
    rd_filing_save,
    subsidy_award_create,
    subsidy_policy_ensure,
)
from kejiju.cultivation.tests.factories import enterprise, tech_sme_input

pytestmark = pytest.mark.django_db


def _entry(region_code: str) -> PipelineEntry:
    return pipeline_entry_create(
        actor=None, organization=enterprise(region_code), year=2025, tech_sme_input=tech_sme_input()
    )


def _filing(region_code: str):
    return rd_filing_save(
        actor=None, organization=enterprise(region_code), year=2024, reserve_amount="1000", rd_expense="2000"
    )


def _award(region_code: str) -> SubsidyAward:
    subsidy_policy_ensure(
        actor=None, code="fx", name="固定奖励", kind="fixed", params={"amount": 100}, effective_from=date(2020, 1, 1)
    )
    return subsidy_award_create(
        actor=None, policy_code="fx", organization=enterprise(region_code), year=2024, inputs={}
    )


V_ENTRY, V_FILING, V_AWARD = (
    "cultivation.view_pipelineentry",
    "cultivation.view_rdreservefiling",
    "cultivation.view_subsidyaward",
)
ENDPOINTS = [
    Endpoint(
        "pipeline_list",
        V_ENTRY,
        _entry,
        lambda o: reverse("cultivation:pipeline_list"),
        detail=False,
        marker=lambda o: o.organization.name,
    ),
    Endpoint("pipeline_detail", V_ENTRY, _entry, lambda o: reverse("cultivation:pipeline_detail", args=[o.pk])),
    Endpoint(
        "filing_list",
        V_FILING,
        _filing,
        lambda o: reverse("cultivation:filing_list"),
        detail=False,
        marker=lambda o: o.organization.name,
    ),
    Endpoint("filing_detail", V_FILING, _filing, lambda o: reverse("cultivation:filing_detail", args=[o.pk])),
    Endpoint(
        "award_list",
        V_AWARD,
        _award,
        lambda o: reverse("cultivation:award_list"),
        detail=False,
        marker=lambda o: o.organization.name,
    ),
    Endpoint("award_detail", V_AWARD, _award, lambda o: reverse("cultivation:award_detail", args=[o.pk])),
    Endpoint("ledger", V_AWARD, _award, lambda o: reverse("cultivation:ledger"), detail=False),
    Endpoint(
        "api_pipeline_list",
        V_ENTRY,
        _entry,
        lambda o: "/api/v1/cultivation/pipeline/",
        kind="api",
        detail=False,
        marker=lambda o: o.organization.name,
    ),
    Endpoint("api_pipeline_detail", V_ENTRY, _entry, lambda o: f"/api/v1/cultivation/pipeline/{o.pk}/", kind="api"),
    Endpoint(
        "api_filing_list",
        V_FILING,
        _filing,
        lambda o: "/api/v1/cultivation/filings/",
        kind="api",
        detail=False,
        marker=lambda o: o.organization.name,
    ),
    Endpoint("api_filing_detail", V_FILING, _filing, lambda o: f"/api/v1/cultivation/filings/{o.pk}/", kind="api"),
    Endpoint(
        "api_award_list",
        V_AWARD,
        _award,
        lambda o: "/api/v1/cultivation/awards/",
        kind="api",
        detail=False,
        marker=lambda o: o.organization.name,
    ),
    Endpoint("api_award_detail", V_AWARD, _award, lambda o: f"/api/v1/cultivation/awards/{o.pk}/", kind="api"),
]


@pytest.mark.parametrize("case", matrix_cases(ENDPOINTS), ids=str)
def test_permission_matrix(case, client):
    run_matrix_case(case, client)


@pytest.fixture
def staff(regions, make_user):
    return make_user("bureau_staff", "341181")


def _upload(kind: str, rows: list[list[object]]) -> io.BytesIO:
    content = write_workbook("名单", [h for _, h in fields.columns(kind)], rows)
    buf = io.BytesIO(content)
    buf.name = "list.xlsx"
    return buf


TECH_ROW = [
    "A01",
    100,
    30,
    "10000000",
    "20000000",
    "600000",
    "8000000",
    1,
    0,
    "是",
    "否",
    "否",
    "否",
    "否",
    "否",
    "否",
    "否",
]


def test_batch_tech_sme_downloads_results_and_stores_nothing(client, staff):
    client.force_login(staff)
    weak = [
        "A02",
        100,
        5,
        "10000000",
        "20000000",
        "100000",
        "8000000",
        0,
        1,
        "是",
        "否",
        "否",
        "否",
        "否",
        "否",
        "否",
        "否",
    ]
    response = client.post(
        reverse("cultivation:batch"), {"kind": "tech-sme", "file": _upload("tech-sme", [TECH_ROW, weak])}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    headers, rows = read_table(response.content, "r.xlsx")
    assert rows[0]["评价通过"] == "是" and rows[0]["总分"] == "100"
    assert rows[1]["评价通过"] == "否" and "研发费用还差" in rows[1]["差距"]
    assert PipelineEntry.objects.count() == 0
    assert OperationLog.objects.filter(action="cultivation.batch_evaluate").count() == 1


def test_batch_bad_rows_named(client, staff):
    client.force_login(staff)
    bad = list(TECH_ROW)
    bad[0], bad[1], bad[2], bad[3] = "B01", -1, 200, "1e5"
    bad2 = list(TECH_ROW)
    bad2[0], bad2[5] = "B02", "1.005"
    response = client.post(reverse("cultivation:batch"), {"kind": "tech-sme", "file": _upload("tech-sme", [bad, bad2])})
    text = response.content.decode()
    assert response.status_code == 200 and 'data-testid="batch-errors"' in text
    assert "第 2 行（B01）" in text and "sales_revenue" in text and "科学计数法" in text
    assert "第 3 行（B02）" in text and "rd_expense" in text


def test_batch_hnte_and_bad_file(client, staff):
    client.force_login(staff)
    response = client.get(reverse("cultivation:batch_template", args=["hnte"]))
    headers, rows = read_table(response.content, "t.xlsx")
    buf = io.BytesIO(response.content)
    buf.name = "hnte.xlsx"
    ok = client.post(reverse("cultivation:batch"), {"kind": "hnte", "file": buf})
    assert ok["Content-Type"].startswith("application/vnd.openxmlformats")
    _, out = read_table(ok.content, "o.xlsx")
    assert "研发费用还差" in out[0]["差距"]
    junk = io.BytesIO(b"not a workbook")
    junk.name = "x.xlsx"
    assert "无法读取" in client.post(reverse("cultivation:batch"), {"kind": "hnte", "file": junk}).content.decode()
    short = io.BytesIO("编号（id）,职工总数（employees）\nA,1\n".encode())
    short.name = "x.csv"
    assert "缺少列" in client.post(reverse("cultivation:batch"), {"kind": "hnte", "file": short}).content.decode()


def _assess_post(kind: str, **over: str) -> dict[str, str]:
    data = {"kind": kind}
    for f in fields.ENGINE_FIELDS[kind]:
        if f.kind == "bool":
            if f.key in ("registered_in_mainland", "core_ip_owned", "ip_self_developed", "field_in_catalogue"):
                data[f.key] = "1"
    data.update(
        employees="100",
        tech_staff="30",
        sales_revenue="10000000",
        total_assets="2000000",
        rd_expense="300000",
        cost_total="9000000",
        ip_class1="0",
        ip_class2="1",
    )
    data.update(over)
    return data


def test_self_assessment_for_org_user(client, regions, make_user, staff):
    from kejiju.orgs.services import organization_member_add

    org = enterprise()
    user = make_user("org_user", "341181")
    organization_member_add(actor=staff, organization=org, user=user)
    client.force_login(user)
    page = client.get(reverse("cultivation:self_assess"))
    assert org.name in page.content.decode()
    response = client.post(reverse("cultivation:self_assess"), {**_assess_post("tech-sme"), "organization": org.pk})
    text = response.content.decode()
    assert 'data-testid="assess-result"' in text and "研发费用还差" in text
    assert PipelineEntry.objects.count() == 0
    # an organization the user does not act for
    other = enterprise()
    assert (
        client.post(
            reverse("cultivation:self_assess"), {**_assess_post("tech-sme"), "organization": other.pk}
        ).status_code
        == 404
    )
    bad = client.post(
        reverse("cultivation:self_assess"), {**_assess_post("tech-sme", employees="-3"), "organization": org.pk}
    )
    assert 'data-testid="form-errors"' in bad.content.decode()


def test_self_assessment_staff_stores_entry(client, staff):
    org = enterprise()
    client.force_login(staff)
    response = client.post(
        reverse("cultivation:self_assess"),
        {
            **_assess_post("tech-sme", rd_expense="600000", ip_class1="1"),
            "organization": org.pk,
            "store": "1",
            "year": "2025",
        },
    )
    entry = PipelineEntry.objects.get()
    assert response.status_code == 302 and entry.tech_sme_passed and entry.organization == org


def test_pipeline_actions_and_stats_pages(client, staff):
    entry = pipeline_entry_create(actor=staff, organization=enterprise(), year=2025, tech_sme_input=tech_sme_input())
    client.force_login(staff)
    url = reverse("cultivation:pipeline_action", args=[entry.pk])
    client.post(url, {"action": "register", "number": "2025-001"})
    hnte = {
        "action": "reserve",
        "application_date": "2025-06-01",
        "registration_date": "2018-01-01",
        "operating_years": "7",
        "employees": "100",
        "tech_staff": "20",
        "high_tech_revenue": "8000000",
        "total_revenue": "10000000",
        "ip_class1": "1",
        "ip_class2": "0",
        "conversions": "9",
        "core_ip_owned": "1",
        "ip_self_developed": "1",
        "field_in_catalogue": "1",
    }
    for key, values in (
        ("sales", "10000000"),
        ("rd_expense", "400000"),
        ("rd_expense_in_china", "400000"),
        ("net_assets", "5000000"),
    ):
        for n in (1, 2, 3):
            hnte[f"{key}_{n}"] = values
    response = client.post(url, hnte)
    entry.refresh_from_db()
    assert entry.stage == "reserve" and entry.hnte_rule_version == "2016-32"
    detail = client.get(reverse("cultivation:pipeline_detail", args=[entry.pk])).content.decode()
    assert "研发费用还差 300,000.00 元才达到 5%" in detail
    stats = client.get(reverse("cultivation:pipeline_stats") + "?year=2025").content.decode()
    assert entry.organization.name in stats
    export = client.get(reverse("cultivation:pipeline_list") + "?export=xlsx")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    bad = client.post(url, {"action": "apply", "on": "2999-01-01"}, follow=True)
    assert "不能晚于今天" in bad.content.decode()
    assert response.status_code == 302


def test_award_pages_flow(client, staff):
    org = enterprise()
    client.force_login(staff)
    response = client.post(
        reverse("cultivation:policy_create"),
        {
            "code": "rd_inc",
            "name": "研发增量奖补",
            "kind": "rate_of_increase",
            "params": '{"rate": "0.1", "cap": "1000"}',
            "effective_from": "2020-01-01",
        },
    )
    assert response.status_code == 302
    bad = client.post(
        reverse("cultivation:policy_create"),
        {"code": "x", "name": "x", "kind": "fixed", "params": "{bad", "effective_from": "2020-01-01"},
    )
    assert "不是有效的 JSON" in bad.content.decode()
    response = client.post(
        reverse("cultivation:award_create"),
        {
            "policy": "rd_inc",
            "year": "2024",
            "organization": org.pk,
            "calculate": "1",
            "in_current": "5000",
            "in_previous": "1000",
        },
    )
    award = SubsidyAward.objects.get()
    assert response.status_code == 302 and award.amount == 400
    bad = client.post(
        reverse("cultivation:award_create"),
        {
            "policy": "rd_inc",
            "year": "2024",
            "organization": org.pk,
            "calculate": "1",
            "in_current": "1e5",
            "in_previous": "1000",
        },
    )
    assert "不是有效的金额" in bad.content.decode() and SubsidyAward.objects.count() == 1
    act = reverse("cultivation:award_action", args=[award.pk])
    client.post(act, {"action": "approve"})
    client.post(act, {"action": "publicize"})
    client.post(act, {"action": "pay", "paid_on": date.today().isoformat(), "voucher_no": "记-9"})
    award.refresh_from_db()
    assert award.status == "paid"
    client.logout()
    public = client.get(reverse("cultivation:publicity"))
    assert public.status_code == 200 and org.name in public.content.decode()


def test_api_detail_garbage_ids(client, staff):
    grant_perms(staff, V_ENTRY)
    client.force_login(staff)
    for bad in ("abc", "0", "99999999999999999999999"):
        assert client.get(f"/api/v1/cultivation/pipeline/{bad}/").status_code == 404
    assert (
        client.get("/api/v1/cultivation/pipeline/?organization=99999999999999999999999&region=9&year=x").status_code
        == 200
    )
    # a NUL character is refused before the API reads the query (core.middleware)
    assert client.get("/api/v1/cultivation/pipeline/?region=%00").status_code == 400
