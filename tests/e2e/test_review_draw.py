"""Expert review in the browser: staff create a batch and draw a panel with the supervisor's nonce and
witnesses; the sealed draw record shows and its downloaded input re-runs to the same seed digest; an expert logs in, declares no conflict, reads the record and
scores; the aggregate shows on the batch page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def review_source() -> Any:
    from kejiju.review import sources
    from kejiju.review.tests.factories import install_source

    fake = install_source()
    yield fake
    sources._sources.pop(fake.key, None)


def _as(page: Any, login: Any, user: Any) -> None:
    page.context.clear_cookies()
    login(user.username)


def test_draw_declare_score(page: Any, login: Any, tree: dict, screenshot: Any, review_source: Any) -> None:
    from kejiju.core.testing.factories import role_user
    from kejiju.engines import assignment as engine
    from kejiju.review import services
    from kejiju.review.models import Assignment
    from kejiju.review.tests.factories import make_expert

    page.set_default_timeout(60_000)  # the shared test machine can be slow; the steps themselves are quick
    staff = role_user("bureau_staff", "341181", username="rv_staff", full_name="刘静")
    review_source.add(1, title="稻虾共养智能投喂系统研发")
    review_source.add(2, title="高压电缆在线监测装置")
    for n in range(8):
        expert = make_expert(staff, name="专家%s" % "甲乙丙丁戊己庚辛"[n])
        services.expert_link_account(
            actor=staff, expert=expert, user=role_user("expert", "341181", username="rv_expert%d" % n)
        )

    _as(page, login, staff)
    page.goto("/review/batches/new/?source_key=testing.item&kind=stage")
    page.get_by_label("批次名称 *").fill("2027 年度科技计划立项评审")
    page.get_by_label("每人最多件数").fill("3")
    page.get_by_label("评分指标（每行“指标:分值”，分值合计 100）").fill("创新性:40\n可行性:30\n效益:30")
    with page.expect_navigation():
        page.get_by_test_id("batch-save").click()
    expect(page.get_by_test_id("batch-status")).to_have_text("准备中")
    page.get_by_test_id("draw-nonce").fill("620417")
    page.get_by_test_id("draw-supervisor").fill("驻局纪检监察组 孙立")
    page.get_by_test_id("draw-witnesses").fill("周敏、陈刚")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_test_id("draw-run").click()
    expect(page.get_by_test_id("draw-nonce-shown")).to_have_text("620417")
    expect(page.locator("main")).to_contain_text("稻虾共养智能投喂系统研发")
    screenshot("review-draw-record")
    # the archived input re-runs to the recorded seed digest (what ``kejiju assign`` does with the file)
    with page.expect_download() as download:
        page.get_by_test_id("draw-input").click()
    archived = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    rerun = engine.solve(engine.instance_from_dict(archived))
    expect(page.get_by_test_id("draw-seed")).to_have_text(rerun.seed_digest)

    a = Assignment.objects.filter(item__ref="testing.item:1", panel=True).select_related("expert__user").first()
    _as(page, login, a.expert.user)
    page.goto("/review/my/")
    with page.expect_navigation():
        page.get_by_role("link", name="稻虾共养智能投喂系统研发").click()
    expect(page.locator("main")).not_to_contain_text("机密研究内容")
    page.get_by_test_id("declare").check()
    with page.expect_navigation():
        page.get_by_test_id("accept").click()
    expect(page.get_by_test_id("document")).to_contain_text("机密研究内容")
    page.get_by_test_id("score-1").fill("36")
    page.get_by_test_id("score-2").fill("27.5")
    page.get_by_test_id("score-3").fill("25")
    page.get_by_test_id("comment").fill("技术路线清晰，创新性较好。")
    page.get_by_test_id("recommendation").select_option("support")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("review-expert-scoring-mobile")
    with page.expect_navigation():
        page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("task-status")).to_have_text("已提交评分")
    expect(page.get_by_test_id("sheet-total")).to_have_text("88.50")

    page.set_viewport_size({"width": 1280, "height": 800})
    _as(page, login, staff)
    page.goto("/review/batches/%s/" % a.batch_id)
    expect(page.get_by_test_id("item-trimmed").first).to_contain_text("88.50")
    screenshot("review-batch-aggregate")
