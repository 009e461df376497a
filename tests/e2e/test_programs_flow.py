"""The main path of programmes and projects in the browser: an applicant applies; the county recommends;
the city checks, returns, accepts the corrected version, reviews, approves, publishes, sends the notice;
the contract is signed; funds are paid in two instalments; a late progress report triggers reminders; the
project is accepted and its performance reviewed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from kejiju.programs.tests import factories as f

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _no_libreoffice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("kejiju.reports.services.find_soffice", lambda: None)


def _as(page: Any, login: Any, user: Any) -> None:
    page.context.clear_cookies()
    login(user.username)


def _act(page: Any, name: str, reason: str = "") -> None:
    if reason:
        page.get_by_test_id("reason-%s" % name).fill(reason)
    with page.expect_navigation():
        page.get_by_test_id("act-%s" % name).click()


def test_main_path(page: Any, login: Any, tree: dict, screenshot: Any, tmp_path: Any) -> None:
    # a long path of page loads: generous timeouts so a busy machine does not fail it
    page.set_default_timeout(60_000)
    page.set_default_navigation_timeout(60_000)
    w = f.world()
    today = timezone.localdate()
    scan = tmp_path / "任务书.pdf"
    scan.write_bytes(f.PDF)

    # 1. the applicant fills the form online, saves, uploads, submits
    _as(page, login, w.applicant)
    page.goto("/programs/my/")
    with page.expect_navigation():
        page.get_by_test_id("apply-%s" % w.call.pk).click()
    page.get_by_label("项目名称 *").fill("稻虾共养智能投喂系统研发")
    page.get_by_label("申请资助（元）*").fill("200000.00")
    page.get_by_label("项目简介 *").fill("研发智能投喂系统。")
    page.get_by_label("自筹资金（元）").fill("400000")
    page.get_by_test_id("member-name-1").fill("张三")
    page.get_by_test_id("member-id-1").fill(f.id_number(1))
    page.get_by_test_id("budget-category-1").select_option("equipment")
    page.get_by_test_id("budget-amount-1").fill("120000.00")
    page.get_by_test_id("budget-category-2").select_option("labor")
    page.get_by_test_id("budget-amount-2").fill("80000.001")
    with page.expect_navigation():
        page.get_by_test_id("save").click()
    expect(page.get_by_test_id("error-budget")).to_contain_text("最多保留两位小数")
    page.get_by_test_id("budget-amount-2").fill("80000.00")
    with page.expect_navigation():
        page.get_by_test_id("save").click()
    page.get_by_test_id("upload-key").select_option("plan")
    page.get_by_test_id("upload-file").set_input_files(str(scan))
    with page.expect_navigation():
        page.get_by_test_id("upload").click()
    with page.expect_navigation():
        page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("app-status")).to_have_text("待属地推荐")
    screenshot("programs-applicant-submitted")
    app_id = int(page.url.rstrip("/").split("/")[-1])

    # 2. the county recommends
    _as(page, login, w.county)
    page.goto("/programs/applications/?stage=recommend")
    expect(page.locator("main")).to_contain_text("稻虾共养智能投喂系统研发")
    page.goto("/programs/applications/%s/" % app_id)
    _act(page, "recommend")
    expect(page.get_by_test_id("app-status")).to_have_text("待形式审查")

    # 3. the city checks and returns it
    _as(page, login, w.city)
    page.goto("/programs/applications/%s/" % app_id)
    _act(page, "start_check")
    _act(page, "return", "请补充自筹资金证明。")
    expect(page.get_by_test_id("app-status")).to_have_text("退回修改")

    # 4. the applicant corrects and resubmits; the county recommends again
    _as(page, login, w.applicant)
    page.goto("/programs/my/applications/%s/" % app_id)
    expect(page.get_by_test_id("return-reason")).to_contain_text("请补充自筹资金证明。")
    page.get_by_label("自筹资金（元）").fill("450000")
    with page.expect_navigation():
        page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("app-status")).to_have_text("待属地推荐")
    _as(page, login, w.county)
    page.goto("/programs/applications/%s/" % app_id)
    _act(page, "recommend")

    # 5. the city accepts the corrected version (diffable), enters the panel's result, approves
    _as(page, login, w.city)
    page.goto("/programs/applications/%s/versions/" % app_id)
    expect(page.get_by_test_id("diff-2")).to_contain_text("450000.00")
    page.goto("/programs/applications/%s/" % app_id)
    _act(page, "pass_check")
    page.get_by_test_id("review-score-input").fill("88")
    page.get_by_test_id("review-opinion-input").fill("创新性较好，建议立项。")
    with page.expect_navigation():
        page.get_by_test_id("review-save").click()
    expect(page.get_by_test_id("app-status")).to_have_text("评审完成")
    page.goto("/programs/calls/%s/" % w.call.pk)
    with page.expect_navigation():
        page.get_by_test_id("decision-create").click()
    page.get_by_label("会议 *").fill("市科技局党组会议")
    page.get_by_label("决定日期 *").fill(today.isoformat())
    page.get_by_test_id("pick-%s" % app_id).check()
    page.get_by_test_id("amount-%s" % app_id).fill("150000.00")
    with page.expect_navigation():
        page.get_by_test_id("decision-save").click()
    page.get_by_label("公示开始").fill((today - timedelta(days=8)).isoformat())
    page.get_by_label("公示截止").fill((today - timedelta(days=1)).isoformat())
    with page.expect_navigation():
        page.get_by_test_id("decision-publish").click()
    expect(page.get_by_test_id("decision-status")).to_have_text("公示中")
    decision_url = page.url
    page.goto("/programs/public/publicity/")
    expect(page.get_by_test_id("publicity-list")).to_contain_text("拟立项项目公示")
    page.goto(decision_url)
    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        page.get_by_test_id("decision-confirm").click()
    with page.expect_navigation():
        page.get_by_test_id("decision-notice").click()
    expect(page.get_by_test_id("decision-status")).to_have_text("已下达立项通知")
    expect(page.get_by_test_id("documents")).to_contain_text("项目的通知")
    screenshot("programs-decision")

    # 6. the contract is signed (started long enough ago for a report to be late)
    from kejiju.programs.models import Project

    project = Project.objects.get()
    page.goto("/programs/projects/%s/" % project.pk)
    page.get_by_test_id("c-starts").fill((today - timedelta(days=200)).isoformat())
    page.get_by_test_id("c-ends").fill((today + timedelta(days=530)).isoformat())
    page.get_by_test_id("c-targets").fill("申请发明专利|件|2\n新增销售收入|万元|500")
    page.get_by_test_id("c-budget-1").fill("90000.00")
    page.get_by_test_id("c-budget-2").fill("60000.00")
    with page.expect_navigation():
        page.get_by_test_id("c-save").click()
    page.get_by_test_id("c-scan").set_input_files(str(scan))
    with page.expect_navigation():
        page.get_by_test_id("c-sign").click()
    expect(page.get_by_test_id("project-status")).to_have_text("执行中")

    # 7. two instalments
    page.get_by_test_id("plan-rows").fill(
        "%s|90000.00|首期\n%s|60000.00|二期" % (today.isoformat(), (today + timedelta(days=300)).isoformat())
    )
    with page.expect_navigation():
        page.get_by_test_id("plan-save").click()
    for amount in ("90000.00", "60000.00"):
        page.get_by_test_id("pay-amount").fill(amount)
        with page.expect_navigation():
            page.get_by_test_id("pay-save").click()
    expect(page.get_by_test_id("paid")).to_have_text("150,000.00")
    page.get_by_test_id("pay-amount").fill("0.01")
    with page.expect_navigation():
        page.get_by_test_id("pay-save").click()
    expect(page.locator(".alert-danger")).to_contain_text("将超过立项资助")

    # 8. the late report triggers a reminder; the applicant reports and applies for acceptance
    call_command("programs", "remind")
    _as(page, login, w.applicant)
    page.goto("/notifications/")
    expect(page.locator("main")).to_contain_text("进展报告已逾期")
    page.goto("/programs/my/projects/%s/" % project.pk)
    page.get_by_test_id("report-content-1").fill("完成样机设计和试制。")
    with page.expect_navigation():
        page.get_by_test_id("report-submit-1").click()
    page.get_by_test_id("achieved-0").fill("3")
    page.get_by_test_id("achieved-1").fill("620")
    page.get_by_test_id("acceptance-summary").fill("全面完成任务书规定的任务。")
    with page.expect_navigation():
        page.get_by_test_id("acceptance-apply").click()
    expect(page.get_by_test_id("project-status")).to_have_text("已申请验收")

    # 9. the city accepts the project and reviews its performance
    _as(page, login, w.city)
    page.goto("/programs/projects/%s/" % project.pk)
    page.get_by_test_id("panel-score").fill("91")
    page.get_by_test_id("panel-opinion").fill("全面完成任务书指标，同意通过验收。")
    with page.expect_navigation():
        page.get_by_test_id("panel-save").click()
    page.get_by_test_id("decide-decision").select_option("pass")
    with page.expect_navigation():
        page.get_by_test_id("decide-save").click()
    expect(page.get_by_test_id("project-status")).to_have_text("通过验收")
    for key, value in (("targets", "38"), ("funds", "18"), ("outputs", "17"), ("benefits", "16")):
        page.get_by_test_id("perf-%s" % key).fill(value)
    with page.expect_navigation():
        page.get_by_test_id("perf-save").click()
    expect(page.get_by_test_id("performance")).to_contain_text("总分 89")
    expect(page.get_by_test_id("timeline")).to_contain_text("验收通过")
    expect(page.get_by_test_id("documents")).to_contain_text("验收证书")
    screenshot("programs-project")
