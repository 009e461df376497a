"""公文 pages with the Django test client: draft a 通知 from the form → preview → 生成 → download the .docx;
errors on their fields; failure and 重试; the list with search, filter and export; the permission matrix."""

from __future__ import annotations

import io
from typing import Any

import docx
import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kejiju.core.models import Bureau, OperationLog
from kejiju.core.testing.factories import UserFactory, region
from kejiju.core.testing.matrix import Endpoint, matrix_cases, run_matrix_case
from kejiju.reports import services
from kejiju.reports.choices import DocumentStatus
from kejiju.reports.models import OfficialDocument
from kejiju.reports.services import document_save_draft
from kejiju.reports.tests.conftest import require_tools, sample_payload

pytestmark = pytest.mark.django_db

LIST = reverse("reports:document_list")
CREATE = reverse("reports:document_create")

BODY = """为深入实施创新驱动发展战略，现就组织申报2027年度市科技计划项目有关事项通知如下。
一、申报范围
（一）重点研发项目。围绕主导产业开展关键核心技术攻关。
（二）科技成果转化项目
二、申报条件
1.企业申报的，应满足以下条件：
（1）上一年度研究开发费用占销售收入的比例不低于3%；
| 阶段 | 时间 |
| 网上填报 | 6月15日至7月15日 |
特此通知。
"""


def form_data(**changes: str) -> dict[str, str]:
    data = {
        "kind": "notice",
        "layout": "document",
        "issuer": "天长市科学技术局",
        "doc_number": "天科〔2026〕5号",
        "title": "天长市科学技术局关于组织申报\n2027年度科技计划项目的通知",
        "addressee": "各乡镇人民政府、街道办事处，市直有关单位",
        "body": BODY,
        "attachments": "2027年度科技计划项目申报书\n推荐汇总表",
        "date": "2026-06-09",
        "seal": "on",
        "note": "此件公开发布",
        "cc": "滁州市科学技术局、市财政局",
        "printer": "天长市科学技术局办公室",
        "print_date": "2026-06-09",
    }
    data.update(changes)
    return data


@pytest.fixture
def bureau(regions):
    return Bureau.objects.create(region=regions["county"], name="天长市科学技术局", short_name="天科")


# ------------------------------------------------------------------ the whole flow


def test_draft_preview_generate_download(client, staff, bureau, no_libreoffice):
    client.force_login(staff)
    page = client.get(CREATE).content.decode()
    year = timezone.localdate().year
    assert 'value="天长市科学技术局"' in page and f'value="天科〔{year}〕"' in page
    assert "以“一、”开头的行是一级标题" in page  # the body's rules are explained

    response = client.post(CREATE, form_data())
    document = OfficialDocument.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "reports:document_preview", args=[document.pk]
    )
    assert document.region_id == "341181" and document.status == DocumentStatus.DRAFT
    body = document.payload["body"]
    assert body[1] == {"type": "heading", "level": 1, "text": "一、申报范围"}
    assert body[2] == {
        "type": "heading",
        "level": 2,
        "text": "（一）重点研发项目。",
        "content": "围绕主导产业开展关键核心技术攻关。",
    }
    assert [b.get("level") for b in body if b["type"] == "heading"] == [1, 2, 2, 1, 3, 4]
    assert body[7]["type"] == "table" and body[7]["rows"][1] == ["网上填报", "6月15日至7月15日"]
    assert document.payload["cc"] == ["滁州市科学技术局", "市财政局"]
    assert document.payload["attachments"] == ["2027年度科技计划项目申报书", "推荐汇总表"]

    preview = client.get(response["Location"]).content.decode()
    assert "2026年6月9日" in preview and "（此件公开发布）" in preview and "天长市科学技术局文件" in preview
    assert "二、申报条件" in preview and "（1）上一年度研究开发费用" in preview
    assert 'data-confirm="确定按当前内容生成公文' in preview
    assert "生成 PDF 需要安装 LibreOffice" in preview

    response = client.post(reverse("reports:document_generate", args=[document.pk]))
    assert response.status_code == 302 and response["Location"] == reverse(
        "reports:document_detail", args=[document.pk]
    )
    detail = client.get(response["Location"]).content.decode()
    document.refresh_from_db()
    assert document.status == DocumentStatus.GENERATED
    download = reverse("core:attachment_download", args=[document.output_id])
    assert download in detail and "已生成" in detail and "草稿 → <strong>已生成</strong>" in detail
    assert "未生成 PDF" in detail

    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    opened = docx.Document(io.BytesIO(b"".join(response.streaming_content)))
    text = "\n".join(p.text for p in opened.paragraphs)
    assert "天科〔2026〕5号" in text and "一、申报范围" in text and "2026年6月9日" in text
    assert OperationLog.objects.filter(action="core.attachment_download").count() == 1


def test_pdf_checkbox_is_offered_with_libreoffice_and_respected(client, staff, monkeypatch):
    monkeypatch.setattr("kejiju.reports.services.find_soffice", lambda: "/usr/bin/soffice")
    monkeypatch.setattr(services, "docx_to_pdf", lambda data, *, timeout: pytest.fail("PDF was not asked for"))
    document = document_save_draft(actor=staff, data=sample_payload())
    client.force_login(staff)
    preview = client.get(reverse("reports:document_preview", args=[document.pk])).content.decode()
    assert 'name="with_pdf"' in preview and "checked" in preview.split('name="with_pdf"')[1][:80]
    client.post(reverse("reports:document_generate", args=[document.pk]), {"pdf_choice": "1"})  # unticked
    document.refresh_from_db()
    assert document.status == DocumentStatus.GENERATED and document.pdf is None and not document.with_pdf
    detail = client.get(reverse("reports:document_detail", args=[document.pk])).content.decode()
    assert "未生成 PDF" not in detail  # not asked for, so nothing to explain


def test_pdf_download_through_the_browser(client, staff):
    require_tools("soffice")
    document = document_save_draft(actor=staff, data=sample_payload())
    client.force_login(staff)
    client.post(reverse("reports:document_generate", args=[document.pk]), {"pdf_choice": "1", "with_pdf": "on"})
    document.refresh_from_db()
    assert document.status == DocumentStatus.GENERATED, document.error
    detail = client.get(reverse("reports:document_detail", args=[document.pk])).content.decode()
    assert 'data-testid="download-pdf"' in detail
    response = client.get(reverse("core:attachment_download", args=[document.pdf_id]))
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_without_a_bureau_the_issuer_is_the_region_name_plus_bureau(client, staff):
    client.force_login(staff)
    page = client.get(CREATE).content.decode()
    assert 'value="天长市科学技术局"' in page
    assert 'id="id_doc_number"' in page and "〔" not in page.split('id="id_doc_number"')[0][-200:]


def test_errors_land_on_their_fields_and_nothing_is_saved(client, staff):
    client.force_login(staff)
    response = client.post(CREATE, form_data(doc_number="天科〔2026〕", title="", body="  \n", printer=""))
    assert response.status_code == 400
    page = response.content.decode()
    assert "尚未保存任何内容" in page
    assert 'data-testid="error-doc_number">发文字号“天科〔2026〕”应以“号”结尾。' in page
    assert 'data-testid="error-title">标题不能为空。' in page
    assert 'data-testid="error-body">正文不能为空。' in page
    assert 'data-testid="error-printer">印发机关和印发日期应同时填写或同时不填。' in page
    assert not OfficialDocument.objects.exists()


def test_bad_dates_are_explained(client, staff):
    client.force_login(staff)
    response = client.post(CREATE, form_data(date="", print_date="2026-13-01"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "请填写成文日期。" in page and "印发日期格式不正确" in page
    assert not OfficialDocument.objects.exists()


def test_failure_is_shown_with_retry(client, staff, no_libreoffice, monkeypatch):
    document = document_save_draft(actor=staff, data=sample_payload())
    client.force_login(staff)
    original = services.build
    monkeypatch.setattr(services, "build", lambda doc: (_ for _ in ()).throw(RuntimeError("字体表损坏")))
    response = client.post(reverse("reports:document_generate", args=[document.pk]), follow=True)
    page = response.content.decode()
    assert "生成失败：排版或保存文件时出错（字体表损坏）" in page
    assert 'data-testid="document-retry"' in page and reverse("reports:document_retry", args=[document.pk]) in page

    monkeypatch.setattr(services, "build", original)
    response = client.post(reverse("reports:document_retry", args=[document.pk]), follow=True)
    page = response.content.decode()
    document.refresh_from_db()
    assert document.status == DocumentStatus.GENERATED
    assert "生成失败 → <strong>已生成</strong>" in page and 'data-testid="download-docx"' in page


def test_edit_a_generated_document_returns_it_to_draft(client, staff, no_libreoffice):
    document = services.document_generate(actor=staff, document=document_save_draft(actor=staff, data=sample_payload()))
    client.force_login(staff)
    edit = reverse("reports:document_edit", args=[document.pk])
    page = client.get(edit).content.decode()
    assert "保存修改后将退回草稿" in page and "（一）重点研发项目。围绕电线电缆" in page
    assert 'value="2026-06-09"' in page
    response = client.post(edit, form_data(doc_number="天科〔2026〕6号"))
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == DocumentStatus.DRAFT and document.doc_number == "天科〔2026〕6号"


def test_generate_needs_post_and_the_change_permission(client, staff, leader, no_libreoffice):
    document = document_save_draft(actor=staff, data=sample_payload())
    url = reverse("reports:document_generate", args=[document.pk])
    client.force_login(staff)
    assert client.get(url).status_code == 405
    client.force_login(leader)
    detail = client.get(reverse("reports:document_detail", args=[document.pk])).content.decode()
    assert 'data-testid="document-edit"' not in detail and 'data-testid="go-generate"' not in detail
    assert client.post(url).status_code == 403
    assert client.post(reverse("reports:document_retry", args=[document.pk])).status_code == 403
    document.refresh_from_db()
    assert document.status == DocumentStatus.DRAFT


def test_generating_twice_is_refused_with_a_message(client, staff, no_libreoffice):
    document = services.document_generate(actor=staff, document=document_save_draft(actor=staff, data=sample_payload()))
    client.force_login(staff)
    page = client.post(reverse("reports:document_generate", args=[document.pk]), follow=True).content.decode()
    assert "只有草稿可以生成；该公文当前状态为“已生成”。" in page


# ------------------------------------------------------------------ list


def test_list_search_filter_and_export(client, staff, no_libreoffice):
    first = document_save_draft(actor=staff, data=sample_payload())
    second = document_save_draft(
        actor=staff, data=sample_payload(title="关于开展科技活动周的通知", doc_number="天科〔2026〕9号")
    )
    services.document_generate(actor=staff, document=second)
    client.force_login(staff)
    page = client.get(LIST, {"q": "科技活动周"}).content.decode()
    assert "关于开展科技活动周的通知" in page and str(first) not in page
    page = client.get(LIST, {"q": "〔2026〕5号"}).content.decode()
    assert str(first) in page and "科技活动周" not in page
    page = client.get(LIST, {"status": "generated"}).content.decode()
    assert "科技活动周" in page and str(first) not in page
    assert client.get(LIST, {"status": "bogus"}).status_code == 200
    response = client.get(LIST, {"export": "xlsx", "status": "draft"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("标题", "文种", "发文字号", "成文日期", "状态")
    assert [r[0] for r in rows[1:]] == [str(first)] and rows[1][3] == "2026年6月9日"
    assert OperationLog.objects.filter(action="core.export", extra__list="documents").exists()


# ------------------------------------------------------------------ permission matrix


def _make(region_code: str) -> OfficialDocument:
    region(region_code)
    author = UserFactory(region=region(region_code), username=f"author-{region_code}")
    payload = sample_payload(title=f"矩阵测试通知{region_code}")
    return OfficialDocument.objects.create(
        region_id=region_code, title=payload["title"], payload=payload, created_by=author
    )


def _url(name: str) -> Any:
    return lambda obj: reverse(f"reports:{name}", args=[obj.pk])


VIEW = "reports.view_officialdocument"
ENDPOINTS = [
    Endpoint("document_list", perm=VIEW, make=_make, detail=False, url=lambda obj: LIST, marker=lambda obj: obj.title),
    Endpoint("document_detail", perm=VIEW, make=_make, url=_url("document_detail")),
    Endpoint("document_preview", perm=VIEW, make=_make, url=_url("document_preview")),
    Endpoint("document_edit", perm=(VIEW, "reports.change_officialdocument"), make=_make, url=_url("document_edit")),
]


@pytest.mark.parametrize("case", matrix_cases(ENDPOINTS), ids=str)
def test_permission_matrix(case, client):
    run_matrix_case(case, client)


def test_create_page_needs_the_add_permission(client, leader, staff):
    client.force_login(leader)
    assert client.get(CREATE).status_code == 403
    client.force_login(staff)
    assert client.get(CREATE).status_code == 200
