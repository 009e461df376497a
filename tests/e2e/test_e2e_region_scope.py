"""The region switcher of city-level accounts, and region scope on record pages (404 outside it)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from kejiju.core.testing.factories import role_user

pytestmark = pytest.mark.e2e


def test_city_user_switches_to_a_county(
    page: Any, login: Any, tree: dict, screenshot: Any, expect_home_count: Any
) -> None:
    user = role_user("bureau_staff", "3411")
    login(user.username)
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("滁州市 · 工作台")
    switcher = page.locator("select[data-testid=region-switcher]")
    expect(switcher).to_be_visible()
    expect(switcher.locator("option")).to_have_text(["滁州市", "\u3000天长市", "\u3000明光市"])
    # A city sees its counties on the home page.
    expect_home_count("县级区划", 2)
    screenshot("home-city")

    with page.expect_navigation():
        switcher.select_option("341181")  # kejiju.js submits the form on change

    expect(heading).to_have_text("天长市 · 工作台")
    expect(switcher).to_have_value("341181")
    expect_home_count("县级区划", None)
    expect_home_count("乡镇（街道）", 1)

    # The choice lasts for the session, and switching back to the own region clears it.
    page.goto("/")
    expect(heading).to_have_text("天长市 · 工作台")
    with page.expect_navigation():
        switcher.select_option("3411")
    expect(heading).to_have_text("滁州市 · 工作台")


def test_county_user_has_no_switcher(page: Any, login: Any, tree: dict) -> None:
    user = role_user("bureau_staff", "341181")
    login(user.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("天长市 · 工作台")
    expect(page.locator("select[data-testid=region-switcher]")).to_have_count(0)
    expect(page.locator("nav.navbar")).to_contain_text("天长市")


def test_account_page_outside_own_county_is_404(page: Any, login: Any, tree: dict, screenshot: Any) -> None:
    admin = role_user("bureau_admin", "341181")
    colleague = role_user("bureau_staff", "341181", full_name="王五")
    stranger = role_user("bureau_staff", "341182", full_name="赵六")
    login(admin.username)

    response = page.goto(f"/accounts/{stranger.pk}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()
    expect(page.get_by_text("赵六")).to_have_count(0)
    screenshot("not-found-account")

    # An id that does not exist at all answers exactly the same.
    response = page.goto("/accounts/999999/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()

    response = page.goto(f"/accounts/{colleague.pk}/")
    assert response is not None and response.status == 200
    expect(page.locator("main")).to_contain_text("王五")


def test_unknown_address_answers_the_chinese_404_page(page: Any, login: Any, tree: dict, screenshot: Any) -> None:
    user = role_user("bureau_staff", "341181")
    login(user.username)
    response = page.goto("/no-such-page/")
    assert response is not None and response.status == 404
    expect(page).to_have_title("页面不存在 · 科技局业务管理平台")
    expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()
    expect(page.get_by_text("不在您的管辖范围内")).to_be_visible()
    screenshot("not-found")
    with page.expect_navigation():
        page.get_by_role("link", name="返回首页").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("天长市 · 工作台")
