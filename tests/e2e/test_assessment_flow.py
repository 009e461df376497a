"""目标责任制考核 in the browser: staff issue targets, a town reports its mid-year progress and staff see
the progress table, the town submits its self-assessment with evidence, the assessor scores, results are
published with grade and rank."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kejiju.assessment.models import AssessmentScheme, AssessmentTarget
from kejiju.assessment.services import scheme_save
from kejiju.assessment.views import DEFAULT_TEMPLATE
from kejiju.core.testing.factories import region, role_user

pytestmark = pytest.mark.e2e


def test_issue_self_assess_score_publish(page: Any, login: Any, tree: dict, screenshot: Any, tmp_path: Path) -> None:
    region("341181101", "新街镇")
    staff = role_user("bureau_staff", "341181", username="kh_staff", full_name="刘静")
    leader = role_user("bureau_leader", "341181", username="kh_leader", full_name="张建国")
    role_user("town_station", tree["town"].code, username="kh_town", full_name="孙丽")
    scheme = scheme_save(
        actor=staff,
        name="2026年度乡镇科技进步目标责任制考核",
        year=2026,
        template=DEFAULT_TEMPLATE,
        self_assessment_due=timezone.now() + timedelta(days=3),
        assessors=[leader],
    )

    login("kh_staff")
    page.goto(f"/assessment/schemes/{scheme.pk}/")
    page.get_by_label("组织农民科技培训（人次）目标值").fill("3000")
    page.get_by_label("推广新品种新技术（项）目标值").fill("5")
    page.get_by_label("科技示范户（户）目标值").fill("40")
    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        page.get_by_test_id("action-issue").click()
    expect(page.get_by_test_id("scheme-status")).to_have_text("已下达")
    expect(page.get_by_test_id("targets")).to_contain_text("新街镇")

    target = AssessmentTarget.objects.get(scheme=scheme, region_id=tree["town"].code)
    # 年中进度: around July the town reports the value so far; the bureau sees the table with 滞后 and 未报送
    login("kh_town")
    page.goto(f"/assessment/targets/{target.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("midyear-link").click()
    page.get_by_label("组织农民科技培训累计完成").fill("1200")
    page.get_by_label("组织农民科技培训进展情况").fill("上半年举办培训班 8 期")
    page.get_by_label("推广新品种新技术累计完成").fill("3")
    page.get_by_label("科技示范户累计完成").fill("25")
    page.get_by_label("党政领导重视科技工作，机构健全、人员到位进展情况").fill("已调整科技工作领导小组")
    with page.expect_navigation():
        page.get_by_test_id("midyear-submit").click()
    expect(page.get_by_test_id("midyear-state")).to_have_text("已报送")
    screenshot("assessment-midyear-report")
    login("kh_staff")
    page.goto(f"/assessment/schemes/{scheme.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("midyear-link").click()
    table = page.get_by_test_id("midyear-table")
    expect(table).to_contain_text("40.0%")  # 1200 of 3000, below the default 50 % → 滞后
    expect(table).to_contain_text("滞后")
    expect(page.get_by_test_id("midyear-unreported")).to_contain_text("新街镇")
    screenshot("assessment-midyear-table")

    login("kh_town")
    page.goto(f"/assessment/targets/{target.pk}/")
    page.get_by_label("组织农民科技培训完成值").fill("2400")
    page.get_by_label("推广新品种新技术完成值").fill("5")
    page.get_by_label("科技示范户完成值").fill("44")
    evidence = tmp_path / "签到表.png"
    evidence.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    page.get_by_label("文件（PDF、图片、Word、Excel）").set_input_files(str(evidence))
    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        page.get_by_test_id("self-submit").click()
    expect(page.get_by_test_id("target-status")).to_have_text("已提交自评")
    screenshot("assessment-self")

    AssessmentScheme.objects.filter(pk=scheme.pk).update(self_assessment_due=timezone.now() - timedelta(minutes=1))
    login("kh_staff")
    page.goto(f"/assessment/schemes/{scheme.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("action-start_scoring").click()
    login("kh_leader")
    for t in AssessmentTarget.objects.filter(scheme=scheme):
        page.goto(f"/assessment/targets/{t.pk}/")
        page.get_by_label("党政领导重视科技工作，机构健全、人员到位（0–20）").fill("18")
        page.get_by_label("科技投入逐年增长（0–15）").fill("13")
        page.once("dialog", lambda d: d.accept())
        with page.expect_navigation():
            page.get_by_test_id("score-submit").click()
    login("kh_staff")
    page.goto(f"/assessment/schemes/{scheme.pk}/")
    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        page.get_by_test_id("action-publish").click()
    expect(page.get_by_test_id("scheme-status")).to_have_text("已公布")
    with page.expect_navigation():
        page.get_by_test_id("action-honours").click()  # 先进单位名单: the list of towns to commend
    expect(page.get_by_test_id("scheme-documents")).to_contain_text("考核结果的通报")
    screenshot("assessment-honours")
    page.goto(f"/assessment/targets/{target.pk}/")
    # 18 + 13 + 25 × 0.8 + 20 + 20 = 91
    expect(page.get_by_test_id("target-result")).to_contain_text("总分 91.00 分，等次 优秀，排名第 1 名")
    screenshot("assessment-result")
