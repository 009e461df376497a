"""Checks on an ``OfficialDocument`` before it is typeset, with Chinese messages.

Rules from the project's official-rules spec §5 (GB/T 9704-2012 clause 7):

* 发文字号: issuer code, the full year in 六角括号 〔〕, the serial without zero padding and without 第,
  ending with 号 — ``^(\\S+?)〔(\\d{4})〕([1-9]\\d*)号$`` (spec §5.3 F3).
* 成文日期 / 印发日期: Arabic numerals, full year, no zero padding — ``^\\d{4}年([1-9]|1[0-2])月([1-9]|[12]\\d|3[01])日$``
  — and a real calendar day (spec §5.3 F4; Chinese numerals were the 1999 edition's form).
* 份号: 6 Arabic digits. 密级: 绝密 / 机密 / 秘密, optionally followed by ★ and the period. 紧急程度: 特急 / 加急.
* 附件名称后不加标点符号 (clause 7.3.4).

Before going live for a bureau, check these against the standard text (spec §0).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from .model import Heading, OfficialDocument, Paragraph, Table
from .text import clean, is_blank

DOC_NUMBER_RE = re.compile(r"^(\S+?)〔(\d{4})〕([1-9]\d*)号$")
DATE_RE = re.compile(r"^(\d{4})年([1-9]|1[0-2])月([1-9]|[12]\d|3[01])日$")
COPY_NUMBER_RE = re.compile(r"^\d{6}$")
CLASSIFICATION_RE = re.compile(r"^(绝密|机密|秘密)(★\S+)?$")
URGENCIES = ("特急", "加急")
LAYOUTS = ("document", "letter")
# Punctuation that must not close an attachment name (附件名称后不加标点符号).
TRAILING_PUNCTUATION = "。，、；：！？.,;:!?"


@dataclass(frozen=True)
class Problem:
    """One reason the document cannot be typeset: the field at fault and a Chinese sentence."""

    field: str
    message: str


class DocumentError(ValueError):
    """Raised by ``build`` when ``validate`` finds problems; ``problems`` holds them all."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("公文内容有误：" + "".join(p.message for p in problems))


def format_date(value: date) -> str:
    """A date written the GB/T 9704-2012 way: 2026年6月9日 (no zero padding)."""
    return f"{value.year}年{value.month}月{value.day}日"


def date_problem(value: date | str, label: str) -> str | None:
    """Why ``value`` is not a valid written date (None when it is)."""
    if isinstance(value, date):
        return None
    text = value.strip()
    match = DATE_RE.match(text)
    if match:
        try:
            date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            return f"{label}“{text}”不是真实存在的日期。"
        return None
    if not text:
        return f"{label}不能为空。"
    if re.search(r"[〇零一二三四五六七八九十]", text):
        return f"{label}“{text}”应使用阿拉伯数字，如“2026年6月9日”（2012版标准不再使用汉字数字）。"
    if re.match(r"^\d{4}年\d{1,2}月\d{1,2}日$", text) and re.search(r"[年月]0", text):
        return f"{label}“{text}”的月、日不编虚位，不能以0开头，应写作如“2026年6月9日”。"
    if re.match(r"^\d{2}年", text):
        return f"{label}“{text}”的年份应写全4位。"
    return f"{label}“{text}”格式不正确，应写作如“2026年6月9日”。"


def date_text(value: date | str) -> str:
    """The written form of a date already checked by ``date_problem``."""
    return format_date(value) if isinstance(value, date) else value.strip()


def doc_number_problem(value: str) -> str | None:
    """Why ``value`` is not a valid 发文字号 (None when it is)."""
    text = value.strip()
    if DOC_NUMBER_RE.match(text):
        return None
    if not text:
        return "发文字号不能为空；没有发文字号时请不填。"
    if re.search(r"[\[\]［］【】（）()〈〉<>{}]", text) and "〔" not in text:
        return f"发文字号“{text}”的年份应使用六角括号“〔〕”，不能使用方括号或其他括号。"
    if "第" in text:
        return f"发文字号“{text}”的序号前不加“第”字。"
    year = re.search(r"〔(\d+)〕", text)
    if year and len(year.group(1)) != 4:
        return f"发文字号“{text}”的年份应写全4位，如“〔2026〕”。"
    if re.search(r"〕0\d*号$", text):
        return f"发文字号“{text}”的序号不编虚位，不能以0开头。"
    if not text.endswith("号"):
        return f"发文字号“{text}”应以“号”结尾。"
    return f"发文字号“{text}”格式不正确，应写作如“天科〔2026〕5号”（机关代字、〔4位年份〕、序号、号）。"


def validate(doc: OfficialDocument) -> list[Problem]:
    """Every problem that keeps ``doc`` from being typeset per GB/T 9704-2012; an empty list means valid.

    Checks the required parts (发文机关, 标题, 正文, 成文日期), the written forms of 发文字号 and the dates,
    份号, 密级, 紧急程度, the body blocks (heading levels, table shape), the attachment names and the
    colophon (印发机关 and 印发日期 go together). Never raises.
    """
    problems: list[Problem] = []

    def add(field: str, message: str) -> None:
        problems.append(Problem(field, message))

    if doc.layout not in LAYOUTS:
        add("layout", f"版式“{doc.layout}”无效，只能是文件格式（document）或信函格式（letter）。")
    if is_blank(doc.issuer):
        add("issuer", "发文机关不能为空。")
    if doc.issuer_mark is not None and is_blank(doc.issuer_mark):
        add("issuer_mark", "发文机关标志不能为空白；不填时使用发文机关名称加“文件”。")
    if is_blank(doc.title):
        add("title", "标题不能为空。")
    elif any(not line.strip() for line in clean(doc.title).strip().split("\n")):
        add("title", "标题中不能有空行。")

    if doc.doc_number is not None:
        message = doc_number_problem(doc.doc_number)
        if message:
            add("doc_number", message)
    if doc.signers:
        if doc.layout == "letter":
            add("signers", "信函格式不标注签发人。")
        if is_blank(doc.doc_number):
            add("signers", "标注签发人的上行文必须有发文字号。")
        if any(is_blank(name) for name in doc.signers):
            add("signers", "签发人姓名不能为空。")

    if doc.copy_number is not None and not COPY_NUMBER_RE.match(doc.copy_number.strip()):
        add("copy_number", f"份号“{doc.copy_number}”应为6位阿拉伯数字，如“000001”。")
    if doc.classification is not None and not CLASSIFICATION_RE.match(doc.classification.strip()):
        add(
            "classification",
            f"密级和保密期限“{doc.classification}”格式不正确，应为“绝密”“机密”“秘密”，"
            "可加“★”和保密期限，如“秘密★1年”。",
        )
    if doc.urgency is not None and doc.urgency.strip() not in URGENCIES:
        add("urgency", f"紧急程度“{doc.urgency}”无效，只能是“特急”或“加急”。")
    if doc.addressee is not None and is_blank(doc.addressee):
        add("addressee", "主送机关不能为空白；没有主送机关时请不填。")

    _validate_body(doc, add)

    for index, name in enumerate(doc.attachments, start=1):
        if is_blank(name):
            add("attachments", f"第{index}个附件名称不能为空。")
        elif name.strip()[-1] in TRAILING_PUNCTUATION:
            add("attachments", f"附件名称“{name.strip()}”后不加标点符号。")

    message = date_problem(doc.date, "成文日期")
    if message:
        add("date", message)
    if doc.signature is not None and is_blank(doc.signature):
        add("signature", "发文机关署名不能为空白；不填时使用发文机关名称。")
    if doc.note is not None and is_blank(doc.note):
        add("note", "附注不能为空白；没有附注时请不填。")
    if any(is_blank(name) for name in doc.cc):
        add("cc", "抄送机关名称不能为空。")
    if is_blank(doc.printer) != (doc.print_date is None):
        add("printer", "印发机关和印发日期应同时填写或同时不填。")
    if doc.print_date is not None:
        message = date_problem(doc.print_date, "印发日期")
        if message:
            add("print_date", message)
    return problems


def _validate_body(doc: OfficialDocument, report: Callable[[str, str], None]) -> None:
    if not doc.body:
        report("body", "正文不能为空。")
        return
    for index, block in enumerate(doc.body, start=1):
        if isinstance(block, Paragraph):
            if is_blank(block.text):
                report("body", f"正文第{index}块是空段落。")
        elif isinstance(block, Heading):
            if block.level not in (1, 2, 3, 4):
                report("body", f"正文第{index}块的标题层级“{block.level}”无效，只能是1至4级。")
            if is_blank(block.text):
                report("body", f"正文第{index}块的标题文字不能为空。")
        elif isinstance(block, Table):
            rows = [list(row) for row in block.rows]
            if not rows or not rows[0]:
                report("body", f"正文第{index}块的表格没有内容。")
            elif any(len(row) != len(rows[0]) for row in rows):
                report("body", f"正文第{index}块的表格各行列数不一致。")
            if not 9 <= block.font_size_pt <= 22:
                report("body", f"正文第{index}块的表格字号应在9至22磅之间。")
        else:
            report("body", f"正文第{index}块的类型无法识别，只能是段落、标题或表格。")
