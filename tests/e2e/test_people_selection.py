"""The talent pool in a real browser: a 拔尖人才 selection round from nomination through review,
decision and publicity (with an objection from the public page) to the category granted; the person
search with ID numbers masked for those who may not see them whole; and a talent list imported all or
nothing."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
import xlsxwriter
from django.utils import timezone
from playwright.sync_api import expect

from kejiju.core.testing.factories import role_user
from kejiju.people.models import Person, SelectionRound, TalentMembership
from kejiju.people.services import membership_grant
from kejiju.people.tests.factories import category, id_number, make_person

pytestmark = pytest.mark.e2e


def _patient(page: Any) -> None:
    """Loaded CI machines are slow: give pages and assertions more time than the defaults."""
    page.set_default_timeout(60_000)
    page.set_default_navigation_timeout(60_000)
    expect.set_options(timeout=30_000)


def _accepting(page: Any) -> None:
    page.once("dialog", lambda dialog: dialog.accept())


def test_selection_round_from_nomination_to_granting(page: Any, login: Any, tree: dict, screenshot: Any) -> None:
    _patient(page)
    top = category("top")
    staff = role_user("bureau_staff", "341181", username="rencai", full_name="人才科")
    login(staff.username)

    page.goto("/people/rounds/new/")
    page.get_by_label("评选名称").fill("2026 年度天长市拔尖人才评选")
    page.get_by_label("人才类别").select_option(str(top.pk))
    page.get_by_label("年度").fill("2026")
    page.get_by_label("拟选名额").fill("2")
    page.get_by_test_id("record-save").click()
    expect(page.get_by_test_id("round-status")).to_have_text("草稿")

    _accepting(page)
    page.get_by_test_id("round-do-open").click()
    expect(page.get_by_test_id("round-status")).to_have_text("推荐中")

    # a bad ID number is explained and nothing is stored
    page.get_by_label("姓名").fill("周建华")
    page.get_by_label("证件号码").fill("341181198506150010")
    page.get_by_test_id("nomination-save").click()
    expect(page.get_by_test_id("error-id_number")).to_contain_text("校验位")
    assert Person.objects.count() == 0

    for name in ("周建华", "吴晓燕", "郑国强"):
        page.get_by_label("姓名").fill(name)
        page.get_by_label("证件号码").fill(id_number())
        page.get_by_label("主要业绩").fill("推广稻虾综合种养新技术，带动农户增收。")
        page.get_by_test_id("nomination-save").click()
        expect(page.get_by_test_id("nomination-" + name)).to_be_visible()

    _accepting(page)
    page.get_by_test_id("round-do-start_review").click()
    expect(page.get_by_test_id("round-status")).to_have_text("评审中")

    for name, score, result in (
        ("周建华", "91.5", "selected"),
        ("吴晓燕", "88", "selected"),
        ("郑国强", "75", "not_selected"),
    ):
        page.get_by_test_id("score-" + name).fill(score)
        page.get_by_test_id("score-" + name).press("Enter")
        expect(page.get_by_test_id("nomination-" + name)).to_contain_text(score)
        page.get_by_test_id("result-" + name).select_option(result)
        page.get_by_test_id("decide-" + name).click()
    expect(page.get_by_test_id("nomination-郑国强")).to_contain_text("未入选")

    _accepting(page)
    page.get_by_test_id("round-do-decide").click()
    expect(page.get_by_test_id("round-status")).to_have_text("已确定人选")

    today = timezone.localdate()
    page.get_by_label("公示开始").fill(today.isoformat())
    page.get_by_label("公示结束").fill((today + timedelta(days=6)).isoformat())
    page.get_by_label("认定文件文号").fill("天科〔2026〕18号")
    page.get_by_label("公示结束").press("Escape")
    page.locator("#publish").get_by_test_id("round-do-publish").click()
    expect(page.get_by_test_id("round-status")).to_have_text("公示中")
    screenshot("people-round-publicity")

    # the public page: the list, the period, an objection
    page.get_by_test_id("round-public").click()
    expect(page.get_by_test_id("public-list")).to_contain_text("周建华")
    expect(page.get_by_test_id("public-list")).not_to_contain_text("郑国强")
    page.get_by_label("您的姓名").fill("群众甲")
    page.get_by_label("联系电话").fill("13800000000")
    page.get_by_label("异议内容").fill("反映吴晓燕的推广面积数据需要核实。")
    page.get_by_test_id("objection-submit").click()
    expect(page.get_by_test_id("objection-received")).to_be_visible()
    screenshot("people-public-page")

    rnd = SelectionRound.objects.get()
    page.goto(f"/people/rounds/{rnd.pk}/")
    objection = page.get_by_test_id("objection")
    objection.get_by_label("处理意见").fill("经实地核实，数据属实，异议不成立。")
    objection.get_by_role("button", name="处理").click()
    expect(page.get_by_test_id("objection")).to_contain_text("异议不成立")

    # the publicity period runs out
    SelectionRound.objects.filter(pk=rnd.pk).update(
        publicity_start=today - timedelta(days=8), publicity_end=today - timedelta(days=1)
    )
    page.reload()
    _accepting(page)
    page.get_by_test_id("round-do-grant").click()
    expect(page.get_by_test_id("round-status")).to_have_text("已认定入库")
    assert sorted(TalentMembership.objects.values_list("person__name", flat=True)) == ["吴晓燕", "周建华"]

    page.get_by_role("link", name="周建华").click()
    expect(page.get_by_test_id("panel-talent")).to_contain_text("拔尖人才")
    expect(page.get_by_test_id("panel-talent")).to_contain_text("天科〔2026〕18号")
    expect(page.get_by_test_id("person-roles")).to_contain_text("拔尖人才（2026 年入选）")
    screenshot("people-person-detail")


def test_person_search_and_masked_id(page: Any, login: Any, tree: dict, screenshot: Any) -> None:
    _patient(page)
    staff = role_user("bureau_staff", "341181", username="renyuan", full_name="人员管理")
    leader = role_user("bureau_leader", "341181", username="lingdao", full_name="局领导")
    wang = make_person(staff, name="王晓明", phone="13805500001")
    make_person(staff, name="李建国", phone="13805500002")

    login(leader.username)
    page.goto("/people/")
    page.get_by_label("搜索").fill("wxm")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("link", name="王晓明")).to_be_visible()
    expect(page.get_by_role("link", name="李建国")).to_have_count(0)
    expect(page.locator("table")).to_contain_text(wang.masked_id_number)
    expect(page.locator("table")).not_to_contain_text(wang.id_number)
    screenshot("people-search-leader")

    page.goto("/people/?q=" + wang.id_number)
    expect(page.get_by_role("link", name="王晓明")).to_be_visible()
    page.get_by_role("link", name="王晓明").click()
    expect(page.get_by_test_id("person-id-number")).to_have_text(wang.masked_id_number)

    page.context.clear_cookies()
    login(staff.username)
    page.goto(f"/people/{wang.pk}/")
    expect(page.get_by_test_id("person-id-number")).to_have_text(wang.id_number)


def _talent_book(rows: list[dict[str, str]]) -> bytes:
    from kejiju.people.importers import TALENTS

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, TALENTS.headers())
    for r, row in enumerate(rows, start=1):
        sheet.write_row(r, 0, [row.get(h, "") for h in TALENTS.headers()])
    book.close()
    return buffer.getvalue()


def _upload_talents(page: Any, data: bytes) -> None:
    page.goto("/people/talents/")
    with page.expect_navigation():
        page.get_by_test_id("talent-import").click()
    page.set_input_files(
        "input[type=file]",
        files=[
            {
                "name": "乡土人才名单.xlsx",
                "buffer": data,
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        ],
    )
    with page.expect_navigation():
        page.get_by_test_id("import-submit").click()


def test_talent_list_import_all_or_nothing(page: Any, login: Any, tree: dict, screenshot: Any) -> None:
    """A talent list from one of the county's talent databases: a person already in the category is an
    error and nothing is stored; the corrected list puts the known person into the category without a
    second record and registers the new one."""
    _patient(page)
    rural = category("rural")
    staff = role_user("bureau_staff", "341181", username="rencaiku", full_name="人才库管理")
    known = make_person(staff, name="陈土专")
    already = make_person(staff, name="周巧匠")
    membership_grant(actor=staff, person=already, category=rural, year=2024)
    fresh = id_number()
    base = {"所属区划代码": "341181", "人才类别": "乡土人才", "入选年度": "2025", "文件文号": "天人才〔2025〕2号"}
    rows = [
        {**base, "姓名": "陈土专", "证件号码": known.id_number},
        {**base, "姓名": "吴新农", "证件号码": fresh, "最高学历": "中专/高中"},
        {**base, "姓名": "周巧匠", "证件号码": already.id_number},
    ]
    login(staff.username)

    _upload_talents(page, _talent_book(rows))
    expect(page.get_by_test_id("import-errors")).to_contain_text("已在“乡土人才”中")
    expect(page.get_by_test_id("import-confirm")).to_have_count(0)
    screenshot("people-talent-import-errors")
    assert TalentMembership.objects.count() == 1 and not Person.objects.filter(id_number=fresh).exists()

    _upload_talents(page, _talent_book(rows[:2]))
    expect(page.get_by_test_id("count-errors")).to_have_text("0")
    _accepting(page)
    with page.expect_navigation():
        page.get_by_test_id("import-confirm").click()
    assert TalentMembership.objects.filter(category=rural).count() == 3
    assert Person.objects.filter(name="陈土专").count() == 1
    page.goto("/people/talents/?category=rural")
    expect(page.locator("table")).to_contain_text("吴新农")
    expect(page.locator("table")).to_contain_text("天人才〔2025〕2号")
