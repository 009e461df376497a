"""Outreach in the browser: a training is planned then recorded with attendance; a commissioner logs a
service diary entry on a phone-sized screen and is assessed by bureau staff."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from kejiju.core.testing.factories import role_user

pytestmark = pytest.mark.e2e


def test_training_planned_then_recorded(page: Any, login: Any, tree: dict, screenshot: Any) -> None:
    staff = role_user("bureau_staff", "341181")
    login(staff.username)
    page.goto("/outreach/activities/new/")
    day = (date.today() - timedelta(days=2)).isoformat()
    page.get_by_label("活动类型").select_option("training")
    page.get_by_label("活动名称").fill("水稻病虫害绿色防控培训班")
    page.get_by_label("主题").fill("稻瘟病防治")
    page.get_by_label("举办乡镇").select_option("341181100")
    page.get_by_label("计划开始日期").fill(day)
    page.get_by_label("计划人次").fill("80")
    screenshot("outreach-activity-plan")
    with page.expect_navigation():
        page.get_by_test_id("form-save").click()
    expect(page.get_by_test_id("activity-status")).to_have_text("计划")

    with page.expect_navigation():
        page.get_by_test_id("action-hold").click()
    page.get_by_label("参加人次").fill("-5")
    with page.expect_navigation():
        page.get_by_test_id("form-save").click()
    expect(page.get_by_test_id("error-attendance")).to_contain_text("参加人次不能为负数")
    page.get_by_label("参加人次").fill("86")
    page.get_by_label("发放资料（份）").fill("300")
    page.get_by_label("经费（元）").fill("1200.50")
    with page.expect_navigation():
        page.get_by_test_id("form-save").click()
    expect(page.get_by_test_id("activity-status")).to_have_text("已举办")
    expect(page.get_by_test_id("activity-actual")).to_contain_text("86")
    screenshot("outreach-activity-held")

    page.goto("/outreach/activities/stats/?year=%s" % day[:4])
    expect(page.get_by_test_id("by-town")).to_contain_text("天长街道")
    screenshot("outreach-activity-stats")


def test_commissioner_logs_service_on_phone_and_is_assessed(page: Any, login: Any, tree: dict, screenshot: Any) -> None:
    from kejiju.outreach.tests.factories import PNG, make_assignment, make_commissioner, make_template

    staff = role_user("bureau_staff", "341181")
    me = role_user("commissioner", "341181", full_name="郑红梅")
    c = make_commissioner(staff, user=me.pk, person={"name": "郑红梅", "id_number": "341181198003010028"})
    make_assignment(staff, c)
    make_template(staff)

    page.set_viewport_size({"width": 390, "height": 844})
    login(me.username)
    page.goto("/outreach/my/")
    screenshot("outreach-my-home-phone")
    with page.expect_navigation():
        page.get_by_test_id("log-service").click()
    page.get_by_label("服务日期").fill(date.today().isoformat())
    page.get_by_label("服务地点（乡镇/村）").select_option("341181100001")
    page.get_by_label("服务对象").fill("种粮大户张某")
    page.get_by_label("服务内容").fill("田间查看稻瘟病，指导用药")
    page.get_by_label("服务时长（小时）").fill("2.5")
    page.get_by_label("现场照片（可多张）").set_input_files(
        [{"name": "tian.png", "mimeType": "image/png", "buffer": PNG}]
    )
    screenshot("outreach-diary-phone")
    with page.expect_navigation():
        page.get_by_test_id("form-save").click()
    expect(page.get_by_test_id("my-diaries")).to_contain_text("种粮大户张某")

    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 800})
    login(staff.username)
    page.goto(f"/outreach/commissioners/{c.pk}/")
    expect(page.get_by_test_id("diaries")).to_contain_text("种粮大户张某")
    with page.expect_navigation():
        page.get_by_test_id("assess").click()
    page.get_by_label("服务时长").fill("95")
    page.get_by_label("目标完成").fill("90")
    page.get_by_label("满意度").fill("120")
    with page.expect_navigation():
        page.get_by_test_id("form-save").click()
    expect(page.get_by_test_id("form-errors")).to_contain_text("不能大于 100")
    page.get_by_label("满意度").fill("80")
    with page.expect_navigation():
        page.get_by_test_id("form-save").click()
    expect(page.get_by_test_id("assessments")).to_contain_text("优秀")
    screenshot("outreach-commissioner-assessed")
