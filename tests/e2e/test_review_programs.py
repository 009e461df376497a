"""立项评审 of real programme applications in the browser, as a bureau runs it: from the call's page staff
open a review batch over the applications in review, enter the supervisor's nonce and the witnesses and draw
the panels with ordered reserves; the sealed draw record prints as an official document (the .docx opened and
read); an expert who is drawn declines and the first reserve moves in (logged); another expert cannot open a
task that is not theirs (404); each expert declares no conflict and scores, a submitted sheet is locked; staff
hand the aggregate back, and the score and rank show on each application; the fee list exports with a total."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

TITLES = ("稻虾共养智能投喂系统研发", "高压电缆在线监测装置研制")
SUBJECTS = ("210", "470")  # 农学, 动力与电气工程 (GB/T 13745)


def _experts(staff: Any) -> list[Any]:
    """Four agronomists and four electrical engineers of the pool, each with an account."""
    from kejiju.core.testing.factories import role_user
    from kejiju.engines.idcodes import make_id_number
    from kejiju.review import services

    experts = []
    for n, name in enumerate("赵立新 钱学敏 孙卫东 李海燕 周文斌 吴建国 郑雅琴 王志强".split()):
        expert = services.expert_create(
            actor=staff,
            data={
                "name": name,
                "id_number": make_id_number("341181", date(1966, n + 1, 10 + n), 300 + n),
                "region": "341181",
                "subjects": SUBJECTS[n // 4],
                "title": "正高级工程师",
            },
        )
        services.expert_link_account(
            actor=staff, expert=expert, user=role_user("expert", "341181", username=f"rp_expert{n}")
        )
        experts.append(expert)
    return experts


def _applications(w: Any) -> list[Any]:
    """Two applications of the call, checked and in review, one per subject."""
    from kejiju.programs import services
    from kejiju.programs.models import Application
    from kejiju.programs.tests.factories import filled_application

    apps = []
    for title, subject in zip(TITLES, SUBJECTS, strict=True):
        app = filled_application(w, title=title, subjects=subject)
        services.application_submit(actor=w.applicant, application=app)
        if w.call.needs_recommendation:
            services.application_transition(actor=w.county, application=app, action="recommend")
        services.application_transition(actor=w.city, application=app, action="pass_check")
        apps.append(Application.objects.get(pk=app.pk))
    return apps


def _score(page: Any, points: list[str], comment: str) -> None:
    for n, value in enumerate(points, start=1):
        page.get_by_test_id(f"score-{n}").fill(value)
    page.get_by_test_id("comment").fill(comment)
    page.get_by_test_id("recommendation").select_option("support")
    with page.expect_navigation():
        page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("task-status")).to_have_text("已提交评分")


def test_call_applications_drawn_scored_and_returned(
    page: Any, login: Any, tree: dict, screenshot: Any, monkeypatch: Any
) -> None:
    from docx import Document
    from openpyxl import load_workbook

    from kejiju.core.models import OperationLog
    from kejiju.programs.models import Application
    from kejiju.programs.tests.factories import world
    from kejiju.review import selectors as review_selectors
    from kejiju.review import services as review_services

    monkeypatch.setattr("kejiju.reports.services.find_soffice", lambda: None)  # the .docx is what is checked
    page.set_default_timeout(60_000)  # the shared test machine can be slow; the steps themselves are quick
    page.on("dialog", lambda dialog: dialog.accept())  # data-confirm prompts
    w = world(eligibility={"org_types": ["enterprise"], "one_per_org": False})
    staff = w.city
    experts = _experts(staff)
    apps = _applications(w)
    review_services.fee_save(actor=staff, region="3411", kind="call", label="立项评审费", per_review="500")

    # staff open the batch from the call's page: the call's applications in review are the candidates
    login(staff.username)
    page.goto(f"/programs/calls/{w.call.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("call-review-batch").click()
    for title in TITLES:
        expect(page.get_by_label(title)).to_be_checked()
    page.get_by_label("批次名称 *").fill("2027 年度市重点研发计划立项评审")
    page.get_by_label("每件评审专家数").fill("3")
    page.get_by_label("每件备选专家数").fill("1")
    page.get_by_label("每人最多件数").fill("1")
    page.get_by_label("评分指标（每行“指标:分值”，分值合计 100）").fill("创新性:40\n可行性:30\n效益:30")
    with page.expect_navigation():
        page.get_by_test_id("batch-save").click()
    expect(page.get_by_test_id("batch-status")).to_have_text("准备中")
    page.get_by_test_id("draw-nonce").fill("731905")
    page.get_by_test_id("draw-supervisor").fill("驻局纪检监察组 孙立")
    page.get_by_test_id("draw-witnesses").fill("周敏、陈刚")
    with page.expect_navigation():
        page.get_by_test_id("draw-run").click()
    expect(page.get_by_test_id("draw-nonce-shown")).to_have_text("731905")
    screenshot("review-programs-draw")

    batch = review_selectors.batch_list(user=staff).get()
    assignments = list(review_selectors.batch_assignments(batch=batch))
    by_expert = {e.pk: e for e in experts}
    for app, subject in zip(apps, SUBJECTS, strict=True):
        mine = [a for a in assignments if a.item.ref == f"programs.application:{app.pk}"]
        assert len([a for a in mine if a.panel]) == 3 and len([a for a in mine if not a.panel]) == 1
        # only experts of the application's subject are drawn for it, panel and reserve alike
        assert {tuple(by_expert[a.expert_id].subjects) for a in mine} == {(subject,)}

    # the sealed record prints as an official document
    with page.expect_navigation():
        page.get_by_test_id("draw-document").click()
    with page.expect_download() as info:
        page.get_by_test_id("download-docx").click()
    doc = Document(BytesIO(Path(info.value.path()).read_bytes()))
    text = "\n".join(p.text for p in doc.paragraphs)
    text += "\n".join(cell.text for table in doc.tables for row in table.rows for cell in row.cells)
    assert "评审专家抽取记录" in text and "731905" in text and "孙立" in text
    for title in TITLES:
        assert title in text

    first = apps[0]
    panel = [a for a in assignments if a.panel and a.item.ref == f"programs.application:{first.pk}"]
    reserve = next(a for a in assignments if not a.panel and a.item.ref == f"programs.application:{first.pk}")
    other = next(a for a in assignments if a.panel and a.item.ref != first_ref(first))

    # a drawn expert declines with a reason; the reserve moves in, logged
    decliner = panel[0]
    login(decliner.expert.user.username)
    page.goto(f"/review/my/{decliner.pk}/")
    page.get_by_label("理由").fill("评审当日出差在外")
    with page.expect_navigation():
        page.get_by_role("button", name="谢绝").click()
    expect(page.get_by_test_id("task-status")).to_have_text("已谢绝")
    moved = OperationLog.objects.get(action="review.replace", target_id=str(batch.pk))
    assert moved.extra["out"] == decliner.expert_id and moved.extra["in"] == reserve.expert_id
    reserve.refresh_from_db()
    assert reserve.panel and reserve.status == "invited"

    # an expert cannot open a task that is not theirs
    response = page.goto(f"/review/my/{other.pk}/")
    assert response is not None and response.status == 404

    # the panel now: the two who stayed and the reserve who moved in, each declares and scores in the browser
    scorers = [panel[1], panel[2], reserve]
    points = (["36", "27", "25"], ["34", "26", "24"], ["38", "28", "27"])
    for a, marks in zip(scorers, points, strict=True):
        login(a.expert.user.username)
        page.goto("/review/my/")
        with page.expect_navigation():
            page.get_by_role("link", name=TITLES[0]).click()
        page.get_by_test_id("declare").check()
        with page.expect_navigation():
            page.get_by_test_id("accept").click()
        expect(page.get_by_test_id("document")).to_contain_text("张三")
        _score(page, marks, "技术路线清晰，建议立项。")
    # a submitted sheet is locked
    expect(page.get_by_test_id("submit")).to_have_count(0)

    # the other application's panel through the services
    criteria = list(batch.criteria.all())
    for a in (a for a in assignments if a.panel and a.item.ref != first_ref(first)):
        review_services.assignment_accept(actor=a.expert.user, assignment=a, declare=True)
        review_services.sheet_save(
            actor=a.expert.user,
            assignment=a,
            scores={str(c.pk): v for c, v in zip(criteria, ["30", "22", "20"], strict=True)},
            comment="可行。",
            recommendation="support",
            submit=True,
        )

    # staff hand the aggregate back; the applications show their scores and ranks
    login(staff.username)
    page.goto(f"/review/batches/{batch.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("batch-close").click()
    expect(page.get_by_test_id("batch-status")).to_have_text("已完成")
    screenshot("review-programs-closed")
    page.goto(f"/programs/applications/{first.pk}/")
    expect(page.get_by_test_id("app-status")).to_have_text("评审完成")
    expect(page.get_by_test_id("review-score")).to_contain_text("（第 1 名）")
    first = Application.objects.get(pk=first.pk)
    assert first.review_score is not None and first.review_rank == 1

    # the fee list: one row per submitted review, with the total
    with page.expect_download() as info:
        page.goto(f"/review/batches/{batch.pk}/")
        page.get_by_role("link", name="评审费发放表").click()
    sheet = load_workbook(BytesIO(Path(info.value.path()).read_bytes())).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    flat = "\n".join(" ".join(str(v) for v in row if v is not None) for row in rows)
    assert "合计" in flat and "3000" in flat.replace(",", "")


def first_ref(app: Any) -> str:
    return f"programs.application:{app.pk}"
