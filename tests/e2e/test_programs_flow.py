"""The main path of programmes and projects in the browser: an applicant applies; the county recommends;
the city checks, returns, accepts the corrected version, reviews, approves, publishes, sends the notice;
the contract is signed; funds are paid in two instalments; a late progress report triggers reminders; the
project is accepted and its performance reviewed."""

from __future__ import annotations

import re
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
    expect(page.get_by_test_id("error-subjects")).to_contain_text("请至少填写一个学科")
    page.get_by_test_id("subjects").fill("240,210")
    page.get_by_test_id("avoid-name-1").fill("吴志远")
    with page.expect_navigation():
        page.get_by_test_id("save").click()
    expect(page.get_by_test_id("error-avoid_experts")).to_contain_text("第 1 行（吴志远）：请填写回避理由")
    page.get_by_test_id("avoid-reason-1").fill("与申报单位存在竞争关系")
    with page.expect_navigation():
        page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("app-status")).to_have_text("待属地推荐")
    expect(page.get_by_test_id("application-subjects")).to_contain_text("240 水产学")
    expect(page.get_by_test_id("application-avoid")).to_contain_text("与申报单位存在竞争关系")
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
    expect(page.get_by_test_id("transitions")).to_contain_text("公示中 → 已确定立项")
    expect(page.get_by_test_id("transitions")).not_to_contain_text("publicized")
    expect(page.get_by_test_id("documents")).to_contain_text("项目的通知")
    screenshot("programs-decision")

    # 6. the contract (任务书): dates, targets, milestones, budget lines by 科目; the signed scan is uploaded
    #    and the contract signed (started long enough ago for the first progress report to be late)
    from kejiju.core.models import Notification, OperationLog
    from kejiju.programs.models import Project

    project = Project.objects.get()
    page.goto("/programs/projects/%s/" % project.pk)
    expect(page.get_by_test_id("project-status")).to_have_text("待签订任务书")
    page.get_by_test_id("c-starts").fill((today - timedelta(days=200)).isoformat())
    page.get_by_test_id("c-ends").fill((today + timedelta(days=530)).isoformat())
    page.get_by_test_id("c-targets").fill("申请发明专利|件|2\n新增销售收入|万元|500")
    page.locator("textarea[name=milestones]").fill(
        "%s|完成样机试制\n%s|完成中试并投产"
        % ((today + timedelta(days=60)).isoformat(), (today + timedelta(days=400)).isoformat())
    )
    page.get_by_test_id("c-budget-cat-1").select_option("equipment")
    page.get_by_test_id("c-budget-1").fill("90000.00")
    page.get_by_test_id("c-budget-cat-2").select_option("labor")
    page.get_by_test_id("c-budget-2").fill("60000.00")
    with page.expect_navigation():
        page.get_by_test_id("c-save").click()
    expect(page.locator("main")).to_contain_text("完成样机试制")
    expect(page.locator("main")).to_contain_text("劳务费")
    page.get_by_test_id("c-scan").set_input_files(str(scan))
    with page.expect_navigation():
        page.get_by_test_id("c-sign").click()
    expect(page.get_by_test_id("project-status")).to_have_text("执行中")
    expect(page.locator("main")).to_contain_text("任务书扫描件")
    screenshot("programs-contract-signed")

    # 7. funds in two instalments against the plan; a third payment over the approved amount is refused
    page.get_by_test_id("plan-rows").fill(
        "%s|90000.00|首期\n%s|60000.00|二期" % (today.isoformat(), (today + timedelta(days=300)).isoformat())
    )
    with page.expect_navigation():
        page.get_by_test_id("plan-save").click()
    for seq, amount in ((1, "90000.00"), (2, "60000.00")):
        page.get_by_test_id("pay-amount").fill(amount)
        page.locator("select[name=disbursement]").select_option(label="第 %s 期" % seq)
        page.locator("input[name=voucher]").fill("拨-2026-%03d" % seq)
        with page.expect_navigation():
            page.get_by_test_id("pay-save").click()
    expect(page.get_by_test_id("paid")).to_have_text("150,000.00")
    page.get_by_test_id("pay-amount").fill("0.01")
    with page.expect_navigation():
        page.get_by_test_id("pay-save").click()
    expect(page.locator(".alert-danger")).to_contain_text(
        "拨付后累计 150000.01 元将超过立项资助 150000.00 元（已拨付 150000.00 元，最多还可拨付 0.00 元）。"
    )
    expect(page.get_by_test_id("paid")).to_have_text("150,000.00")
    screenshot("programs-payment-refused")
    page.goto("/programs/payments/")
    expect(page.locator("main")).to_contain_text("拨-2026-002")

    # 8. the first report is late: the daily reminder job (its clock part run here) notifies the applicant,
    #    staff see it among the overdue items; running the job again sends nothing twice
    page.goto("/programs/overdue/")
    expect(page.locator("main")).to_contain_text("稻虾共养智能投喂系统研发")
    call_command("programs", "remind")
    reminders = Notification.objects.filter(title__startswith="进展报告已逾期").count()
    call_command("programs", "remind")
    assert reminders >= 1 and Notification.objects.filter(title__startswith="进展报告已逾期").count() == reminders
    _as(page, login, w.applicant)
    page.goto("/notifications/")
    expect(page.locator("main")).to_contain_text("进展报告已逾期")
    expect(page.locator("main")).to_contain_text("第 1 期进展报告")
    screenshot("programs-reminder")
    with page.expect_navigation():
        page.locator("main form", has_text="进展报告已逾期").first.locator("button").click()
    expect(page).to_have_url(re.compile(r"/programs/my/projects/%s/$" % project.pk))
    page.get_by_test_id("report-content-1").fill("完成样机设计和试制。")
    with page.expect_navigation():
        page.get_by_test_id("report-submit-1").click()
    # the applicant applies for acceptance with the results against the contract targets
    page.get_by_test_id("achieved-0").fill("3")
    page.get_by_test_id("achieved-1").fill("620")
    page.get_by_test_id("acceptance-summary").fill("全面完成任务书规定的任务。")
    with page.expect_navigation():
        page.get_by_test_id("acceptance-apply").click()
    expect(page.get_by_test_id("project-status")).to_have_text("已申请验收")

    # 9. the city confirms the report, enters the panel's result, decides pass; the certificate is
    #    generated and downloadable; the performance review is scored by the template
    _as(page, login, w.city)
    page.goto("/programs/projects/%s/" % project.pk)
    with page.expect_navigation():
        page.get_by_test_id("reports").get_by_role("button", name="确认").click()
    page.get_by_test_id("panel-score").fill("91")
    page.get_by_test_id("panel-opinion").fill("全面完成任务书指标，同意通过验收。")
    with page.expect_navigation():
        page.get_by_test_id("panel-save").click()
    page.get_by_test_id("decide-decision").select_option("pass")
    with page.expect_navigation():
        page.get_by_test_id("decide-save").click()
    expect(page.get_by_test_id("project-status")).to_have_text("通过验收")
    expect(page.get_by_test_id("acceptance-decision")).to_contain_text("通过")
    certificate = page.get_by_test_id("documents").locator("li", has_text="验收证书")
    expect(certificate).to_have_count(1)
    with page.expect_download() as download:
        certificate.get_by_role("link", name="Word").click()
    saved = tmp_path / "验收证书.docx"
    download.value.save_as(str(saved))
    assert saved.read_bytes()[:2] == b"PK"
    for key, value in (("targets", "38"), ("funds", "18"), ("outputs", "17"), ("benefits", "16")):
        page.get_by_test_id("perf-%s" % key).fill(value)
    page.get_by_test_id("perf-output-patents").fill("3")
    page.get_by_test_id("perf-output-revenue").fill("620")
    page.get_by_test_id("perf-output-jobs").fill("12")
    page.get_by_test_id("perf-opinion").fill("目标全面完成，资金使用规范。")
    with page.expect_navigation():
        page.get_by_test_id("perf-save").click()
    performance = page.get_by_test_id("performance")
    expect(performance).to_contain_text("总分 89")
    expect(performance).to_contain_text("良好")
    expect(performance).to_contain_text("目标完成情况")
    expect(performance).to_contain_text("专利（件） 3")
    expect(page.get_by_test_id("timeline")).to_contain_text("验收通过")
    expect(page.get_by_test_id("documents")).to_contain_text("验收证书")
    screenshot("programs-project")

    # every step left its row in the operation log
    done = set(OperationLog.objects.values_list("action", flat=True))
    for code in (
        "programs.contract_save",
        "programs.project_transition",
        "programs.disbursement_save",
        "programs.payment",
        "programs.remind",
        "programs.report_save",
        "programs.acceptance_save",
        "programs.performance_save",
    ):
        assert code in done, code
