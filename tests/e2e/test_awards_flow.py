"""科技奖励 in the browser, from nomination to certificate: an organization nominates and submits; staff
pass the formal check and start the review; the cycle's review batch is drawn with the supervisor's
nonce and witnesses; a drawn expert declares no conflict and scores; staff hand the aggregate back,
record the award committee's meeting (quorum checked) and its votes (a failed vote, then a re-vote),
export the results, decide, publicize and close; the certificate downloads and the winners' archive finds it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

TITLE = "优质稻米绿色高效栽培技术集成与推广"
COMMITTEE = "韩志远 沈丽君 曹建平 许文涛 邓海波 冯玉兰 蒋国华 宋立新 唐晓峰"


def test_nomination_to_certificate(page: Any, login: Any, tree: dict, screenshot: Any, monkeypatch: Any) -> None:
    from kejiju.awards.models import AwardCycle, Nomination
    from kejiju.awards.services import cycle_save, cycle_step, programme_save
    from kejiju.core.testing.factories import role_user
    from kejiju.engines.idcodes import make_id_number
    from kejiju.orgs.services import organization_create, organization_member_add
    from kejiju.orgs.testing import organization_data
    from kejiju.review import selectors as review_selectors
    from kejiju.review import services as review_services

    monkeypatch.setattr("kejiju.reports.services.find_soffice", lambda: None)  # the .docx is enough here
    page.set_default_timeout(60_000)  # the shared test machine can be slow; the steps themselves are quick
    page.on("dialog", lambda dialog: dialog.accept())  # data-confirm prompts
    staff = role_user("bureau_staff", "341181", username="jl_staff", full_name="刘静")
    org = organization_create(actor=staff, data=organization_data(7, name="天长市绿源农业科技有限公司"))
    applicant = role_user("org_user", "341181", username="jl_org", full_name="王芳")
    organization_member_add(actor=staff, organization=org, user=applicant)
    programme = programme_save(
        actor=staff,
        name="天长市科学技术进步奖",
        categories=["科技进步奖", "成果转化奖"],
        grades=[{"grade": "一等奖", "prize": "50000", "quota": 1}, {"grade": "二等奖", "prize": "30000"}],
    )
    now = timezone.now()
    cycle = cycle_save(
        actor=staff, programme=programme, year=2026, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=9)
    )
    cycle_step(actor=staff, cycle=cycle, action="open")
    for n, name in enumerate("赵立新 钱学敏 孙卫东 李海燕 周文斌".split(), start=1):
        expert = review_services.expert_create(
            actor=staff,
            data={
                "name": name,
                "id_number": make_id_number("341181", date(1966, n, 10 + n), 300 + n),
                "region": "341181",
                "subjects": "210",
                "title": "正高级工程师",
            },
        )
        review_services.expert_link_account(
            actor=staff, expert=expert, user=role_user("expert", "341181", username=f"jl_expert{n}")
        )

    # the organization nominates and submits
    login("jl_org")
    page.goto(f"/awards/cycles/{cycle.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("nominate").click()
    page.get_by_label("成果名称").fill(TITLE)
    page.get_by_label("专业领域").fill("农学")
    page.get_by_label("项目简介与主要创新点").fill("集成稻虾共养与绿色防控技术，亩均节本增效 300 元。")
    members = [
        f"陈建华,{make_id_number('341181', date(1978, 3, 12), 21)},技术路线设计",
        f"杨秀梅,{make_id_number('341181', date(1985, 7, 2), 42)},示范推广",
    ]
    page.get_by_label("主要完成人").fill("\n".join(members))
    with page.expect_navigation():
        page.get_by_test_id("nomination-save").click()
    with page.expect_navigation():
        page.get_by_test_id("nomination-submit").click()
    expect(page.get_by_test_id("nomination-status")).to_have_text("已推荐")
    nomination = Nomination.objects.get(title=TITLE)

    # staff: formal check, review starts
    login("jl_staff")
    page.goto(f"/awards/cycles/{cycle.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("cycle-close_nominations").click()
    page.goto(f"/awards/nominations/{nomination.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("step-pass").click()
    expect(page.get_by_test_id("nomination-status")).to_have_text("形式审查通过")
    page.goto(f"/awards/cycles/{cycle.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("cycle-start_review").click()
    expect(page.get_by_test_id("cycle-status")).to_have_text("专家评审")

    # the cycle's review batch, drawn in the browser
    with page.expect_navigation():
        page.get_by_test_id("cycle-review-batch").click()
    expect(page.get_by_label("批次名称 *")).to_have_value("天长市科学技术进步奖（2026 年度）专家评审")
    expect(page.get_by_label(TITLE)).to_be_checked()
    with page.expect_navigation():
        page.get_by_test_id("batch-save").click()
    expect(page.get_by_test_id("batch-status")).to_have_text("准备中")
    page.get_by_test_id("draw-nonce").fill("620417")
    page.get_by_test_id("draw-supervisor").fill("驻局纪检监察组 孙立")
    page.get_by_test_id("draw-witnesses").fill("周敏、陈刚")
    with page.expect_navigation():
        page.get_by_test_id("draw-run").click()
    expect(page.get_by_test_id("draw-nonce-shown")).to_have_text("620417")
    expect(page.locator("main")).to_contain_text(TITLE)
    screenshot("awards-review-draw")
    batch = review_selectors.batch_list(user=staff).get()
    panel = [a for a in review_selectors.batch_assignments(batch=batch) if a.panel]
    assert len(panel) == 3

    # one drawn expert in the browser; the other two through the services
    first = panel[0]
    login(first.expert.user.username)
    page.goto("/review/my/")
    with page.expect_navigation():
        page.get_by_role("link", name=TITLE).click()
    page.get_by_test_id("declare").check()
    with page.expect_navigation():
        page.get_by_test_id("accept").click()
    expect(page.get_by_test_id("document")).to_contain_text("陈建华")
    for n, points in enumerate(["28", "22", "27", "14"], start=1):
        page.get_by_test_id(f"score-{n}").fill(points)
    page.get_by_test_id("comment").fill("技术集成度高，示范推广面广，效益显著。")
    page.get_by_test_id("recommendation").select_option("support")
    with page.expect_navigation():
        page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("task-status")).to_have_text("已提交评分")
    expect(page.get_by_test_id("sheet-total")).to_have_text("91.00")
    criteria = list(batch.criteria.all())
    for a, points in zip(panel[1:], (["27", "23", "26", "13"], ["29", "24", "28", "14"]), strict=True):
        review_services.assignment_accept(actor=a.expert.user, assignment=a, declare=True)
        review_services.sheet_save(
            actor=a.expert.user,
            assignment=a,
            scores={str(c.pk): p for c, p in zip(criteria, points, strict=True)},
            comment="同意推荐。",
            recommendation="support",
            submit=True,
        )

    # staff: aggregate back to the nomination, grade, decide, publicize, close
    login("jl_staff")
    page.goto(f"/review/batches/{batch.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("batch-close").click()
    expect(page.get_by_test_id("batch-status")).to_have_text("已完成")
    page.goto(f"/awards/nominations/{nomination.pk}/")
    expect(page.locator("main")).to_contain_text("91.00 分，第 1 名")  # trimmed mean of 89, 91, 95
    batches = page.get_by_test_id("nomination-review-batches")
    expect(batches).to_contain_text("天长市科学技术进步奖（2026 年度）专家评审")
    expect(batches).to_contain_text("已完成")
    screenshot("awards-nomination-reviewed")

    # the award committee meets: the decision waits for its vote; a meeting short of the quorum is refused
    page.goto(f"/awards/cycles/{cycle.pk}/")
    expect(page.get_by_test_id("cycle-review-batches")).to_contain_text("1 项")
    with page.expect_navigation():
        page.get_by_test_id("cycle-review-batches").get_by_role("link").click()
    expect(page.get_by_test_id("batch-status")).to_have_text("已完成")
    page.goto(f"/awards/cycles/{cycle.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("cycle-decide").click()
    expect(page.locator("main")).to_contain_text("尚未登记评审委员会会议")
    expect(page.get_by_test_id("cycle-status")).to_have_text("专家评审")
    with page.expect_navigation():
        page.get_by_test_id("meeting-edit").click()
    page.get_by_label("会议地点").fill("天长市科学技术局三楼会议室")
    page.get_by_label("评审委员").fill("\n".join(f"{name},天长市科学技术局" for name in COMMITTEE.split()))
    page.get_by_label("出席委员人数").fill("5")
    with page.expect_navigation():
        page.get_by_test_id("meeting-save").click()
    expect(page.get_by_test_id("form-errors")).to_contain_text("至少 6 人")
    page.get_by_label("出席委员人数").fill("7")
    with page.expect_navigation():
        page.get_by_test_id("meeting-save").click()
    expect(page.get_by_test_id("meeting-summary")).to_contain_text("全体委员 9 人，出席 7 人")
    # the vote sheet: one row, the expert review shown; 4 of 7 is short of two-thirds, then a re-vote
    row = page.get_by_test_id(f"vote-row-{nomination.pk}")
    expect(row).to_contain_text("91.00 分")
    page.get_by_label(f"{TITLE} 表决等级").select_option("一等奖")
    page.get_by_label(f"{TITLE} 赞成").fill("4")
    page.get_by_label(f"{TITLE} 反对").fill("2")
    page.get_by_label(f"{TITLE} 弃权").fill("1")
    screenshot("awards-vote-sheet")
    with page.expect_navigation():
        page.get_by_test_id("votes-save").click()
    expect(page.get_by_test_id("votes")).to_contain_text("未通过（赞成 4/7）")
    with page.expect_navigation():
        page.get_by_test_id("vote-sheet-link").click()
    page.get_by_label(f"{TITLE} 赞成").fill("6")
    page.get_by_label(f"{TITLE} 反对").fill("1")
    page.get_by_label(f"{TITLE} 弃权").fill("0")
    with page.expect_navigation():
        page.get_by_test_id("votes-save").click()
    expect(page.get_by_test_id("votes")).to_contain_text("通过（赞成 6/7）")
    expect(page.get_by_test_id("votes")).to_contain_text("拟授一等奖")
    screenshot("awards-committee-vote")
    with page.expect_navigation():
        page.get_by_test_id("vote-results-link").click()
    expect(page.locator("main")).to_contain_text("通过（赞成 6/7）")
    with page.expect_download() as export:
        page.get_by_test_id("export-xlsx").click()
    assert export.value.suggested_filename.endswith(".xlsx")
    page.goto(f"/awards/nominations/{nomination.pk}/")
    expect(page.get_by_test_id("nomination-votes")).to_contain_text("已重新表决")
    page.goto(f"/awards/cycles/{cycle.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("cycle-decide").click()
    expect(page.get_by_test_id("cycle-status")).to_have_text("已评定")
    today = timezone.localdate()
    page.get_by_label("公示开始").fill(today.isoformat())
    page.get_by_label("公示结束").fill((today + timedelta(days=6)).isoformat())
    with page.expect_navigation():
        page.get_by_test_id("cycle-publicize").click()
    expect(page.get_by_test_id("cycle-status")).to_have_text("公示中")
    page.goto("/awards/publicity/")
    expect(page.locator("main")).to_contain_text(TITLE)
    AwardCycle.objects.filter(pk=cycle.pk).update(publicity_until=today - timedelta(days=1))  # the period is over
    page.goto(f"/awards/cycles/{cycle.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("cycle-close").click()
    expect(page.get_by_test_id("cycle-status")).to_have_text("已授奖")
    screenshot("awards-cycle-closed")
    expect(page.get_by_test_id("certificate-link")).to_have_count(1)

    # the certificate downloads; the winners' archive finds the award by a member's name
    page.goto(f"/awards/nominations/{nomination.pk}/")
    expect(page.get_by_test_id("nomination-status")).to_have_text("已授奖")
    with page.expect_navigation():
        page.get_by_role("link", name="获奖证书").click()
    with page.expect_download() as download:
        page.get_by_test_id("download-docx").click()
    assert download.value.suggested_filename.endswith(".docx")
    screenshot("awards-certificate")
    page.goto("/awards/winners/")
    page.get_by_label("搜索").fill("陈建华")
    with page.expect_navigation():
        page.get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("local-winners")).to_contain_text(TITLE)
    expect(page.get_by_test_id("local-winners")).to_contain_text("一等奖")
    screenshot("awards-winners")
