"""Drafting a 通知 in the browser: the form (prefilled issuer and 代字), the preview, 生成 with its
confirmation, and the .docx download from the detail page — with no JavaScript or CSP problem on the way."""

from __future__ import annotations

import io
import re
from typing import Any

import docx
import pytest
from playwright.sync_api import expect

from kejiju.core.models import Bureau
from kejiju.core.testing.factories import role_user

pytestmark = pytest.mark.e2e

BODY = "\n".join(
    [
        "为做好2026年科技活动周工作，现将有关事项通知如下。",
        "一、活动主题",
        "（一）活动时间。2026年5月下旬。",
        "二、有关要求",
        "各单位要高度重视，精心组织。",
        "特此通知。",
    ]
)


def test_draft_preview_generate_and_download(page: Any, login: Any, tree: dict, screenshot: Any) -> None:
    Bureau.objects.create(region=tree["county"], name="天长市科学技术局", short_name="天科")
    user = role_user("bureau_staff", "341181", username="wangxm", full_name="王晓明")
    login(user.username)

    page.goto("/reports/documents/new/")
    expect(page.get_by_label("发文机关")).to_have_value("天长市科学技术局")
    expect(page.get_by_label("发文字号")).to_have_value(re.compile(r"^天科〔\d{4}〕$"))
    page.get_by_label("发文字号").fill("天科〔2026〕12号")
    page.get_by_label("标题").fill("天长市科学技术局关于开展2026年科技活动周的通知")
    page.get_by_label("主送机关").fill("各乡镇人民政府、街道办事处")
    page.get_by_label("正文").fill(BODY)
    page.get_by_label("附件").fill("科技活动周活动安排表")
    page.get_by_label("抄送机关").fill("滁州市科学技术局")
    screenshot("document-form")
    with page.expect_navigation():
        page.get_by_test_id("document-save").click()

    outline = page.get_by_test_id("document-outline")
    expect(outline).to_contain_text("天长市科学技术局文件")
    expect(page.get_by_test_id("heading-2")).to_contain_text("（一）活动时间。")
    expect(page.get_by_test_id("document-status")).to_have_text("草稿")
    screenshot("document-preview")

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_test_id("document-generate").click()
    expect(page.get_by_test_id("document-status")).to_have_text("已生成")
    expect(page.get_by_test_id("document-transitions")).to_contain_text("草稿 → 已生成")
    screenshot("document-detail")

    with page.expect_download() as info:
        page.get_by_test_id("download-docx").click()
    path = info.value.path()
    with open(path, "rb") as handle:
        opened = docx.Document(io.BytesIO(handle.read()))
    text = "\n".join(p.text for p in opened.paragraphs)
    assert "天科〔2026〕12号" in text and "一、活动主题" in text
