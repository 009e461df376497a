"""Expert-side declarations in the browser: an expert declares a co-author by name and work unit and an
unavailable period from their own account; a violation shows a Chinese error and stores nothing; staff
see both on the expert page."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_expert_declares_relations_and_unavailability(page: Any, login: Any, tree: dict, screenshot: Any) -> None:
    from kejiju.core.testing.factories import role_user
    from kejiju.review import services
    from kejiju.review.models import ExpertRelation
    from kejiju.review.tests.factories import make_expert

    page.set_default_timeout(60_000)
    staff = role_user("bureau_staff", "341181", username="rvd_staff", full_name="刘静")
    expert = make_expert(staff, name="周志远")
    user = role_user("expert", "341181", username="rvd_expert", full_name="周志远")
    services.expert_link_account(actor=staff, expert=expert, user=user)

    page.context.clear_cookies()
    login(user.username)
    page.goto("/review/my/")
    with page.expect_navigation():
        page.get_by_role("link", name="我的回避申报").first.click()
    page.get_by_label("关系", exact=True).select_option("coauthor")
    page.get_by_label("关系人姓名").fill("钱七")
    page.get_by_label("工作单位（或需回避的单位）").fill("某某大学")
    page.get_by_test_id("relation-add").click()
    expect(page.get_by_test_id("form-errors")).to_contain_text("合作发表须填写最近一次合作的年份")
    assert not ExpertRelation.objects.exists()
    page.get_by_label("最近合作（指导）年份").fill(str(timezone.localdate().year - 1))
    with page.expect_navigation():
        page.get_by_test_id("relation-add").click()
    expect(page.get_by_test_id("my-relations")).to_contain_text("钱七（某某大学）")
    expect(page.get_by_test_id("my-relations")).to_contain_text("合作发表论著")
    screenshot("review-my-declarations")

    page.goto("/review/my/unavailable/")
    page.get_by_label("起始日期").fill("2027-05-01")
    page.get_by_label("截止日期").fill("2027-05-07")
    page.get_by_label("说明").fill("出国访问")
    with page.expect_navigation():
        page.get_by_test_id("window-add").click()
    expect(page.get_by_test_id("my-windows")).to_contain_text("2027-05-07")

    page.context.clear_cookies()
    login(staff.username)
    page.goto("/review/experts/%s/" % expert.pk)
    expect(page.get_by_test_id("expert-relations")).to_contain_text("钱七（某某大学）")
    expect(page.get_by_test_id("expert-relations")).to_contain_text("专家本人")
    expect(page.get_by_test_id("expert-windows")).to_contain_text("2027-05-01 至 2027-05-07")
    screenshot("review-expert-declarations-staff")
