"""The upload allow-list engine: files are recognised by their bytes, never by their name."""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kejiju.engines.filetypes import DEFAULT_ALLOWED, KINDS, check_upload, sniff


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


CT = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'

SAMPLES: dict[str, bytes] = {
    "pdf": b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n",
    "docx": _zip({"[Content_Types].xml": CT, "word/document.xml": b"<w:document/>"}),
    "xlsx": _zip({"[Content_Types].xml": CT, "xl/workbook.xml": b"<workbook/>"}),
    "pptx": _zip({"[Content_Types].xml": CT, "ppt/presentation.xml": b"<presentation/>"}),
    "doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504,
    "xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x01" * 504,
    "jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 32,
    "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32,
    "gif": b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
    "webp": b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 24,
    "zip": _zip({"说明.txt": "压缩包内容".encode()}),
    "ofd": _zip({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<ofd:Document/>"}),
    "txt": "天长市科技局 2026 年工作总结\n".encode(),
    "csv": "名称,数量\n科技型中小企业,12\n".encode("gb18030"),
}

PE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 64
    + b"This program cannot be run in DOS mode"
)
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def test_every_allowed_kind_has_a_sample() -> None:
    assert set(SAMPLES) == set(KINDS) == set(DEFAULT_ALLOWED)


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_each_allowed_kind_is_recognised_by_its_bytes(kind: str) -> None:
    result = check_upload(f"材料.{kind}", SAMPLES[kind])
    assert result.ok, result.reason
    assert result.kind == kind
    assert result.mime == KINDS[kind].mime
    assert result.reason == ""


def test_extension_is_case_insensitive_and_jpeg_is_jpg() -> None:
    assert check_upload("PHOTO.JPEG", SAMPLES["jpg"]).kind == "jpg"
    assert check_upload("扫描件.PDF", SAMPLES["pdf"]).ok


@pytest.mark.parametrize("payload", [PE, ELF, HTML], ids=["pe", "elf", "html"])
def test_pdf_that_is_really_an_executable_or_a_page_is_refused(payload: bytes) -> None:
    result = check_upload("申报书.pdf", payload)
    assert not result.ok
    assert result.kind == ""
    assert "不符" in result.reason and ".pdf" in result.reason


@pytest.mark.parametrize("name", ["说明.txt", "名单.csv"])
def test_html_is_refused_even_as_text(name: str) -> None:
    assert not check_upload(name, HTML).ok
    assert not check_upload(name, b"\xef\xbb\xbf  <svg onload=alert(1)>").ok


@pytest.mark.parametrize(("name", "kind"), [("报表.docx", "xlsx"), ("报告.xlsx", "docx"), ("汇报.pptx", "docx")])
def test_renamed_office_file_is_refused(name: str, kind: str) -> None:
    result = check_upload(name, SAMPLES[kind])
    assert not result.ok
    assert "改名或伪装" in result.reason


def test_plain_zip_named_docx_is_refused() -> None:
    result = check_upload("申报书.docx", SAMPLES["zip"])
    assert not result.ok
    assert "不符" in result.reason


def test_macro_document_renamed_to_docx_is_refused() -> None:
    docm = _zip({"[Content_Types].xml": CT, "word/document.xml": b"<w:document/>", "word/vbaProject.bin": b"\x00"})
    assert not check_upload("申报书.docx", docm).ok


def test_broken_zip_is_refused() -> None:
    assert not check_upload("申报书.docx", b"PK\x03\x04" + b"\x00" * 40).ok


def test_empty_file_is_refused() -> None:
    result = check_upload("空文件.pdf", b"")
    assert not result.ok
    assert "为空" in result.reason


@pytest.mark.parametrize("name", ["木马.exe", "脚本.js", "页面.html", "图片.svg", "无扩展名", "结尾是点."])
def test_unknown_or_missing_extension_is_refused(name: str) -> None:
    result = check_upload(name, SAMPLES["pdf"])
    assert not result.ok
    assert "允许的类型" in result.reason
    assert result.reason.endswith("。")


def test_extension_outside_a_narrower_allow_list_is_refused() -> None:
    result = check_upload("照片.png", SAMPLES["png"], allowed=frozenset({"pdf"}))
    assert not result.ok
    assert "pdf" in result.reason


def test_ole2_kinds_require_the_compound_file_header() -> None:
    assert not check_upload("旧表.xls", SAMPLES["pdf"]).ok
    assert check_upload("旧表.xls", SAMPLES["doc"]).ok


def test_short_binary_is_not_text() -> None:
    assert sniff(b"\xff") == "unknown"
    assert not check_upload("a.txt", b"\x00\x01\x02").ok


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=4096), ext=st.sampled_from(sorted(DEFAULT_ALLOWED) + ["exe", ""]))
def test_random_bytes_never_crash(data: bytes, ext: str) -> None:
    result = check_upload(f"随机.{ext}" if ext else "随机", data)
    assert isinstance(result.ok, bool)
    if not result.ok:
        assert result.reason.endswith("。")
    sniff(data)


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=2048))
def test_random_bytes_pass_as_pdf_only_with_the_pdf_header(data: bytes) -> None:
    result = check_upload("随机.pdf", data)
    assert result.ok == data.startswith(b"%PDF-")


@settings(max_examples=200, deadline=None)
@given(tail=st.binary(max_size=512))
def test_random_zip_like_bytes_never_crash(tail: bytes) -> None:
    for ext in ("docx", "xlsx", "zip", "ofd"):
        check_upload(f"随机.{ext}", b"PK\x03\x04" + tail)
        check_upload(f"随机.{ext}", b"PK\x05\x06" + tail)
