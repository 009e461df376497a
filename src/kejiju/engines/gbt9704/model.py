"""Typed input of the GB/T 9704-2012 builder: one official document (公文) and its body blocks.

The dataclasses carry the content only; every layout decision (fonts, sizes, spacing, placement) is the
builder's. Strings are taken as typed — the builder adds the fixed punctuation the standard requires
(the colon after 主送机关, the brackets around 附注, "抄送：", "印发") and the heading numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Layout = Literal["document", "letter"]


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph in 3号仿宋, first line indented two characters."""

    text: str


@dataclass(frozen=True)
class Heading:
    """A structural heading (结构层次序数) of level 1–4.

    Numbering: the builder numbers headings itself — 一、 / （一） / 1. / （1） — counting per level and
    restarting the lower levels after each higher heading. Text that already starts with a number in the
    form of its level (for example "二、保障措施" at level 1) is kept as typed, and the counter still
    advances, so pre-numbered and plain headings can be mixed as long as the typed numbers agree.

    ``content`` is run-in text that follows the heading on the same line in the body font (仿宋), the usual
    form of "（一）申报范围。本市登记注册……" headings; without it the heading stands on its own line.
    """

    text: str
    level: int = 1
    content: str = ""


@dataclass(frozen=True)
class Table:
    """A simple table of text cells. The first row is a header row (黑体, centred, repeated on each page)
    when ``header`` is true. ``font_size_pt`` defaults to 3号 like the rest of the body; 4号 (14) or
    小四 (12) suit wide tables."""

    rows: Sequence[Sequence[str]]
    header: bool = True
    font_size_pt: float = 16


Block = Paragraph | Heading | Table


@dataclass(frozen=True)
class OfficialDocument:
    """One official document (公文) to be typeset per GB/T 9704-2012.

    * ``issuer`` is the full name of the issuing body (发文机关), used for the signature (署名) and,
      in the letter layout, as the red header; ``issuer_mark`` is the red header of the document layout
      (default ``issuer + "文件"``).
    * ``signers`` (签发人) is for upward documents (上行文): the number then moves to the left, on the line
      of the last signer. Not used in the letter layout.
    * ``title`` may contain "\\n" to choose where the title lines break (the standard asks for a trapezoid
      or diamond shape with words kept whole, which only the author can judge); without it the title wraps
      where the line is full.
    * ``date`` (成文日期) and ``print_date`` (印发日期) take a ``datetime.date`` or the written form
      "2026年6月9日" (Arabic numerals, no zero padding).
    * ``signature`` (发文机关署名) defaults to ``issuer``.
    * ``seal`` says whether the document is sealed (加盖印章); it changes where the signature and the date sit.
    * ``note`` (附注) is printed in round brackets; brackets already typed are kept.
    * ``layout`` is "document" (文件格式, the red "××文件" header) or "letter" (信函格式).
    """

    issuer: str
    title: str
    body: Sequence[Block]
    date: dt.date | str
    issuer_mark: str | None = None
    doc_number: str | None = None
    signers: Sequence[str] = ()
    copy_number: str | None = None
    classification: str | None = None
    urgency: str | None = None
    addressee: str | None = None
    attachments: Sequence[str] = ()
    seal: bool = True
    note: str | None = None
    cc: Sequence[str] = ()
    printer: str | None = None
    print_date: dt.date | str | None = None
    layout: Layout = "document"
    signature: str | None = None

    @property
    def mark_text(self) -> str:
        """The red header: the explicit mark, or the issuer + 文件 (document layout) / the issuer (letter)."""
        if self.issuer_mark:
            return self.issuer_mark
        return self.issuer if self.layout == "letter" else self.issuer + "文件"

    @property
    def signature_text(self) -> str:
        """The name signed above the date (发文机关署名): ``signature`` when given, else the issuer."""
        return self.signature or self.issuer
