"""Intellectual property in a real browser: staff import a patent list (bad rows explained, nothing
stored), import the fixed list, see the counts by town and type with 每万人, and record an IP custody
agreement with a service; a 知识产权日 event is picked from the outreach module's activities."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import xlsxwriter
from playwright.sync_api import expect

from kejiju.core.testing.factories import region, role_user
from kejiju.cultivation.models import SubsidyAward
from kejiju.engines.idcodes import make_credit_code, make_org_code
from kejiju.orgs import services
from kejiju.orgs.importers import IP_IMPORTER
from kejiju.orgs.ipnumbers import make_patent_number
from kejiju.orgs.models import IntellectualProperty, IpCase, IpCustodyService

pytestmark = pytest.mark.e2e

YEAR = date.today().year - 1


def _workbook(orgs: list[Any], bad: bool) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, IP_IMPORTER.headers())
    kinds = [("发明专利", "1"), ("实用新型专利", "2"), ("实用新型专利", "2"), ("外观设计专利", "3")]
    for i in range(12):
        label, digit = kinds[i % 4]
        number = make_patent_number(YEAR, digit, 1000 + i)
        applied, granted, status = f"{YEAR}-03-{i + 1:02d}", "", "申请中"
        if i % 3 == 0:
            granted, status = f"{YEAR}-11-{i + 1:02d}", "已授权（有效）"
        if bad and i == 2:
            number = number[:-1] + ("0" if number[-1] != "0" else "1")  # wrong check digit → row 4
        if bad and i == 5:
            granted, status = f"{YEAR}-01-01", "已授权（有效）"  # grant before application → row 7
        org = orgs[i % 2]
        sheet.write_row(
            i + 1, 0, [label, f"一种农机装置{i}", number, applied, granted, status, org.credit_code, "", "", org.name]
        )
    if bad:
        sheet.write_row(
            13,
            0,
            ["发明专利", "重复", make_patent_number(YEAR, "1", 1000), f"{YEAR}-03-01", "", "", orgs[0].credit_code],
        )
    book.close()
    return buffer.getvalue()


def _upload(page: Any, data: bytes) -> None:
    page.goto("/imports/ip/")
    page.set_input_files(
        "input[type=file]",
        files=[
            {
                "name": "专利清单.xlsx",
                "buffer": data,
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        ],
    )
    with page.expect_navigation(timeout=60_000):
        page.get_by_test_id("import-submit").click()


def test_import_patents_see_counts_and_record_custody(page: Any, login: Any, tree: dict, screenshot: Any) -> None:
    region("341181101", "秦栏镇")
    staff = role_user("bureau_staff", "341181", username="zhuanli", full_name="专利专员")
    orgs = [
        services.organization_create(
            actor=staff,
            data={
                "name": name,
                "credit_code": make_credit_code(f"91{town[:6]}{make_org_code(f'MA{n:06d}')}"),
                "region": town,
                "org_type": "enterprise",
            },
        )
        for n, (name, town) in enumerate(
            [("天长市禾丰农机有限公司", "341181100"), ("天长市秦栏机械有限公司", "341181101")]
        )
    ]
    provider = services.organization_create(
        actor=staff,
        data={
            "name": "天长市知识产权服务中心",
            "credit_code": make_credit_code(f"52341181{make_org_code('MJ000001')}"),
            "region": "341181",
            "org_type": "social",
        },
    )
    login(staff.username)

    _upload(page, _workbook(orgs, bad=True))
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_contain_text("校验位错误")
    expect(errors).to_contain_text("早于申请日")
    expect(errors).to_contain_text("已登记")
    expect(page.get_by_test_id("import-confirm")).to_have_count(0)
    screenshot("ip-import-errors")
    assert IntellectualProperty.objects.count() == 0

    _upload(page, _workbook(orgs, bad=False))
    expect(page.get_by_test_id("count-errors")).to_have_text("0")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation(timeout=60_000):
        page.get_by_test_id("import-confirm").click()
    assert IntellectualProperty.objects.count() == 12

    page.goto("/orgs/ip/population/")
    page.get_by_label("区划").select_option("341181101")
    page.get_by_label("年度").fill(str(YEAR))
    page.get_by_label("常住人口（人）").fill("40000")
    with page.expect_navigation():
        page.get_by_test_id("form-save").click()
    page.goto(f"/orgs/ip/stats/?year={YEAR}&region=341181")
    table = page.get_by_test_id("ip-stats-table")
    expect(table).to_contain_text("秦栏镇")
    expect(page.get_by_test_id("applied-total")).to_have_text("12")
    expect(page.get_by_test_id("granted-total")).to_have_text("4")
    expect(table.locator("tr", has_text="秦栏镇")).to_contain_text("1.50")  # 6 applications / 4 万人
    screenshot("ip-stats")

    page.goto("/orgs/ip/custody/new/")
    page.get_by_label("托管服务机构统一社会信用代码").fill(provider.credit_code)
    page.get_by_label("托管企业统一社会信用代码").fill(orgs[0].credit_code)
    page.get_by_label("托管开始日").fill(f"{YEAR}-01-01")
    page.get_by_label("托管结束日").fill(f"{YEAR + 1}-12-31")
    page.get_by_label("托管服务范围").fill("专利挖掘、申请代理、检索分析")
    with page.expect_navigation():
        page.get_by_test_id("form-save").click()
    expect(page.get_by_test_id("portfolio")).to_contain_text("发明专利")
    page.get_by_label("服务类型").select_option("search")
    page.get_by_label("服务日期").fill(f"{YEAR}-06-01")
    page.get_by_label("服务内容").fill("开展播种机技术查新检索")
    with page.expect_navigation():
        page.get_by_test_id("service-save").click()
    expect(page.get_by_test_id("custody-services")).to_contain_text("开展播种机技术查新检索")
    assert IpCustodyService.objects.count() == 1
    screenshot("ip-custody")

    # 专利资助: a granted invention patent goes into the one subsidy ledger (企业培育) under the shipped
    # per-unit policy, then is approved, publicised and paid there.
    invention = IntellectualProperty.objects.filter(ip_type="invention", status="granted").order_by("applied_on")[0]
    page.goto(f"/orgs/ip/{invention.pk}/")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_test_id("ip-subsidy").click()
    expect(page.locator("body")).to_contain_text("已列入专利资助台账")
    award = SubsidyAward.objects.get()
    page.goto(f"/cultivation/awards/{award.pk}/")
    expect(page.get_by_test_id("award-amount")).to_have_text("5000.00")
    for action in ("approve", "publicize"):
        with page.expect_navigation():
            page.get_by_test_id(f"action-{action}").get_by_role("button").click()
    page.get_by_label("拨付凭证号").fill(f"记-{YEAR}-017")
    with page.expect_navigation():
        page.get_by_test_id("action-pay").get_by_role("button").click()
    expect(page.get_by_test_id("award-status")).to_have_text("已拨付")
    screenshot("ip-subsidy-paid")
    assert SubsidyAward.objects.get().amount == Decimal("5000.00")


def test_ip_day_recorded_from_an_outreach_activity(page: Any, login: Any, tree: dict, screenshot: Any) -> None:
    """知识产权日 held through the outreach module: staff pick it from the list (another county's activity is
    not offered), leave name, date and participants blank, and the record links to the activity's page."""
    from kejiju.outreach import services as outreach_services

    staff = role_user("bureau_staff", "341181", username="zhuanli2", full_name="专利专员")
    other = role_user("bureau_staff", "341182", username="mingguang", full_name="明光专员")
    region("341182100", "明光街道")
    held_on = date.today() - timedelta(days=12)

    def held(actor: Any, title: str, town: str, venue: str, attendance: int) -> Any:
        activity = outreach_services.activity_plan(
            actor=actor,
            data={
                "kind": "sci_fair",
                "title": title,
                "venue": venue,
                "region": town,
                "planned_start": held_on,
                "planned_end": held_on,
            },
        )
        return outreach_services.activity_hold(
            actor=actor,
            activity=activity,
            data={"start_on": held_on, "end_on": held_on, "attendance": str(attendance)},
        )

    activity = held(staff, "世界知识产权日宣传咨询", "341181100", "天长市文化广场", 420)
    held(other, "明光市知识产权宣传周", "341182100", "明光市政府广场", 90)
    login(staff.username)

    page.goto("/orgs/ip/cases/new/")
    page.get_by_label("类别").select_option("promotion")
    picker = page.get_by_label("科普活动")
    expect(picker).to_contain_text(f"{held_on.isoformat()} 世界知识产权日宣传咨询（天长市文化广场/天长街道）")
    expect(picker).not_to_contain_text("明光市知识产权宣传周")
    picker.select_option(label=f"{held_on.isoformat()} 世界知识产权日宣传咨询（天长市文化广场/天长街道）")
    page.get_by_label("结果").fill("发放宣传资料 1200 份、现场咨询 86 人次")
    screenshot("ip-day-pick-activity")
    with page.expect_navigation():
        page.get_by_test_id("form-save").click()
    case = IpCase.objects.get()
    assert (case.title, case.occurred_on, case.participants) == ("世界知识产权日宣传咨询", held_on, 420)
    cell = page.get_by_test_id("case-activity")
    expect(cell).to_contain_text("世界知识产权日宣传咨询")
    screenshot("ip-day-record")
    with page.expect_navigation():
        cell.get_by_role("link", name="世界知识产权日宣传咨询").click()
    assert page.url.endswith(f"/outreach/activities/{activity.pk}/")

    page.goto("/orgs/ip/cases/")
    expect(page.locator("table")).to_contain_text("世界知识产权日宣传咨询")
    expect(page.locator("table").get_by_role("link", name="世界知识产权日宣传咨询")).to_have_count(2)
