"""The 公文 drafting form. It only parses the input into the document's JSON form; the rules (GB/T 9704
written forms of 发文字号 and dates, required parts, the 印发 pair …) are the engine's, applied by
``services.document_save_draft``, whose errors the view puts back on the fields of the same name."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms

from kejiju.core.errors import BusinessError, RowErrors
from kejiju.engines.gbt9704 import jsonio
from kejiju.engines.gbt9704.plaintext import body_from_text, body_to_text
from kejiju.reports.choices import DocumentKind, DocumentLayout

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d"]
_LIST_SEPARATORS = re.compile(r"[,，、;；\n]+")

BODY_HELP = (
    "每行一段，空行忽略。以“一、”开头的行是一级标题（黑体），“（一）”开头是二级标题（楷体），"
    "“1.”开头是三级标题，“（1）”开头是四级标题；标题序号照您输入的保留。标题行在第一个“。”之后"
    "还有文字时，后面的文字接排在标题后（如“（一）申报范围。本市登记注册的……”）。"
    "以“|”开头的连续几行是一个表格，单元格用“|”分隔，第一行为表头。其他行都是正文段落。"
)


def _text(label: str, max_length: int, *, help_text: str = "", **attrs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        help_text=help_text,
        error_messages={"max_length": "%s最多 %d 个字。" % (label, max_length)},
        widget=forms.TextInput(attrs={**TEXT, **attrs}),
    )


def _area(label: str, max_length: int, rows: int, *, help_text: str = "", **attrs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        help_text=help_text,
        strip=False,
        error_messages={"max_length": "%s最多 %d 个字。" % (label, max_length)},
        widget=forms.Textarea(attrs={**TEXT, "rows": rows, **attrs}),
    )


def _date(label: str, *, required: bool, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        help_text=help_text,
        error_messages={
            "required": "请填写%s。" % label,
            "invalid": "%s格式不正确，请用日期选择器选择，或按 年-月-日 填写（如 2026-06-09）。" % label,
        },
        widget=forms.DateInput(
            format="%Y-%m-%d",
            attrs={**TEXT, "class": "form-control js-date", "autocomplete": "off", "placeholder": "年-月-日"},
        ),
    )


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _split_list(text: str) -> list[str]:
    return [part.strip() for part in _LIST_SEPARATORS.split(text or "") if part.strip()]


class DocumentForm(forms.Form):
    """起草 / 修改公文. Field names are the JSON field names of the document (docs/modules/documents.md),
    so the service's errors land on the right field."""

    #: Drawn with a red asterisk; the service checks them, so one submission shows every problem at once.
    required_marks = frozenset({"issuer", "title", "body", "date"})

    kind = forms.ChoiceField(
        label="文种",
        choices=DocumentKind.choices,
        initial=DocumentKind.NOTICE,
        error_messages={"invalid_choice": "文种无效。", "required": "请选择文种。"},
        widget=forms.Select(attrs=SELECT),
    )
    layout = forms.ChoiceField(
        label="版式",
        choices=DocumentLayout.choices,
        initial=DocumentLayout.DOCUMENT,
        help_text="对外的函一般用信函格式。",
        error_messages={"invalid_choice": "版式无效。", "required": "请选择版式。"},
        widget=forms.Select(attrs=SELECT),
    )
    issuer = _text("发文机关", 80, help_text="机关全称，用于红头和落款，如 天长市科学技术局。")
    doc_number = _text(
        "发文字号",
        60,
        autocomplete="off",
        help_text="机关代字〔4位年份〕序号号，如 天科〔2026〕5号：年份用六角括号〔〕，序号不编虚位（不写 05）、"
        "不加“第”。已预填本局代字和今年年份，请补上序号和“号”；没有发文字号时清空。",
    )
    title = _area(
        "标题",
        300,
        2,
        help_text="如“天长市科学技术局关于组织申报2027年度科技计划项目的通知”。"
        "标题较长时可按回车指定换行位置（宜排成梯形或菱形）。",
    )
    addressee = _text("主送机关", 300, help_text="如“各乡镇人民政府、街道办事处，市直有关单位”；冒号由系统添加。")
    body = _area("正文", 50000, 16, help_text=BODY_HELP)
    attachments = _area("附件", 2000, 3, help_text="每行一个附件名称，名称后不加标点符号；没有附件时留空。")
    date = _date("成文日期", required=True, help_text="落款日期，排版为“2026年6月9日”的形式。")
    seal = forms.BooleanField(
        label="加盖印章",
        required=False,
        initial=True,
        help_text="加盖印章的公文，落款和日期的位置按标准另行排列。",
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    note = _text("附注", 200, help_text="如“此件公开发布”，排版时自动加圆括号；没有时留空。")
    cc = _text("抄送机关", 500, help_text="多个机关用逗号或顿号分隔，如“滁州市科学技术局、市财政局”。")
    printer = _text("印发机关", 80, help_text="一般是发文机关的办公室；印发机关和印发日期应同时填写或同时不填。")
    print_date = _date("印发日期", required=False)

    def add_service_error(self, exc: BusinessError) -> None:
        """Put a service error on the field it names (unknown fields and ``__all__`` on the form)."""
        if isinstance(exc, RowErrors):
            for name, messages in exc.errors.items():
                for message in messages:
                    self.add_error(name if name in self.fields else None, message)
        else:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)

    def mark_invalid(self) -> None:
        """Give the widgets of fields with errors Bootstrap's ``is-invalid`` (red border)."""
        for name in self.errors:
            field = self.fields.get(name)
            if field is not None and not isinstance(field.widget, forms.CheckboxInput):
                css = field.widget.attrs.get("class", "")
                if "is-invalid" not in css:
                    field.widget.attrs["class"] = (css + " is-invalid").strip()

    def payload(self) -> dict[str, Any]:
        """The document's JSON form from the cleaned fields (call after ``is_valid``)."""
        data = self.cleaned_data
        title_lines = [line.strip() for line in (data.get("title") or "").splitlines() if line.strip()]
        print_date: date | None = data.get("print_date")
        return {
            "issuer": (data.get("issuer") or "").strip(),
            "doc_number": (data.get("doc_number") or "").strip() or None,
            "title": "\n".join(title_lines),
            "addressee": (data.get("addressee") or "").strip() or None,
            "body": [jsonio.block_to_dict(block) for block in body_from_text(data.get("body") or "")],
            "attachments": _lines(data.get("attachments") or ""),
            "date": data["date"].isoformat(),
            "seal": bool(data.get("seal")),
            "note": (data.get("note") or "").strip() or None,
            "cc": _split_list(data.get("cc") or ""),
            "printer": (data.get("printer") or "").strip() or None,
            "print_date": print_date.isoformat() if print_date else None,
            "layout": data.get("layout") or DocumentLayout.DOCUMENT,
        }


def _as_date(value: date | str | None) -> date | None:
    """A stored date (ISO in payloads written by this form, or the written "2026年6月9日") as a date."""
    if value is None or isinstance(value, date):
        return value
    match = re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日", value.strip())
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def initial_from_payload(payload: dict[str, Any], kind: str) -> dict[str, Any]:
    """The form's initial values for a stored document (for 修改)."""
    typed = jsonio.from_dict(payload)
    return {
        "kind": kind,
        "layout": typed.layout,
        "issuer": typed.issuer,
        "doc_number": typed.doc_number or "",
        "title": typed.title,
        "addressee": typed.addressee or "",
        "body": body_to_text(typed.body),
        "attachments": "\n".join(typed.attachments),
        "date": _as_date(typed.date),
        "seal": typed.seal,
        "note": typed.note or "",
        "cc": "、".join(typed.cc),
        "printer": typed.printer or "",
        "print_date": _as_date(typed.print_date),
    }


class GenerateForm(forms.Form):
    """The 生成 button: whether to convert to PDF as well (offered only when LibreOffice is installed)."""

    with_pdf = forms.BooleanField(
        label="同时生成 PDF",
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
