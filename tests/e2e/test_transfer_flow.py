"""Technology transfer in a real browser: an enterprise posts a demand, sees ranked suggestions with
their reasons and corrects its demand; staff add the best one to the matches and confirm it, record the match event where the
pair reaches agreement (and correct the event afterwards), register the technology contract (three decimals refused first)
and correct it (a signing date in the future refused first)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from kejiju.core.testing.factories import role_user
from kejiju.engines.idcodes import make_credit_code, make_org_code
from kejiju.orgs.services import organization_create, organization_member_add
from kejiju.transfer import services
from kejiju.transfer.models import TechContract

pytestmark = pytest.mark.e2e


def _org(staff: Any, name: str, n: int, org_type: str = "enterprise") -> Any:
    return organization_create(
        actor=staff,
        data={
            "name": name,
            "credit_code": make_credit_code(f"91341181{make_org_code(f'MB{n:06d}')}"),
            "region": "341181",
            "org_type": org_type,
        },
    )


def test_demand_suggestions_match_event_contract(page: Any, login: Any, tree: dict, screenshot: Any) -> None:
    staff = role_user("bureau_staff", "341181", username="zhuanhua", full_name="转化专员")
    binder = role_user("bureau_staff", "341181", username="binder")
    uni = _org(staff, "安徽科技学院技术转移中心", 1, "university")
    enterprise = _org(staff, "天长市禾丰米业有限公司", 2)
    account = role_user("org_user", "341181", username="hefeng", full_name="禾丰米业")
    organization_member_add(actor=binder, organization=enterprise, user=account)
    base = {
        "maturity": "industrial",
        "transfer_form": "license",
        "contact_name": "王工",
        "contact_phone": "13905501234",
    }
    services.achievement_save(
        actor=staff,
        owner=uni,
        data={
            **base,
            "title": "水稻机插秧育秧基质及配套技术",
            "summary": "秸秆菌渣育秧基质，透气保水不板结，出苗整齐。",
            "keywords": "水稻,育秧,基质",
            "field": "agriculture",
        },
    )
    services.achievement_save(
        actor=staff,
        owner=uni,
        data={
            **base,
            "title": "分布式光伏电站智能运维平台",
            "summary": "组串级监测与故障诊断。",
            "keywords": "光伏,运维",
            "field": "energy",
        },
    )

    login(account.username)
    page.goto("/transfer/mine/")
    page.get_by_test_id("demand-create").click()
    page.get_by_label("需求名称").fill("育秧基质板结导致出苗率低")
    page.get_by_label("需求（难题）描述").fill("合作社现用育秧基质容易板结，出苗率低，需要新型水稻育秧基质配方。")
    page.get_by_label("技术领域").select_option("agriculture")
    page.get_by_label("预算").fill("50000")
    with page.expect_navigation():
        page.get_by_test_id("form-save").click()
    suggestions = page.get_by_test_id("achievement-suggestions")
    expect(suggestions.locator("li").first).to_contain_text("水稻机插秧育秧基质及配套技术")
    expect(suggestions.locator("li").first).to_contain_text("共同关键词")
    expect(suggestions).not_to_contain_text("光伏")
    screenshot("transfer-demand-suggestions")
    demand_url = page.url
    # the enterprise corrects its own demand: three decimals are refused on the field, nothing changes
    with page.expect_navigation():
        page.get_by_test_id("demand-edit").click()
    page.get_by_label("预算").fill("60000.555")
    page.get_by_test_id("form-save").click()
    expect(page.get_by_test_id("error-budget")).to_contain_text("两位小数")
    page.get_by_label("预算").fill("60000")
    with page.expect_navigation():
        page.get_by_test_id("form-save").click()
    expect(page.locator("body")).to_contain_text("已保存技术需求的修改")
    expect(page.locator("body")).to_contain_text("60000.00")
    page.context.clear_cookies()

    login(staff.username)
    page.goto(demand_url)
    with page.expect_navigation():
        page.get_by_test_id("achievement-suggestions").get_by_role("button", name="加入对接").first.click()
    with page.expect_navigation():
        page.get_by_role("button", name="确认对接").click()
    expect(page.get_by_test_id("match-list")).to_contain_text("已确认对接")

    page.goto("/transfer/events/new/")
    page.get_by_label("活动名称").fill("2026 年校企科技成果对接会")
    page.get_by_label("地点").fill("天长市科技局三楼会议室")
    page.get_by_label("参会人数").fill("80")
    page.get_by_test_id("event-pairs").locator("select").first.select_option("agreement")
    with page.expect_navigation():
        page.get_by_test_id("form-save").click()
    expect(page.get_by_test_id("event-pairs")).to_contain_text("签订协议")
    screenshot("transfer-event")
    event_url = page.url
    with page.expect_navigation():
        page.get_by_test_id("event-edit").click()
    expect(page.get_by_test_id("event-existing-pairs")).to_contain_text("签订协议")
    page.get_by_label("参会人数").fill("-5")
    page.get_by_test_id("form-save").click()
    expect(page.get_by_test_id("error-participant_count")).to_contain_text("不能为负数")
    page.get_by_label("参会人数").fill("86")
    with page.expect_navigation():
        page.get_by_test_id("form-save").click()
    expect(page.locator("body")).to_contain_text("已保存对接活动的修改")
    assert page.url == event_url
    expect(page.locator("dl")).to_contain_text("86")
    with page.expect_navigation():
        page.get_by_test_id("event-pairs").get_by_role("link", name="登记技术合同").click()
    page.get_by_label("合同类型").select_option("license")
    page.get_by_label("登记编号").fill(f"{date.today().year}3411810001")
    page.get_by_label("合同成交额").fill("280000.125")
    page.get_by_test_id("form-save").click()
    expect(page.get_by_test_id("error-amount")).to_contain_text("两位小数")
    assert TechContract.objects.count() == 0
    page.get_by_label("合同成交额").fill("280000.50")
    with page.expect_navigation():
        page.get_by_test_id("form-save").click()
    expect(page.locator("body")).to_contain_text(f"{date.today().year}3411810001")
    # registered at the county itself: the 本级 row and the 合计 row show it in 万元
    expect(page.get_by_test_id("contract-totals")).to_contain_text("本级")
    expect(page.get_by_test_id("contract-totals").locator("tr").last).to_contain_text("28.00")
    screenshot("transfer-contracts")
    assert TechContract.objects.get().amount == Decimal("280000.50")
    # the contract is corrected on its page: a signing date in the future is refused on the field
    contract = TechContract.objects.get()
    page.goto(f"/transfer/contracts/{contract.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("contract-edit").click()
    page.get_by_label("签订日期").fill((date.today() + timedelta(days=1)).isoformat())
    page.get_by_label("合同成交额").fill("285000")
    page.get_by_test_id("form-save").click()
    expect(page.get_by_test_id("error-signed_on")).to_contain_text("不能晚于今天")
    contract.refresh_from_db()
    assert contract.amount == Decimal("280000.50") and contract.signed_on is None
    page.get_by_label("签订日期").fill(date.today().isoformat())
    with page.expect_navigation():
        page.get_by_test_id("form-save").click()
    expect(page.get_by_test_id("contract-amount")).to_have_text("285,000.00")
    screenshot("transfer-contract-edit")
    contract.refresh_from_db()
    assert contract.amount == Decimal("285000.00") and contract.signed_on == date.today()
