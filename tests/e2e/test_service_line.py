"""The service line in the browser: an operator takes a call and dispatches it, the expert accepts and
records the visit on a phone-sized screen, the callback records the loss avoided (checked by the bureau), the
closed request becomes a knowledge-base article, and the month's statistics show it."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kejiju.core.testing.factories import TEST_PASSWORD, role_user

pytestmark = pytest.mark.e2e


def _setup(tree: dict[str, Any]) -> tuple[Any, Any]:
    from django.db import connection

    from kejiju.service import services, textsearch
    from kejiju.service.tests.factories import person

    class _Editor:  # the full-text table, for a test database built without migrations
        def __init__(self) -> None:
            self.connection = connection

        def execute(self, sql: str) -> None:
            with connection.cursor() as cur:
                cur.execute(sql)

    textsearch.create_schema(_Editor())
    services.ensure_defaults()
    operator = role_user("bureau_staff", "341181", full_name="刘静")
    expert_user = role_user("expert", "341181", full_name="吴志远")
    expert = person("吴志远", user=expert_user)
    services.duty_save(
        actor=operator,
        data={"person": expert.pk, "on_date": timezone.localdate(), "region": "341181100", "subjects": ["crop"]},
    )
    return operator, expert_user


def test_call_dispatch_visit_callback_article_stats(
    page: Any, login: Any, tree: dict, screenshot: Any, browser: Any, live_server: Any
) -> None:
    operator, expert_user = _setup(tree)
    page.on("dialog", lambda d: d.accept())
    login(operator.username)

    # 1. the operator takes the call
    page.goto("/service/new/")
    page.get_by_label("来电号码").fill("13905501234")
    page.get_by_label("求助人").fill("张大爷")
    page.get_by_label("所在村（乡镇）").select_option("341181100001")
    page.get_by_label("服务领域").select_option("crop")
    page.get_by_label("问题类别").select_option("disease")
    page.get_by_label("问题描述").fill("水稻叶片出现梭形褐色病斑，穗颈发黑，疑似稻瘟病，约 20 亩。")
    expect(page.get_by_test_id("caller-history")).to_contain_text("没有历史求助")
    screenshot("service-intake")
    with page.expect_navigation():
        page.get_by_test_id("request-submit").click()
    expect(page.get_by_test_id("request-status")).to_have_text("待处理")
    detail_url = page.url

    # 2. dispatch to the suggested on-duty expert
    expect(page.get_by_test_id("dispatch-form")).to_contain_text("吴志远")
    with page.expect_navigation():
        page.get_by_test_id("dispatch-submit").click()
    expect(page.get_by_test_id("request-status")).to_have_text("已派单")

    # 3. the expert accepts and records the visit on a phone
    phone = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    m = phone.new_page()
    m.goto("/login/")
    m.get_by_label("用户名", exact=True).fill(expert_user.username)
    m.get_by_label("密码", exact=True).fill(TEST_PASSWORD)
    with m.expect_navigation():
        m.get_by_role("button", name="登录").click()
    m.goto("/service/mine/")
    with m.expect_navigation():
        m.get_by_test_id("task-card").first.click()
    with m.expect_navigation():
        m.get_by_test_id("action-accept").click()
    expect(m.get_by_test_id("request-status")).to_have_text("已接单")
    with m.expect_navigation():
        m.get_by_test_id("visit-link").click()
    m.get_by_label("出诊人员").fill("吴志远、村农技员")
    m.get_by_label("诊断").fill("稻瘟病（穗颈瘟）初发")
    m.get_by_label("处理措施").fill("三环唑 75% 可湿性粉剂每亩 20 克喷雾，7 天后复喷")
    m.get_by_label("发放资料/物资").fill("技术明白纸 2 份")
    m.screenshot(path=str(live_server_screens(screenshot) / "service-visit-phone.png"), full_page=True)
    with m.expect_navigation():
        m.get_by_test_id("visit-submit").click()
    expect(m.get_by_test_id("request-status")).to_have_text("已出诊")
    phone.close()

    # 4. callback with the loss avoided, checked by the bureau, then closed
    page.goto(detail_url)
    with page.expect_navigation():
        page.get_by_test_id("callback-link").click()
    page.get_by_label("满意度").select_option("5")
    page.get_by_label("农户意见").fill("专家来得及时")
    page.get_by_label("测算方式").select_option("area")
    page.get_by_label("面积（亩）").fill("20")
    page.get_by_label("亩挽回产量（公斤）").fill("50")
    page.get_by_label("单价（元/公斤 或 元/头）").fill("2.6")
    with page.expect_navigation():
        page.get_by_test_id("callback-submit").click()
    expect(page.get_by_test_id("loss-formula")).to_contain_text("20 亩 × 50 公斤/亩 × 2.6 元/公斤 = 2600.00 元")
    with page.expect_navigation():
        page.get_by_test_id("loss-approve").click()
    expect(page.get_by_test_id("request-loss")).to_contain_text("2600.00")
    with page.expect_navigation():
        page.get_by_test_id("action-close").click()
    expect(page.get_by_test_id("request-status")).to_have_text("已办结")
    screenshot("service-closed")

    # 5. the closed request becomes an article (personal data removed)
    with page.expect_navigation():
        page.get_by_test_id("article-link").click()
    draft = page.get_by_label("正文 *").input_value()
    assert "稻瘟病" in draft and "张大爷" not in draft and "13905501234" not in draft
    page.get_by_label("公开范围").select_option("public")
    with page.expect_navigation():
        page.get_by_test_id("article-submit").click()
    expect(page.get_by_test_id("article-title")).to_contain_text("病害")
    page.goto("/service/public/kb/?q=稻瘟")
    expect(page.get_by_test_id("kb-hit").first).to_contain_text("稻瘟")

    # 6. the month's statistics show it
    page.goto("/service/stats/")
    month = timezone.localdate().strftime("%Y-%m")
    expect(page.get_by_test_id("stats-month")).to_contain_text(month)
    expect(page.get_by_test_id("stats-loss")).to_have_text("0.26 万元")
    expect(page.get_by_test_id("stats-board")).to_contain_text("吴志远")
    screenshot("service-stats")


def live_server_screens(screenshot: Any) -> Any:
    """The screenshot directory (the fixture's own folder)."""
    return screenshot("_probe").parent
