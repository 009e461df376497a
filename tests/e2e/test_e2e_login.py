"""Logging in through the Chinese login page, and the lockout after repeated failures."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from kejiju.core.testing.factories import TEST_PASSWORD, role_user

pytestmark = pytest.mark.e2e


def test_login_lands_on_home_with_region_and_counts(
    page: Any, login: Any, tree: dict, screenshot: Any, expect_home_count: Any
) -> None:
    user = role_user("bureau_staff", "341181", username="zhangsan", full_name="张三")

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))  # the home page asks for a login first
    expect(page.get_by_role("heading", name="科技局业务管理平台")).to_be_visible()
    expect(page.get_by_label("用户名", exact=True)).to_be_focused()
    screenshot("login")

    login(user.username)

    expect(page).to_have_title("首页 · 科技局业务管理平台")
    expect(page.get_by_role("heading", level=1)).to_have_text("天长市 · 工作台")
    expect(page.get_by_test_id("user-menu")).to_contain_text("张三")
    # 天长市 has one town and one village; the account itself is its one active account.
    expect_home_count("乡镇（街道）", 1)
    expect_home_count("村（社区）", 1)
    expect_home_count("账号", 1)
    expect_home_count("县级区划", None)  # a county has no county-level regions below it
    screenshot("home")

    # The session is real: logging out returns to the login page and the home page asks again.
    page.get_by_test_id("user-menu").click()
    with page.expect_navigation():
        page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    page.goto("/")
    expect(page.get_by_role("button", name="登录")).to_be_visible()


def test_five_wrong_passwords_lock_the_account(page: Any, login: Any, tree: dict, screenshot: Any) -> None:
    user = role_user("bureau_staff", "341181", username="lisi")
    error = page.get_by_test_id("login-error")

    for attempt in range(1, 5):
        login(user.username, "Wrong-password-1")
        expect(error).to_contain_text("用户名或密码不正确")
        expect(error).to_contain_text(f"再失败 {5 - attempt} 次")
    login(user.username, "Wrong-password-1")
    expect(error).to_contain_text("已被锁定")
    screenshot("login-locked")

    # Now even the right password is refused, and no session is opened.
    login(user.username, TEST_PASSWORD)
    expect(error).to_contain_text("已被锁定")
    page.goto("/")
    expect(page.get_by_role("button", name="登录")).to_be_visible()

    user.refresh_from_db()
    assert user.locked_until is not None
