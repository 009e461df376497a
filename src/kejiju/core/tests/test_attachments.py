"""Attachments: upload checks, storage outside the web root, scoped download, archive."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any
from urllib.parse import quote

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kejiju.core.errors import BusinessError
from kejiju.core.models import Attachment, OperationLog
from kejiju.core.services.attachments import attachment_create, storage_path
from kejiju.core.testing.factories import UserFactory, grant_perms, region
from kejiju.core.testing.matrix import Endpoint, matrix_cases, run_matrix_case

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
PE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64 + b"This program cannot be run in DOS mode"


def stored_files(settings: Any) -> list[Path]:
    root = Path(settings.KEJIJU_FILES_DIR)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def make_attachment(code: str, name: str = "申报书.pdf", data: bytes = PDF, uploader: Any = None) -> Attachment:
    if uploader is None:
        uploader = UserFactory(region=region(code))
        grant_perms(uploader, "core.add_attachment", "core.view_attachment")
    return attachment_create(actor=uploader, fileobj=io.BytesIO(data), name=name, region=code, purpose="申报书")


@pytest.fixture
def staff(regions: Any, make_user: Any) -> Any:
    return make_user("bureau_staff", "341181", full_name="张三")


# --- upload ----------------------------------------------------------------------------------


def test_upload_happy_path_stores_under_random_name(client: Any, settings: Any, staff: Any) -> None:
    client.force_login(staff)
    upload = SimpleUploadedFile("天长市科技项目申报书.pdf", PDF, content_type="application/pdf")
    response = client.post(
        reverse("core:attachment_upload"), {"file": upload, "purpose": "申报书", "region": "341181100"}
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == "天长市科技项目申报书.pdf"
    assert attachment.region_id == "341181100"
    assert attachment.kind == "pdf" and attachment.mime_type == "application/pdf"
    assert attachment.size == len(PDF)
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert attachment.uploaded_by == staff
    path = storage_path(attachment.storage_name)
    assert path.read_bytes() == PDF
    assert Path(settings.KEJIJU_FILES_DIR) in path.parents
    assert "申报书" not in str(path) and ".pdf" not in path.name
    assert len(attachment.storage_name) >= 32
    assert stored_files(settings) == [path]
    log = OperationLog.objects.get(action="core.attachment_upload")
    assert log.actor == staff and log.target_id == str(attachment.pk) and log.region_id == "341181100"
    assert log.extra["sha256"] == attachment.sha256
    assert attachment.history.get().history_user == staff


def test_upload_form_defaults_to_active_region_and_offers_only_own(client: Any, staff: Any) -> None:
    client.force_login(staff)
    body = client.get(reverse("core:attachment_upload")).content.decode()
    assert '<option value="341181" selected>' in body
    assert 'value="341182"' not in body


def test_oversized_file_is_refused_and_nothing_is_stored(client: Any, settings: Any, staff: Any) -> None:
    settings.KEJIJU_ATTACHMENT_MAX_BYTES = 1024
    client.force_login(staff)
    big = PDF + b"0" * 2048
    response = client.post(
        reverse("core:attachment_upload"), {"file": SimpleUploadedFile("大文件.pdf", big), "region": "341181"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "文件：文件超过大小上限 1 KB" in body
    assert not Attachment.objects.exists()
    assert stored_files(settings) == []
    assert not OperationLog.objects.filter(action="core.attachment_upload").exists()


def test_disguised_file_is_refused(client: Any, settings: Any, staff: Any) -> None:
    client.force_login(staff)
    response = client.post(
        reverse("core:attachment_upload"), {"file": SimpleUploadedFile("申报书.pdf", PE), "region": "341181"}
    )
    assert response.status_code == 400
    assert "文件内容与扩展名“.pdf”不符" in response.content.decode()
    assert not Attachment.objects.exists()
    assert stored_files(settings) == []


def test_empty_file_and_missing_file_are_refused(client: Any, settings: Any, staff: Any) -> None:
    client.force_login(staff)
    url = reverse("core:attachment_upload")
    body = client.post(url, {"file": SimpleUploadedFile("空.pdf", b""), "region": "341181"}).content.decode()
    assert "文件为空" in body
    body = client.post(url, {"region": "341181"}).content.decode()
    assert "请选择要上传的文件。" in body
    assert not Attachment.objects.exists()
    assert stored_files(settings) == []


def test_upload_to_region_outside_account_is_refused(client: Any, settings: Any, staff: Any) -> None:
    client.force_login(staff)
    response = client.post(
        reverse("core:attachment_upload"), {"file": SimpleUploadedFile("a.pdf", PDF), "region": "341182"}
    )
    assert response.status_code == 400
    assert "所属区划：所选区划不在您的管辖范围内。" in response.content.decode()
    with pytest.raises(BusinessError) as info:
        attachment_create(actor=staff, fileobj=io.BytesIO(PDF), name="a.pdf", region="341182")
    assert info.value.field == "region"
    assert not Attachment.objects.exists()
    assert stored_files(settings) == []


def test_purpose_too_long_is_refused(staff: Any, settings: Any) -> None:
    with pytest.raises(BusinessError) as info:
        attachment_create(actor=staff, fileobj=io.BytesIO(PDF), name="a.pdf", region="341181", purpose="用" * 61)
    assert info.value.field == "purpose"
    assert stored_files(settings) == []


def test_upload_without_permission_is_forbidden(client: Any, regions: Any, make_user: Any) -> None:
    leader = make_user("bureau_leader", "341181")
    client.force_login(leader)
    assert client.get(reverse("core:attachment_upload")).status_code == 403
    assert (
        client.post(
            reverse("core:attachment_upload"), {"file": SimpleUploadedFile("a.pdf", PDF), "region": "341181"}
        ).status_code
        == 403
    )
    assert not Attachment.objects.exists()


# --- list --------------------------------------------------------------------------------------


def test_list_search_filters_and_human_size(client: Any, regions: Any, staff: Any) -> None:
    make_attachment("341181", "项目合同.pdf", PDF + b"x" * 2000, uploader=staff)
    make_attachment("341181", "现场照片.png", PNG, uploader=staff)
    make_attachment("341182", "明光市材料.pdf")
    client.force_login(staff)
    url = reverse("core:attachment_list")
    body = client.get(url).content.decode()
    assert "项目合同.pdf" in body and "现场照片.png" in body
    assert "明光市材料.pdf" not in body
    assert "2.0 KB" in body and "张三" in body
    body = client.get(url, {"q": "合同"}).content.decode()
    assert "项目合同.pdf" in body and "现场照片.png" not in body
    body = client.get(url, {"kind": "png"}).content.decode()
    assert "现场照片.png" in body and "项目合同.pdf" not in body


def test_list_export_is_scoped(client: Any, regions: Any, staff: Any) -> None:
    make_attachment("341181", "=cmd.pdf", uploader=staff)
    make_attachment("341182", "明光市材料.pdf")
    client.force_login(staff)
    response = client.get(reverse("core:attachment_list"), {"export": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["'=cmd.pdf"]


# --- download ----------------------------------------------------------------------------------


def test_download_streams_with_safe_headers_and_logs(client: Any, regions: Any, staff: Any) -> None:
    attachment = make_attachment("341181", "天长 申报书.pdf")
    client.force_login(staff)
    response = client.get(reverse("core:attachment_download", args=[attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert quote("天长 申报书.pdf") in disposition and "utf-8''" in disposition.lower()
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Content-Type"] == "application/pdf"
    log = OperationLog.objects.get(action="core.attachment_download")
    assert log.actor == staff and log.target_id == str(attachment.pk) and log.region_id == "341181"


def test_inline_only_for_images(client: Any, regions: Any, staff: Any) -> None:
    image = make_attachment("341181", "照片.png", PNG)
    pdf = make_attachment("341181", "文件.pdf")
    client.force_login(staff)
    response = client.get(reverse("core:attachment_download", args=[image.pk]), {"inline": "1"})
    assert response["Content-Disposition"].startswith("inline")
    assert "sandbox" in response["Content-Security-Policy"]
    response = client.get(reverse("core:attachment_download", args=[pdf.pk]), {"inline": "1"})
    assert response["Content-Disposition"].startswith("attachment")


def test_download_by_other_region_is_404(client: Any, regions: Any, make_user: Any) -> None:
    attachment = make_attachment("341181")
    other = make_user("bureau_staff", "341182")
    client.force_login(other)
    assert client.get(reverse("core:attachment_download", args=[attachment.pk])).status_code == 404
    assert client.get(reverse("core:attachment_archive", args=[attachment.pk])).status_code == 404
    assert not OperationLog.objects.filter(action="core.attachment_download").exists()


def test_city_sees_county_attachment(client: Any, regions: Any, make_user: Any) -> None:
    attachment = make_attachment("341181100")
    city = make_user("bureau_staff", "3411")
    client.force_login(city)
    assert client.get(reverse("core:attachment_download", args=[attachment.pk])).status_code == 200


def test_integrity_mismatch_is_refused(client: Any, regions: Any, staff: Any) -> None:
    attachment = make_attachment("341181")
    storage_path(attachment.storage_name).write_bytes(PDF + b"tampered")
    client.force_login(staff)
    response = client.get(reverse("core:attachment_download", args=[attachment.pk]))
    assert response.status_code == 409
    assert "完整性校验失败" in response.content.decode()
    assert not OperationLog.objects.filter(action="core.attachment_download").exists()
    refused = OperationLog.objects.get(action="core.attachment_refused")
    assert refused.actor == staff and refused.extra["reason"] == "integrity"
    assert refused.extra["sha256"] == attachment.sha256


def test_missing_file_is_refused_in_chinese(client: Any, regions: Any, staff: Any) -> None:
    attachment = make_attachment("341181")
    storage_path(attachment.storage_name).unlink()
    client.force_login(staff)
    response = client.get(reverse("core:attachment_download", args=[attachment.pk]))
    assert response.status_code == 409
    assert "附件文件已丢失" in response.content.decode()
    refused = OperationLog.objects.get(action="core.attachment_refused")
    assert refused.actor == staff and refused.extra["reason"] == "missing"


def test_unknown_uuid_is_404(client: Any, staff: Any) -> None:
    client.force_login(staff)
    url = reverse("core:attachment_download", args=["00000000-0000-0000-0000-000000000000"])
    assert client.get(url).status_code == 404


# --- archive -----------------------------------------------------------------------------------


def test_uploader_archives_after_confirmation(client: Any, regions: Any, staff: Any, settings: Any) -> None:
    attachment = make_attachment("341181", uploader=staff)
    client.force_login(staff)
    url = reverse("core:attachment_archive", args=[attachment.pk])
    page = client.get(url)
    assert page.status_code == 200 and "data-confirm" in page.content.decode()
    attachment.refresh_from_db()
    assert not attachment.is_archived
    assert client.post(url).status_code == 302
    attachment.refresh_from_db()
    assert attachment.is_archived
    assert storage_path(attachment.storage_name).exists()
    assert OperationLog.objects.filter(action="core.attachment_archive", actor=staff).count() == 1
    assert attachment.history.first().history_user == staff
    assert client.get(reverse("core:attachment_download", args=[attachment.pk])).status_code == 404
    assert "申报书.pdf" not in client.get(reverse("core:attachment_list")).content.decode()


def test_archive_requires_change_permission_or_uploader(client: Any, regions: Any, staff: Any, make_user: Any) -> None:
    attachment = make_attachment("341181")
    client.force_login(staff)
    url = reverse("core:attachment_archive", args=[attachment.pk])
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    attachment.refresh_from_db()
    assert not attachment.is_archived
    admin = make_user("system_admin", "341181")
    client.force_login(admin)
    assert client.post(url).status_code == 302
    attachment.refresh_from_db()
    assert attachment.is_archived


# --- permission matrix -------------------------------------------------------------------------

ENDPOINTS = [
    Endpoint(
        "attachment list",
        perm="core.view_attachment",
        detail=False,
        make=lambda code: make_attachment(code, "矩阵测试附件.pdf"),
        url=lambda obj: reverse("core:attachment_list"),
        marker=lambda obj: obj.original_name,
    ),
    Endpoint(
        "attachment download",
        perm="core.view_attachment",
        detail=True,
        make=lambda code: make_attachment(code, "矩阵测试附件.pdf"),
        url=lambda obj: reverse("core:attachment_download", args=[obj.pk]),
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize("case", matrix_cases(ENDPOINTS), ids=str)
def test_permission_matrix(case: Any, client: Any) -> None:
    run_matrix_case(case, client)


def test_path_is_stripped_and_long_names_keep_their_extension(staff: Any) -> None:
    attachment = attachment_create(actor=staff, fileobj=io.BytesIO(PDF), name="..\\..\\etc/申报书.pdf", region="341181")
    assert attachment.original_name == "申报书.pdf"
    long_name = "长" * 300 + ".pdf"
    attachment = attachment_create(actor=staff, fileobj=io.BytesIO(PDF), name=long_name, region="341181")
    assert len(attachment.original_name) == 200 and attachment.original_name.endswith(".pdf")
