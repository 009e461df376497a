"""The organizations registry's "done" path in a real browser: a 5,000-row import with bad rows
explained, the fixed file imported, an enterprise found by name and by pinyin initials."""

from __future__ import annotations

import io
from typing import Any

import pytest
import xlsxwriter
from playwright.sync_api import expect

from kejiju.core.services.codes import codes_load
from kejiju.core.testing.factories import role_user
from kejiju.engines.idcodes import make_credit_code, make_org_code
from kejiju.orgs.importers import ORGANIZATIONS
from kejiju.orgs.models import Organization

pytestmark = pytest.mark.e2e

ROWS = 5000
TYPES = ["企业", "农民专业合作社", "科研院所"]


def _workbook(bad: bool) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ORGANIZATIONS.headers())
    for i in range(ROWS):
        code = make_credit_code(f"91341181{make_org_code(f'MA{i:06d}')}")
        name = f"天长青禾农业科技有限公司{i}" if i else "天长市青禾农业科技有限公司"
        region = "341181100" if i % 2 else "341181"
        if bad and i == 8:
            code = code[:-1] + ("0" if code[-1] != "0" else "1")  # wrong check character → row 10
        if bad and i == 18:
            region = "341199"  # no such county → row 20
        if bad and i == 28:
            code = make_credit_code(f"91341181{make_org_code('MA000001')}")  # same as row 3 → row 30
        sheet.write_row(
            i + 1,
            0,
            [
                name,
                code,
                region,
                TYPES[i % 3],
                "",
                "天长市某路1号",
                "张三",
                "李四",
                "13912345678",
                "2018-05-01",
                str(10 + i % 90),
            ],
        )
    book.close()
    return buffer.getvalue()


def _upload(page: Any, data: bytes) -> None:
    page.goto("/imports/organizations/")
    page.set_input_files(
        "input[type=file]",
        files=[
            {
                "name": "单位名单.xlsx",
                "buffer": data,
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        ],
    )
    with page.expect_navigation(timeout=60_000):
        page.get_by_test_id("import-submit").click()


def test_import_5000_rows_fix_and_find(page: Any, login: Any, tree: dict, screenshot: Any) -> None:
    codes_load(actor=None)
    user = role_user("bureau_staff", "341181", username="daoru", full_name="导入员")
    login(user.username)

    _upload(page, _workbook(bad=True))
    expect(page.get_by_test_id("count-rows")).to_have_text(str(ROWS))
    expect(page.get_by_test_id("count-errors")).to_have_text("3")
    expect(page.get_by_test_id("import-warnings-card")).to_have_count(0)  # real-looking codes: no GB 11714 warning
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_contain_text("校验位错误")
    expect(errors).to_contain_text("341199")
    expect(errors).to_contain_text("与第 3 行重复")
    expect(page.get_by_test_id("import-confirm")).to_have_count(0)
    screenshot("orgs-import-errors")
    assert Organization.objects.count() == 0

    _upload(page, _workbook(bad=False))
    expect(page.get_by_test_id("count-errors")).to_have_text("0")
    expect(page.get_by_test_id("count-created")).to_have_text(str(ROWS))
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation(timeout=120_000):
        page.get_by_test_id("import-confirm").click()
    expect(page.get_by_test_id("result-created")).to_contain_text(str(ROWS))
    assert Organization.objects.count() == ROWS

    page.goto("/orgs/?q=天长市青禾")
    expect(page.get_by_role("link", name="天长市青禾农业科技有限公司", exact=True)).to_be_visible()
    page.goto("/orgs/?q=tcsqh")
    expect(page.get_by_role("link", name="天长市青禾农业科技有限公司", exact=True)).to_be_visible()
    page.get_by_role("link", name="天长市青禾农业科技有限公司", exact=True).click()
    expect(page.locator("body")).to_contain_text(make_credit_code(f"91341181{make_org_code('MA000000')}"))
    screenshot("orgs-detail-after-import")
