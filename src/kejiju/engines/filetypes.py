"""Recognise an uploaded file by its bytes, against an allow-list.

The name's extension must agree with the content: a ``.pdf`` that is really an executable, or a
``.docx`` that is a plain ZIP, is refused. Office Open XML files are ZIPs told apart by their
``[Content_Types].xml`` and main part; legacy .doc/.xls are OLE2 compound files.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass


@dataclass(frozen=True)
class FileKind:
    kind: str  # canonical extension
    mime: str
    label: str


KINDS: dict[str, FileKind] = {
    k.kind: k
    for k in [
        FileKind("pdf", "application/pdf", "PDF 文档"),
        FileKind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word 文档"),
        FileKind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel 工作簿"),
        FileKind(
            "pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", "PowerPoint 演示文稿"
        ),
        FileKind("doc", "application/msword", "Word 97-2003 文档"),
        FileKind("xls", "application/vnd.ms-excel", "Excel 97-2003 工作簿"),
        FileKind("jpg", "image/jpeg", "JPEG 图片"),
        FileKind("png", "image/png", "PNG 图片"),
        FileKind("gif", "image/gif", "GIF 图片"),
        FileKind("webp", "image/webp", "WebP 图片"),
        FileKind("zip", "application/zip", "ZIP 压缩包"),
        FileKind("ofd", "application/ofd", "OFD 版式文档"),
        FileKind("txt", "text/plain", "文本文件"),
        FileKind("csv", "text/csv", "CSV 表格"),
    ]
}

#: Extensions that name the same kind.
ALIASES = {"jpeg": "jpg"}

IMAGE_KINDS = frozenset({"jpg", "png", "gif", "webp"})
DEFAULT_ALLOWED = frozenset(
    {"pdf", "docx", "xlsx", "pptx", "doc", "xls", "jpg", "png", "gif", "webp", "zip", "ofd", "txt", "csv"}
)

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _zip_kind(head: bytes, data: bytes | None) -> str:
    if data is None:
        return "zip"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except Exception:  # a damaged archive raises many error types (struct, unicode, EOF…): none is acceptable
        return "unknown"
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        # macros renamed into an allowed extension (.docm → .docx) are refused outright
        return "unknown"
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "ppt/presentation.xml" in names:
            return "pptx"
        return "unknown"
    if "OFD.xml" in names:
        return "ofd"
    return "zip"


def _looks_like_text(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return False
    cut = len(data) > len(sample)
    for encoding in ("utf-8", "gb18030"):
        try:
            sample.decode(encoding)
            return True
        except UnicodeDecodeError:
            if not cut:
                continue
            # the sample may end inside a multi-byte character: allow up to 3 bytes to be cut off
            try:
                sample[:-3].decode(encoding)
                return True
            except UnicodeDecodeError:
                continue
    return False


#: Text that a browser would run as a page or a script if it ever rendered it; refused even under a
#: .txt/.csv name so that a stored file can never become an HTML/SVG payload.
_MARKUP_STARTS = (b"<!doctype", b"<html", b"<head", b"<body", b"<script", b"<svg", b"<?xml", b"<iframe", b"<object")


def _looks_like_markup(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf").lstrip().lower()
    return head.startswith(_MARKUP_STARTS)


def sniff(data: bytes) -> str:
    """The kind of ``data`` by its content: a key of :data:`KINDS`, ``"ole2"`` (legacy Office),
    ``"text"``, ``"markup"`` (HTML/SVG/XML, never accepted) or ``"unknown"``."""
    head = data[:16]
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_kind(head, data)
    if head.startswith(_OLE2):
        return "ole2"
    if data and _looks_like_markup(data):
        return "markup"
    if data and _looks_like_text(data):
        return "text"
    return "unknown"


@dataclass(frozen=True)
class SniffResult:
    ok: bool
    kind: str
    mime: str
    reason: str


def check_upload(name: str, data: bytes, allowed: frozenset[str] = DEFAULT_ALLOWED) -> SniffResult:
    """Decide whether a file named ``name`` with content ``data`` is acceptable.

    The extension must be allowed and the content must be of that kind. Returns a
    :class:`SniffResult` whose ``reason`` is a Chinese sentence when ``ok`` is false.
    """
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    ext = ALIASES.get(ext, ext)
    allowed_names = "、".join(sorted(allowed))
    if not ext:
        return SniffResult(
            False, "", "", "文件名没有扩展名，无法判断类型；允许的类型：%(allowed)s。" % {"allowed": allowed_names}
        )
    if ext not in allowed or ext not in KINDS:
        return SniffResult(
            False,
            "",
            "",
            "不支持的文件类型“.%(ext)s”，允许的类型：%(allowed)s。" % {"ext": ext, "allowed": allowed_names},
        )
    if not data:
        return SniffResult(False, "", "", "文件为空（0 字节），请选择有内容的文件。")
    actual = sniff(data)
    if ext in {"doc", "xls"}:
        ok = actual == "ole2"
    elif ext in {"txt", "csv"}:
        ok = actual == "text"
    else:
        ok = actual == ext
    if not ok:
        return SniffResult(
            False, "", "", "文件内容与扩展名“.%(ext)s”不符（可能是改名或伪装的文件），已拒绝。" % {"ext": ext}
        )
    kind = KINDS[ext]
    return SniffResult(True, kind.kind, kind.mime, "")
