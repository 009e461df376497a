"""JSON ↔ typed ``OfficialDocument``: the exchange form of a 公文 (CLI input, stored payloads, API).

``from_dict`` checks the *shape* of the data — known fields, JSON types, required fields, block types —
and raises ``DocumentError`` whose problems name the JSON field (``title``, ``body[3].level``) with a
Chinese reason. It does not check the *content* rules (发文字号 form, dates, …): that is ``validate``'s job,
so callers run ``validate(from_dict(data))`` and get both kinds of problem with the same ``Problem`` type.

``to_dict`` writes every top-level field (``null`` when absent), dates as ISO ``"2026-06-09"``, and the
body blocks with their ``type``; ``from_dict(to_dict(doc)) == doc`` for every document. The field list
is documented in docs/modules/documents.md.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from .model import Block, Heading, Layout, OfficialDocument, Paragraph, Table
from .validation import DocumentError, Problem

#: Top-level fields, their Chinese names (used in messages) and whether they are required.
FIELDS: dict[str, tuple[str, bool]] = {
    "issuer": ("发文机关", True),
    "issuer_mark": ("发文机关标志", False),
    "doc_number": ("发文字号", False),
    "signers": ("签发人", False),
    "copy_number": ("份号", False),
    "classification": ("密级和保密期限", False),
    "urgency": ("紧急程度", False),
    "title": ("标题", True),
    "addressee": ("主送机关", False),
    "body": ("正文", True),
    "attachments": ("附件说明", False),
    "date": ("成文日期", True),
    "signature": ("发文机关署名", False),
    "seal": ("加盖印章", False),
    "note": ("附注", False),
    "cc": ("抄送机关", False),
    "printer": ("印发机关", False),
    "print_date": ("印发日期", False),
    "layout": ("版式", False),
}
BLOCK_FIELDS: dict[str, tuple[str, ...]] = {
    "paragraph": ("type", "text"),
    "heading": ("type", "text", "level", "content"),
    "table": ("type", "rows", "header", "font_size_pt"),
}
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _type_name(value: Any) -> str:
    """The JSON type of ``value`` in Chinese."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "布尔值"
    if isinstance(value, int):
        return "整数"
    if isinstance(value, float):
        return "数字"
    if isinstance(value, str):
        return "字符串"
    if isinstance(value, (list, tuple)):
        return "数组"
    if isinstance(value, Mapping):
        return "对象"
    return type(value).__name__


class _Reader:
    """Collects every problem of one document instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, field: str, message: str) -> None:
        self.problems.append(Problem(field, message))

    def wrong_type(self, path: str, expected: str, value: Any) -> None:
        self.add(path, f"字段“{path}”应为{expected}，实际是{_type_name(value)}。")

    def text(self, path: str, value: Any, *, optional: bool) -> str | None:
        if value is None and optional:
            return None
        if not isinstance(value, str):
            self.wrong_type(path, "字符串" + ("或 null" if optional else ""), value)
            return None
        return value

    def texts(self, path: str, value: Any) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.wrong_type(path, "字符串数组", value)
            return ()
        result = []
        for index, item in enumerate(value):
            if isinstance(item, str):
                result.append(item)
            else:
                self.wrong_type(f"{path}[{index}]", "字符串", item)
        return tuple(result)

    def day(self, path: str, value: Any, *, optional: bool) -> date | str | None:
        """ISO "2026-06-09" → a date; the written form "2026年6月9日" is kept as text (``validate`` checks it)."""
        if value is None and optional:
            return None
        if not isinstance(value, str):
            self.wrong_type(path, "日期字符串（如“2026-06-09”或“2026年6月9日”）", value)
            return None
        match = _ISO_DATE.match(value.strip())
        if match:
            try:
                return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError:
                self.add(path, f"字段“{path}”的日期“{value}”不是真实存在的日期。")
                return None
        return value


def from_dict(data: Any) -> OfficialDocument:
    """Build an ``OfficialDocument`` from its JSON form (see the module docstring and
    docs/modules/documents.md for the fields).

    Raises ``DocumentError`` listing every shape problem — not an object, unknown field, missing required
    field (issuer, title, body, date), wrong JSON type, unknown block type — each naming the JSON field.
    Content rules are left to ``validate``.
    """
    reader = _Reader()
    if not isinstance(data, Mapping):
        reader.add("", f"公文数据的最外层应为对象（{{…}}），实际是{_type_name(data)}。")
        raise DocumentError(reader.problems)
    known = ", ".join(FIELDS)
    for key in data:
        if key not in FIELDS:
            reader.add(str(key), f"未知字段“{key}”；可用的字段有：{known}。")
    for key, (label, required) in FIELDS.items():
        if required and data.get(key) is None:
            reader.add(key, f"缺少必填字段“{key}”（{label}）。")

    def get(key: str) -> Any:
        return data.get(key)

    issuer = reader.text("issuer", get("issuer"), optional=True)
    title = reader.text("title", get("title"), optional=True)
    optional_texts = {
        key: reader.text(key, get(key), optional=True)
        for key in (
            "issuer_mark",
            "doc_number",
            "copy_number",
            "classification",
            "urgency",
            "addressee",
            "signature",
            "note",
            "printer",
        )
    }
    signers = reader.texts("signers", get("signers"))
    attachments = reader.texts("attachments", get("attachments"))
    cc = reader.texts("cc", get("cc"))
    when = reader.day("date", get("date"), optional=True)
    print_date = reader.day("print_date", get("print_date"), optional=True)

    seal = get("seal")
    if seal is None:
        seal = True
    elif not isinstance(seal, bool):
        reader.wrong_type("seal", "布尔值（true 或 false）", seal)
        seal = True
    raw_layout = get("layout")
    layout: Layout = "letter" if raw_layout == "letter" else "document"
    if raw_layout is not None and not isinstance(raw_layout, str):
        reader.wrong_type("layout", '字符串（"document" 或 "letter"）', raw_layout)
    elif raw_layout not in (None, "document", "letter"):
        reader.add(
            "layout", f'字段“layout”的值“{raw_layout}”无效，只能是 "document"（文件格式）或 "letter"（信函格式）。'
        )

    body: list[Block] = []
    raw_body = get("body")
    if raw_body is not None:
        if not isinstance(raw_body, list):
            reader.wrong_type("body", "数组（正文块的列表）", raw_body)
        else:
            for index, raw in enumerate(raw_body):
                block = _block(reader, f"body[{index}]", raw)
                if block is not None:
                    body.append(block)

    if reader.problems:
        raise DocumentError(reader.problems)
    return OfficialDocument(
        issuer=issuer or "",
        title=title or "",
        body=tuple(body),
        date=when if when is not None else "",
        signers=signers,
        attachments=attachments,
        seal=seal,
        cc=cc,
        print_date=print_date,
        layout=layout,
        **optional_texts,
    )


def _block(reader: _Reader, path: str, raw: Any) -> Block | None:
    if not isinstance(raw, Mapping):
        reader.wrong_type(path, '对象（如 {"type": "paragraph", "text": "…"}）', raw)
        return None
    kind = raw.get("type")
    if kind not in BLOCK_FIELDS:
        shown = kind if isinstance(kind, str) else _type_name(kind)
        reader.add(
            f"{path}.type",
            f'字段“{path}.type”的值“{shown}”无效，只能是 "heading"（标题）、"paragraph"（段落）或 "table"（表格）。',
        )
        return None
    allowed = BLOCK_FIELDS[kind]
    for key in raw:
        if key not in allowed:
            reader.add(f"{path}.{key}", f"{kind} 块不认识字段“{path}.{key}”；可用的字段有：{', '.join(allowed)}。")
    before = len(reader.problems)
    if kind == "table":
        return _table(reader, path, raw, before)
    text = raw.get("text")
    if text is None:
        reader.add(f"{path}.text", f"缺少必填字段“{path}.text”（文字）。")
    text = reader.text(f"{path}.text", text, optional=True) or ""
    if kind == "paragraph":
        return Paragraph(text) if len(reader.problems) == before else None
    level = raw.get("level", 1)
    if isinstance(level, bool) or not isinstance(level, int):
        reader.wrong_type(f"{path}.level", "整数（1 至 4）", level)
    content = reader.text(f"{path}.content", raw.get("content", ""), optional=True) or ""
    if len(reader.problems) != before:
        return None
    return Heading(text, level=level, content=content)


def _table(reader: _Reader, path: str, raw: Mapping[str, Any], before: int) -> Table | None:
    rows_raw = raw.get("rows")
    rows: list[tuple[str, ...]] = []
    if rows_raw is None:
        reader.add(f"{path}.rows", f"缺少必填字段“{path}.rows”（表格各行）。")
    elif not isinstance(rows_raw, list):
        reader.wrong_type(f"{path}.rows", "数组的数组（每行一个字符串数组）", rows_raw)
    else:
        for r, row in enumerate(rows_raw):
            if not isinstance(row, list):
                reader.wrong_type(f"{path}.rows[{r}]", "字符串数组", row)
                continue
            cells = []
            for c, cell in enumerate(row):
                if isinstance(cell, str):
                    cells.append(cell)
                elif isinstance(cell, (int, float)) and not isinstance(cell, bool):
                    # Numbers in a table are common in hand-written JSON; they are printed as typed.
                    cells.append(json.dumps(cell))
                else:
                    reader.wrong_type(f"{path}.rows[{r}][{c}]", "字符串", cell)
            rows.append(tuple(cells))
    header = raw.get("header", True)
    if not isinstance(header, bool):
        reader.wrong_type(f"{path}.header", "布尔值（true 或 false）", header)
    size = raw.get("font_size_pt", 16)
    if isinstance(size, bool) or not isinstance(size, (int, float)):
        reader.wrong_type(f"{path}.font_size_pt", "数字（磅）", size)
    if len(reader.problems) != before:
        return None
    return Table(rows=tuple(rows), header=header, font_size_pt=size)


def _day(value: date | str | None) -> str | None:
    if isinstance(value, date):
        return value.isoformat()
    return value


def block_to_dict(block: Block) -> dict[str, Any]:
    """One body block in its JSON form."""
    if isinstance(block, Heading):
        out: dict[str, Any] = {"type": "heading", "level": block.level, "text": block.text}
        if block.content:
            out["content"] = block.content
        return out
    if isinstance(block, Table):
        return {
            "type": "table",
            "rows": [list(row) for row in block.rows],
            "header": block.header,
            "font_size_pt": block.font_size_pt,
        }
    return {"type": "paragraph", "text": block.text}


def to_dict(doc: OfficialDocument) -> dict[str, Any]:
    """The JSON form of ``doc``: every top-level field, in the documented order."""
    return {
        "issuer": doc.issuer,
        "issuer_mark": doc.issuer_mark,
        "doc_number": doc.doc_number,
        "signers": list(doc.signers),
        "copy_number": doc.copy_number,
        "classification": doc.classification,
        "urgency": doc.urgency,
        "title": doc.title,
        "addressee": doc.addressee,
        "body": [block_to_dict(block) for block in doc.body],
        "attachments": list(doc.attachments),
        "date": _day(doc.date),
        "signature": doc.signature,
        "seal": doc.seal,
        "note": doc.note,
        "cc": list(doc.cc),
        "printer": doc.printer,
        "print_date": _day(doc.print_date),
        "layout": doc.layout,
    }


def loads(text: str) -> OfficialDocument:
    """Parse JSON text into a document; a syntax error becomes a ``DocumentError`` naming the line and
    column (in Chinese), shape problems as in ``from_dict``."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DocumentError([Problem("", f"JSON 格式错误：第{exc.lineno}行第{exc.colno}列附近（{exc.msg}）。")])
    return from_dict(data)


def dumps(doc: OfficialDocument, *, indent: int | None = 2) -> str:
    """The JSON text of ``doc`` (UTF-8 Chinese kept readable, not escaped)."""
    return json.dumps(to_dict(doc), ensure_ascii=False, indent=indent)


def problems_by_field(problems: list[Problem]) -> dict[str, list[str]]:
    """Group ``problems`` by top-level field (``body[3].level`` counts as ``body``; a problem with the whole
    document as ``""``), keeping their order — the shape forms and services turn into field errors."""
    grouped: dict[str, list[str]] = {}
    for problem in problems:
        key = re.split(r"[.\[]", problem.field, maxsplit=1)[0] if problem.field else ""
        grouped.setdefault(key, []).append(problem.message)
    return grouped
