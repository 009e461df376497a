"""Enterprise cultivation in a real browser: staff run the batch evaluation (a bad list is explained row by
row, a good one downloads results), an enterprise account sees its self-assessment with what is missing,
and a subsidy is calculated, approved, publicized and paid."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from playwright.sync_api import expect

from kejiju.core.excel import read_table, write_workbook
from kejiju.core.testing.factories import role_user
from kejiju.cultivation import fields
from kejiju.cultivation.models import PipelineEntry, SubsidyAward
from kejiju.cultivation.services import subsidy_policy_ensure
from kejiju.cultivation.tests.factories import enterprise

pytestmark = pytest.mark.e2e

GOOD = [
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
WEAK = [
    "A02",
    100,
    12,
    "10000000",
    "20000000",
    "250000",
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


def _file(rows: list[list[Any]]) -> dict[str, Any]:
    data = write_workbook("名单", [h for _, h in fields.columns("tech-sme")], rows)
    return {
        "name": "企业名单.xlsx",
        "buffer": data,
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }


def test_batch_and_self_assessment(page: Any, login: Any, tree: dict, screenshot: Any) -> None:
    staff = role_user("bureau_staff", "341181", username="peiyu", full_name="培育专员")
    org = enterprise("341181", name="天长市青禾智能装备有限公司")
    login(staff.username)

    page.goto("/cultivation/batch/")
    bad = list(GOOD)
    bad[0], bad[2], bad[3] = "B01", 300, "1e5"
    page.set_input_files("input[type=file]", files=[_file([bad, WEAK])])
    page.get_by_test_id("batch-run").click()
    errors = page.get_by_test_id("batch-errors")
    expect(errors).to_contain_text("第 2 行（B01）")
    expect(errors).to_contain_text("科学计数法")
    screenshot("cultivation-batch-errors")

    page.set_input_files("input[type=file]", files=[_file([GOOD, WEAK])])
    with page.expect_download() as info:
        page.get_by_test_id("batch-run").click()
    _, rows = read_table(open(info.value.path(), "rb").read(), "r.xlsx")
    assert [r["评价通过"] for r in rows] == ["是", "否"]
    assert "研发费用还差" in rows[1]["差距"]
    assert PipelineEntry.objects.count() == 0

    # staff assess an enterprise in scope and put it into the pipeline
    page.goto(f"/cultivation/self-assessment/?organization={org.pk}")
    expect(page.get_by_test_id("assess-org")).to_have_text(org.name)
    for label, value in (
        ("职工总数（人）", "100"),
        ("科技人员数（人）", "30"),
        ("销售收入（元）", "10000000"),
        ("资产总额（元）", "20000000"),
        ("研发费用总额（元）", "600000"),
        ("成本费用支出总额（元）", "8000000"),
        ("Ⅰ类知识产权（件）", "1"),
        ("Ⅱ类知识产权（件）", "0"),
    ):
        page.get_by_label(label, exact=True).fill(value)
    with page.expect_navigation():
        page.get_by_test_id("assess-store").click()
    expect(page.get_by_test_id("entry-stage")).to_have_text("科小自评")
    screenshot("cultivation-pipeline-entry")
    assert PipelineEntry.objects.get().organization == org

    # an enterprise account sees its own self-assessment and what is missing
    member = role_user("org_user", "341181", username="qinghe", full_name="青禾财务")
    from kejiju.orgs.services import organization_member_add

    organization_member_add(actor=staff, organization=org, user=member)
    page.context.clear_cookies()
    login(member.username)
    page.goto("/cultivation/self-assessment/?kind=hnte")
    expect(page.get_by_test_id("assess-org")).to_have_text(org.name)
    values = {
        "申请日期": "2025-06-01",
        "注册成立日期": "2018-03-01",
        "实际经营年数": "7",
        "职工总数（人）": "100",
        "科技人员数（人）": "20",
        "近一年高新技术产品（服务）收入（元）": "8000000",
        "近一年总收入（元）": "10000000",
        "Ⅰ类知识产权（件）": "1",
        "Ⅱ类知识产权（件）": "5",
        "近三年科技成果转化数（项）": "15",
    }
    for label, value in values.items():
        page.get_by_label(label, exact=True).fill(value)
    for key, value in (
        ("sales", "10000000"),
        ("rd_expense", "400000"),
        ("rd_expense_in_china", "400000"),
        ("net_assets", "5000000"),
    ):
        for n in (1, 2, 3):
            page.locator(f"input[name={key}_{n}]").fill(value)
    for label in (
        "拥有对主要产品发挥核心支持作用的知识产权所有权",
        "知识产权中有自主研发取得的",
        "核心技术属于《国家重点支持的高新技术领域》",
    ):
        page.get_by_label(label).check()
    with page.expect_navigation():
        page.get_by_test_id("assess-run").click()
    expect(page.get_by_test_id("assess-gaps")).to_contain_text("研发费用还差 300,000.00 元才达到 5%")
    expect(page.get_by_test_id("assess-store")).to_have_count(0)
    screenshot("cultivation-self-assessment")


def test_subsidy_calculated_approved_paid(page: Any, login: Any, tree: dict, screenshot: Any) -> None:
    staff = role_user("bureau_staff", "341181", username="jiangbu", full_name="奖补专员")
    org = enterprise("341181", name="天长市金穗农业科技有限公司")
    subsidy_policy_ensure(
        actor=None,
        code="rd_increment",
        name="企业研发投入增量奖补",
        kind="rate_of_increase",
        params={"rate": "0.10", "cap": "500000"},
        effective_from=date(2022, 1, 1),
    )
    login(staff.username)
    year = date.today().year - 1
    page.goto(f"/cultivation/awards/new/?policy=rd_increment&year={year}&organization={org.pk}")
    expect(page.get_by_test_id("award-version")).to_contain_text("按增量比例")
    page.get_by_label("本年度金额（元）").fill("3000000.55")
    page.get_by_label("上年度金额（元）").fill("1000000")
    with page.expect_navigation():
        page.get_by_test_id("award-calculate").click()
    expect(page.get_by_test_id("award-amount")).to_have_text("200000.05")
    for action in ("approve", "publicize"):
        with page.expect_navigation():
            page.get_by_test_id(f"action-{action}").get_by_role("button").click()
    page.get_by_label("拨付凭证号").fill("记-2026-001")
    with page.expect_navigation():
        page.get_by_test_id("action-pay").get_by_role("button").click()
    expect(page.get_by_test_id("award-status")).to_have_text("已拨付")
    screenshot("cultivation-award-paid")
    award = SubsidyAward.objects.get()
    assert award.status == "paid" and award.voucher_no == "记-2026-001"
    page.goto("/cultivation/ledger/")
    expect(page.locator("table")).to_contain_text(org.name)
    page.goto("/cultivation/publicity/")
    expect(page.get_by_test_id("publicity")).to_contain_text("200000.05")
