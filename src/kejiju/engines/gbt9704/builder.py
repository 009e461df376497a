"""Typesetting an ``OfficialDocument`` as a Word (.docx) file per GB/T 9704-2012 (spec §5).

How the standard's numbers become Word properties (lengths in twips, 1 mm ≈ 56.69 twips, 1 pt = 20):

* Page A4 210 × 297 mm; margins top 37, left 28, bottom 35, right 26 mm → 版心 156 × 225 mm.
* 22 lines × 28 characters: the section carries a Word document grid ``w:docGrid type="linesAndChars"``
  with ``linePitch`` 579 (28.95 pt; 22 × 579 fits the 225 mm 版心, 23 would not) and ``charSpace`` for a
  156 mm ÷ 28 ≈ 15.79 pt character pitch (charSpace = pitch − 16 pt, in 1/4096 pt), so Word's page set-up
  shows 22 × 28 and measures character indents on it. The lines and characters themselves are fixed by the
  paragraphs, not by snapping to the grid: every paragraph has exact 28.95 pt line spacing, and 16 pt text
  is condensed by 0.3 pt (28 × 15.7 pt fits the 442 pt line, 29 never does). Reason: a 16 pt glyph is wider
  than a 15.79 pt grid cell, and LibreOffice (the PDF renderer) then gives every character two cells —
  14 characters a line; Word squeezes instead. With ``snapToGrid`` off (Normal style) both programs lay
  out the same 22 × 28 page.
* Fonts are named, not embedded: 仿宋_GB2312 (body, 3号 16 pt), 方正小标宋简体 (red header, 2号 title),
  黑体 (level-1 headings, 密级, 紧急程度), 楷体_GB2312 (level-2 headings, 签发人 names), 宋体 (page numbers).
  Each run sets ascii, hAnsi, eastAsia and cs with ``hint="eastAsia"`` so Word uses the font for CJK and
  for ambiguous punctuation (“” — ：). The font table gives 仿宋 and 楷体 as alternative names, which
  Windows ships when the _GB2312 fonts are missing.
* Red header (文件格式): a centred red paragraph whose space-before puts the top of the characters
  35 mm below the top of the 版心, counting the 份号/密级/紧急程度 lines above it. The header line is
  exact 1.25 × the font size; for a font whose ascent + descent is one em (the official Chinese fonts)
  the extra quarter em sits above the characters, so space-before = 35 mm − lines above − 0.25 em.
  Fonts with taller metrics (the Noto CJK fonts of test machines) draw it up to ~2.5 mm higher.
* 信函格式: the red header and its red double line (上粗下细, 170 mm) live in the first-page header at
  30 mm from the top of the page; the lower double line (上细下粗) in the first-page footer 20 mm from the
  bottom; page 1 carries no page number. The body of page 1 starts below the header.
* Red separator line (文件格式): the bottom border of the 发文字号 line, red, full 版心 width, 11 pt
  (≈ 4 mm) below the line box, whose bottom is the bottom of the characters for the official fonts.
* 版记: a floating table anchored to the bottom of the 版心 (tblpYSpec="bottom"), so its last rule lies
  on the bottom edge of the 版心 of the last page; rules 0.35 mm (sz 8, first and last) and 0.25 mm
  (sz 6, between rows); 4号 text.
* Page numbers "— N —" in 4号宋体: PAGE fields in the default (odd) footer, right-aligned one 4号
  character in, and the even footer, left-aligned one character in (``w:evenAndOddHeaders``). The footer
  line is exact 20 pt with its bottom 25.4 mm above the page bottom (footer distance 20 mm — the letter's
  lower double line — plus 5.4 mm space-after), which puts the dashes about 7 mm below the 版心.
* Signature and date (§5.2): with a seal the date is 4 characters in from the right and the issuer centred
  over it, two blank lines below the text so the seal's top stays within one line of the text; without a
  seal one blank line, the issuer 2 characters in from the right, the date on the next line starting
  2 characters further right (or 2 in from the right when it is longer, the issuer moving left with it).
  Character widths are counted as 1 for CJK and full-width characters and ½ for digits and Latin letters.
* Body indents are written twice: in hundredths of a character (``firstLineChars="200"``), which Word uses,
  and in twips (2 × 15.7 pt), which LibreOffice reads. Placements measured from the right edge (signature,
  date, 签发人) are written in twips only, computed from the 156 mm line.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.opc.oxml import serialize_part_xml
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Twips
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

from .model import Heading, OfficialDocument, Paragraph, Table
from .text import clean, text_width
from .validation import DocumentError, date_text, validate

# --- geometry (twips) ----------------------------------------------------------------------------------------

TWIPS_PER_MM = 1440 / 25.4


def mm(value: float) -> int:
    """Millimetres → twips."""
    return round(value * TWIPS_PER_MM)


PAGE_WIDTH = mm(210)  # 11906
PAGE_HEIGHT = mm(297)  # 16838
MARGIN_TOP = mm(37)
MARGIN_BOTTOM = mm(35)
MARGIN_LEFT = mm(28)
MARGIN_RIGHT = mm(26)
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT  # 8845 ≈ 156 mm
TEXT_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM  # 12756 = 225 mm
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
LINE_PITCH = 579  # 28.95 pt
CHAR_PITCH = TEXT_WIDTH / CHARS_PER_LINE  # ≈ 315.9 twips ≈ 15.79 pt

BODY_SIZE = 16.0  # 3号
TITLE_SIZE = 22.0  # 2号
COLOPHON_SIZE = 14.0  # 4号
PAGE_NUMBER_SIZE = 14.0  # 4号
MARK_SIZES = (42.0, 36.0)  # 初号, 小初: the largest that fits the 版心 width
MARK_LINE_FACTOR = 1.25
# 16 pt characters condensed by 0.3 pt (in twentieths of a point): 28 × 15.7 pt = 439.6 pt fits the 442.25 pt
# line with room to spare (LibreOffice needs it), 29 × 15.7 = 455.3 pt never does. See the module docstring.
BODY_CONDENSE = -6
CHAR_ADVANCE = round(BODY_SIZE * 20) + BODY_CONDENSE  # 314 twips: one body character as laid out
# Grid character pitch in 1/4096 pt relative to the 16 pt default; 4 units tighter than exact so that
# Word's floor(text width ÷ pitch) gives 28, not 27, after its own rounding.
CHAR_SPACE = math.floor((CHAR_PITCH / 20 - BODY_SIZE) * 4096) - 4

MARK_TOP_FROM_TEXT = mm(35)  # 文件格式: top of the red header below the top of the 版心
LETTER_MARK_TOP = mm(30)  # 信函格式: top of the red header below the top of the page
LETTER_LINE_OVERHANG = mm(7)  # (170 − 156) ÷ 2: the letter's double lines are 170 mm long
LETTER_BOTTOM_LINE = mm(20)  # 信函格式: the lower double line above the bottom of the page
SEPARATOR_SPACE_PT = 11  # ≈ 4 mm between the 发文字号 line and the red separator
SEPARATOR_SIZE = 12  # eighths of a point: 1.5 pt red line
FOOTER_DISTANCE = LETTER_BOTTOM_LINE  # for the letter's lower line; page numbers sit higher by a space-after
PAGE_NUMBER_BOTTOM = mm(25.4)  # bottom of the page-number line above the bottom of the page
FOOTER_LINE = 400  # exact 20 pt
COLOPHON_THICK = 8  # eighths of a point: 1 pt ≈ 0.35 mm
COLOPHON_THIN = 6  # 0.75 pt ≈ 0.26 mm
COLOPHON_CHAR = round(COLOPHON_SIZE * 20)  # one 4号 character, 280 twips

RED = "FF0000"
FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"
# Word substitutes the first alternative name that is installed (Windows ships 仿宋 and 楷体, not _GB2312).
FONT_TABLE = {
    FANGSONG: ("仿宋", "modern", "fixed"),
    KAITI: ("楷体", "modern", "fixed"),
    XIAOBIAOSONG: ("宋体", "roman", "variable"),
    HEITI: ("SimHei", "modern", "fixed"),
    SONGTI: ("SimSun", "auto", "variable"),
}

HEADING_FONTS = {1: HEITI, 2: KAITI, 3: FANGSONG, 4: FANGSONG}
CN_DIGITS = "零一二三四五六七八九"
HEADING_NUMBER_RE = {
    1: re.compile(r"^[一二三四五六七八九十百]+、"),
    2: re.compile(r"^[（(][一二三四五六七八九十百]+[）)]"),
    3: re.compile(r"^\d+[.．]"),
    4: re.compile(r"^[（(]\d+[）)]"),
}

# --- small text helpers ----------------------------------------------------------------------------------------


def chinese_number(value: int) -> str:
    """1 → 一, 10 → 十, 21 → 二十一, 105 → 一百零五 (heading numbers); Arabic from 1000 on."""
    if value >= 1000:
        return str(value)
    if value < 10:
        return CN_DIGITS[value]
    if value < 20:
        return "十" + (CN_DIGITS[value % 10] if value % 10 else "")
    if value < 100:
        return CN_DIGITS[value // 10] + "十" + (CN_DIGITS[value % 10] if value % 10 else "")
    rest = value % 100
    tail = "" if rest == 0 else ("零" + CN_DIGITS[rest] if rest < 10 else chinese_number(rest))
    if 10 <= rest < 20:
        tail = "一" + tail
    return CN_DIGITS[value // 100] + "百" + tail


def heading_number(level: int, count: int) -> str:
    """The number of the ``count``-th heading of ``level``: 一、 / （一） / 1. / （1）."""
    if level == 1:
        return chinese_number(count) + "、"
    if level == 2:
        return "（" + chinese_number(count) + "）"
    if level == 3:
        return f"{count}."
    return f"（{count}）"


def chars(value: float) -> int:
    """Body characters → twips (at the laid-out advance of 15.7 pt)."""
    return round(value * CHAR_ADVANCE)


# --- XML helpers ---------------------------------------------------------------------------------------------

_PPR_ORDER = (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd tabs "
    "suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi "
    "adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection "
    "textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange"
).split()
_RPR_ORDER = (
    "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof snapToGrid "
    "vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd fitText vertAlign rtl cs "
    "em lang eastAsianLayout specVanish oMath"
).split()


def _el(tag: str, **attrs: object) -> Any:
    element = OxmlElement("w:" + tag)
    for name, value in attrs.items():
        element.set(qn("w:" + name), str(value))
    return element


def _put(parent: Any, child: Any, order: tuple[str, ...] | list[str]) -> None:
    """Insert ``child`` into ``parent`` at its schema position (Word rejects out-of-order properties)."""
    name = child.tag.split("}")[1]
    for existing in parent.findall(child.tag):
        parent.remove(existing)
    rank = order.index(name)
    for index, sibling in enumerate(parent):
        sibling_name = sibling.tag.split("}")[1]
        if sibling_name in order and order.index(sibling_name) > rank:
            parent.insert(index, child)
            return
    parent.append(child)


def _ind_attrs(*, first: float = 0, left: float = 0, right: float = 0, hanging: float = 0) -> dict[str, object]:
    """Indent attributes given in body characters, written both as *Chars (hundredths, which Word uses) and
    in twips (which LibreOffice reads)."""
    attrs: dict[str, object] = {}
    for name, value in (("left", left), ("right", right), ("firstLine", first), ("hanging", hanging)):
        if value:
            attrs[name] = chars(value)
            attrs[name + "Chars"] = round(value * 100)
    return attrs


def fmt(
    paragraph: DocxParagraph,
    *,
    jc: str | None = "both",
    ind: Mapping[str, object] | None = None,
    line: int | None = LINE_PITCH,
    before: int = 0,
    after: int = 0,
    snap: bool = True,
    keep_next: bool = False,
    borders: Mapping[str, Mapping[str, object]] | None = None,
    tabs: list[tuple[str, int]] | None = None,
) -> DocxParagraph:
    """Set a paragraph's properties: alignment, indents, exact line height, spacing, grid snapping,
    borders (side → attributes) and tab stops (alignment, position in twips)."""
    ppr = paragraph._p.get_or_add_pPr()
    if keep_next:
        _put(ppr, _el("keepNext"), _PPR_ORDER)
    if borders:
        pbdr = _el("pBdr")
        for side in ("top", "left", "bottom", "right"):
            if side in borders:
                pbdr.append(_el(side, **borders[side]))
        _put(ppr, pbdr, _PPR_ORDER)
    if tabs:
        tabs_el = _el("tabs")
        for align, pos in sorted(tabs, key=lambda t: t[1]):
            tabs_el.append(_el("tab", val=align, pos=pos))
        _put(ppr, tabs_el, _PPR_ORDER)
    if not snap:
        _put(ppr, _el("snapToGrid", val=0), _PPR_ORDER)
    spacing: dict[str, object] = {"before": before, "after": after}
    if line is not None:
        spacing.update(line=line, lineRule="exact")
    _put(ppr, _el("spacing", **spacing), _PPR_ORDER)
    if ind:
        _put(ppr, _el("ind", **ind), _PPR_ORDER)
    if jc:
        _put(ppr, _el("jc", val=jc), _PPR_ORDER)
    return paragraph


def _rfonts(font: str) -> Any:
    return _el("rFonts", ascii=font, hAnsi=font, eastAsia=font, cs=font, hint="eastAsia")


def run(
    paragraph: DocxParagraph,
    text: str,
    *,
    font: str = FANGSONG,
    size: float = BODY_SIZE,
    color: str | None = None,
    scale: int = 100,
) -> Any:
    """Append a run in ``font`` at ``size`` pt ("\\t" and "\\n" become tabs and line breaks)."""
    r = paragraph.add_run(clean(text))
    rpr = r._r.get_or_add_rPr()
    _put(rpr, _rfonts(font), _RPR_ORDER)
    if color:
        _put(rpr, _el("color", val=color), _RPR_ORDER)
    _put(rpr, _el("spacing", val=BODY_CONDENSE if size == BODY_SIZE else 0), _RPR_ORDER)
    if scale != 100:
        _put(rpr, _el("w", val=scale), _RPR_ORDER)
    half_points = round(size * 2)
    _put(rpr, _el("sz", val=half_points), _RPR_ORDER)
    _put(rpr, _el("szCs", val=half_points), _RPR_ORDER)
    return r


def _twips(**values: int) -> dict[str, object]:
    """Indent attributes given in twips (zero values left out)."""
    return {name: value for name, value in values.items() if value}


def _border(size: int, *, color: str = "000000", space: int = 0, val: str = "single") -> dict[str, object]:
    return {"val": val, "sz": size, "space": space, "color": color}


# --- document setup ------------------------------------------------------------------------------------------


def _setup_styles(document: DocxDocument) -> None:
    """Defaults: 3号仿宋 for every script, Chinese as the East Asian language, exact 28.95 pt lines,
    justified, no widow/orphan control (it would move lines and break the 22-line page), no grid snapping
    and 0.3 pt condensed characters (see the module docstring)."""
    styles = document.styles.element
    rpr_default = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for child in list(rpr_default):
        rpr_default.remove(child)
    rpr_default.append(_rfonts(FANGSONG))
    rpr_default.append(_el("kern", val=0))
    rpr_default.append(_el("sz", val=32))
    rpr_default.append(_el("szCs", val=32))
    rpr_default.append(_el("lang", val="zh-CN", eastAsia="zh-CN", bidi="ar-SA"))
    ppr_default = styles.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr"))
    for child in list(ppr_default):
        ppr_default.remove(child)
    ppr_default.append(_el("spacing", before=0, after=0, line=LINE_PITCH, lineRule="exact"))

    normal = document.styles["Normal"].element
    ppr = normal.get_or_add_pPr()
    _put(ppr, _el("widowControl", val=0), _PPR_ORDER)
    # No automatic space between Chinese and Latin letters or digits ("2026年6月9日", not "2026 年 6 月 9 日"),
    # which also keeps the character counts the placements rely on.
    _put(ppr, _el("autoSpaceDE", val=0), _PPR_ORDER)
    _put(ppr, _el("autoSpaceDN", val=0), _PPR_ORDER)
    _put(ppr, _el("snapToGrid", val=0), _PPR_ORDER)
    _put(ppr, _el("spacing", before=0, after=0, line=LINE_PITCH, lineRule="exact"), _PPR_ORDER)
    _put(ppr, _el("jc", val="both"), _PPR_ORDER)
    rpr = normal.get_or_add_rPr()
    _put(rpr, _rfonts(FANGSONG), _RPR_ORDER)
    _put(rpr, _el("spacing", val=BODY_CONDENSE), _RPR_ORDER)
    _put(rpr, _el("sz", val=32), _RPR_ORDER)
    _put(rpr, _el("szCs", val=32), _RPR_ORDER)


def _setup_settings(document: DocxDocument) -> None:
    """Different odd and even footers; Chinese as the theme's East Asian language."""
    document.settings.odd_and_even_pages_header_footer = True
    settings = document.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:eastAsia"), "zh-CN")


def _setup_font_table(document: DocxDocument) -> None:
    """Declare the official fonts (GB2312 charset 86) with the names Word may substitute."""
    for rel in document.part.rels.values():
        if rel.reltype.endswith("/fontTable"):
            part = rel.target_part
            fonts = parse_xml(part.blob)
            for name, (alt, family, pitch) in FONT_TABLE.items():
                font = _el("font", name=name)
                font.append(_el("altName", val=alt))
                font.append(_el("charset", val="86"))
                font.append(_el("family", val=family))
                font.append(_el("pitch", val=pitch))
                fonts.append(font)
            # A plain Part keeps its bytes in _blob; python-docx has no public setter for generic parts.
            part._blob = serialize_part_xml(fonts)
            return


def _setup_page(section: Section) -> None:
    """A4, the GB/T 9704 margins, the 22 × 28 document grid, footers 20 mm from the bottom (the letter's lower
    double line; page numbers sit 5.4 mm higher by their space-after)."""
    section.page_width = Twips(PAGE_WIDTH)
    section.page_height = Twips(PAGE_HEIGHT)
    section.top_margin = Twips(MARGIN_TOP)
    section.bottom_margin = Twips(MARGIN_BOTTOM)
    section.left_margin = Twips(MARGIN_LEFT)
    section.right_margin = Twips(MARGIN_RIGHT)
    section.gutter = Twips(0)
    section.footer_distance = Twips(FOOTER_DISTANCE)
    section.header_distance = Twips(mm(15))
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = _el("docGrid")
        section._sectPr.append(grid)
    for name in list(grid.attrib):
        del grid.attrib[name]
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(LINE_PITCH))
    grid.set(qn("w:charSpace"), str(CHAR_SPACE))


def _page_number_paragraph(paragraph: DocxParagraph, *, odd: bool) -> None:
    """The page number "— N —" in 4号宋体 with a PAGE field; odd pages right one character in, even left."""
    indent = {"right": COLOPHON_CHAR} if odd else {"left": COLOPHON_CHAR}
    fmt(
        paragraph,
        jc="right" if odd else "left",
        ind=indent,
        line=FOOTER_LINE,
        after=PAGE_NUMBER_BOTTOM - FOOTER_DISTANCE,
        snap=False,
    )
    run(paragraph, "— ", font=SONGTI, size=PAGE_NUMBER_SIZE)
    field = _el("fldSimple", instr=" PAGE ")
    number = _el("r")
    rpr = _el("rPr")
    rpr.append(_rfonts(SONGTI))
    rpr.append(_el("spacing", val=0))
    rpr.append(_el("sz", val=round(PAGE_NUMBER_SIZE * 2)))
    rpr.append(_el("szCs", val=round(PAGE_NUMBER_SIZE * 2)))
    number.append(rpr)
    text = _el("t")
    text.text = "1"
    number.append(text)
    field.append(number)
    paragraph._p.append(field)
    run(paragraph, " —", font=SONGTI, size=PAGE_NUMBER_SIZE)


def _setup_footers(section: Section) -> None:
    """Page numbers in the odd (default) and even footers; the letter layout's first page has none."""
    footer = section.footer
    footer.is_linked_to_previous = False
    _page_number_paragraph(footer.paragraphs[0], odd=True)
    even = section.even_page_footer
    even.is_linked_to_previous = False
    _page_number_paragraph(even.paragraphs[0], odd=False)


def _setup_letter_first_page(section: Section, doc: OfficialDocument) -> None:
    """信函格式 page 1: red header 30 mm from the top with a 170 mm double line (上粗下细) 4 mm below it,
    and a 170 mm double line (上细下粗) 20 mm from the bottom, no page number."""
    section.different_first_page_header_footer = True
    size, scale = mark_size(doc.mark_text)
    line = round(size * MARK_LINE_FACTOR * 20)
    section.header_distance = Twips(max(0, LETTER_MARK_TOP - (line - round(size * 20))))
    header = section.first_page_header
    header.is_linked_to_previous = False
    paragraph = header.paragraphs[0]
    overhang = {"left": -LETTER_LINE_OVERHANG, "right": -LETTER_LINE_OVERHANG}
    fmt(
        paragraph,
        jc="center",
        ind=overhang,
        line=line,
        snap=False,
        borders={"bottom": _border(18, color=RED, space=SEPARATOR_SPACE_PT, val="thickThinSmallGap")},
    )
    run(paragraph, doc.mark_text, font=XIAOBIAOSONG, size=size, color=RED, scale=scale)

    footer = section.first_page_footer
    footer.is_linked_to_previous = False
    bottom = footer.paragraphs[0]
    # A 1 pt line whose top border is the double line; the footer distance is 20 mm (see _setup_page).
    # Compound borders name the line nearer the text first: thickThin as a top border is thin above, thick
    # below (上细下粗); as the header's bottom border it is thick above, thin below (上粗下细).
    fmt(
        bottom,
        jc="center",
        ind=overhang,
        line=20,
        snap=False,
        borders={"top": _border(18, color=RED, val="thickThinSmallGap")},
    )


def mark_size(text: str) -> tuple[float, int]:
    """Size (pt) and horizontal scale (%) of the red header: 初号 or 小初 when it fits the 版心 width
    (with a little air), else 小初 compressed horizontally, down to 50 %."""
    available = TEXT_WIDTH / 20 * 0.96
    width = text_width(text) or 1
    for size in MARK_SIZES:
        if width * size <= available:
            return size, 100
    size = MARK_SIZES[-1]
    return size, max(50, math.floor(100 * available / (width * size)))


# --- the parts of the document -----------------------------------------------------------------------------


class _Writer:
    """Appends the elements of one document in order."""

    def __init__(self, document: DocxDocument, doc: OfficialDocument) -> None:
        self.document = document
        self.doc = doc

    def paragraph(self, **kwargs: Any) -> DocxParagraph:
        return fmt(self.document.add_paragraph(), **kwargs)

    def blank(self, count: int = 1) -> None:
        for _ in range(count):
            self.paragraph(jc=None)

    # 版头 ----------------------------------------------------------------------------------------------

    def _top_left_lines(self) -> list[tuple[str, str]]:
        doc = self.doc
        lines: list[tuple[str, str]] = []
        if doc.copy_number:
            lines.append((doc.copy_number.strip(), FANGSONG))
        if doc.classification:
            lines.append((doc.classification.strip(), HEITI))
        if doc.urgency:
            lines.append((doc.urgency.strip(), HEITI))
        return lines

    def head_document(self) -> None:
        """份号 / 密级 / 紧急程度 top left, the red header 35 mm below the top of the 版心, two blank
        lines, the 发文字号 (or the upward 发文字号 + 签发人 lines) with the red separator 4 mm below."""
        doc = self.doc
        top_lines = self._top_left_lines()
        for text, font in top_lines:
            run(self.paragraph(jc="left"), text, font=font)
        size, scale = mark_size(doc.mark_text)
        line = round(size * MARK_LINE_FACTOR * 20)
        before = MARK_TOP_FROM_TEXT - len(top_lines) * LINE_PITCH - (line - round(size * 20))
        mark = self.paragraph(jc="center", line=line, before=max(0, before), snap=False)
        run(mark, doc.mark_text, font=XIAOBIAOSONG, size=size, color=RED, scale=scale)
        self.blank(2)
        separator = {"bottom": _border(SEPARATOR_SIZE, color=RED, space=SEPARATOR_SPACE_PT)}
        if doc.signers:
            self._signer_lines(separator)
        else:
            number = self.paragraph(jc="center", borders=separator)
            if doc.doc_number:
                run(number, doc.doc_number.strip())
        self.blank(2)

    def _signer_lines(self, separator: dict[str, dict[str, object]]) -> None:
        """上行文: 签发人 one character in from the right, two names a line, later lines aligned with the
        first name; the 发文字号 one character in from the left on the last signer line."""
        doc = self.doc
        names = [name.strip() for name in doc.signers]
        rows = [names[i : i + 2] for i in range(0, len(names), 2)]
        first_col = max(text_width(row[0]) for row in rows)
        second_col = max((text_width(row[1]) for row in rows if len(row) > 1), default=0)
        width = 4 + first_col + (1 + second_col if second_col else 0)
        # Tab stops count from the left edge of the 版心; the block ends one character in from the right.
        label_at = TEXT_WIDTH - chars(1 + width)
        tabs = [("left", label_at), ("left", label_at + chars(4))]
        if second_col:
            tabs.append(("left", label_at + chars(4 + first_col + 1)))
        for index, row in enumerate(rows):
            last = index == len(rows) - 1
            paragraph = self.paragraph(
                jc="left", ind=_ind_attrs(left=1), tabs=tabs, borders=separator if last else None
            )
            if last:
                run(paragraph, (doc.doc_number or "").strip())
            if index == 0:
                run(paragraph, "\t签发人：")
            else:
                run(paragraph, "\t\t")
            run(paragraph, row[0], font=KAITI)
            if len(row) > 1:
                run(paragraph, "\t")
                run(paragraph, row[1], font=KAITI)

    def head_letter(self) -> None:
        """信函格式 under the first double line: 份号 / 密级 / 紧急程度 flush left, the 发文字号 flush
        right on the line of the last of them, 7/8 of a 3号 character below the line; then two blank lines."""
        doc = self.doc
        top_lines = self._top_left_lines() or [("", FANGSONG)]
        first_gap = round(BODY_SIZE * 20 * 7 / 8)
        for index, (text, font) in enumerate(top_lines):
            last = index == len(top_lines) - 1
            paragraph = self.paragraph(
                jc="left", before=first_gap if index == 0 else 0, tabs=[("right", TEXT_WIDTH)] if last else None
            )
            if text:
                run(paragraph, text, font=font)
            if last and doc.doc_number:
                run(paragraph, "\t" + doc.doc_number.strip())
        self.blank(2)

    # 主体 ------------------------------------------------------------------------------------------------

    def title(self) -> None:
        """2号小标宋, centred; "\\n" in the title breaks the line there."""
        lines = [line.strip() for line in clean(self.doc.title).strip().split("\n")]
        paragraph = self.paragraph(jc="center", snap=False)
        run(paragraph, "\n".join(lines), font=XIAOBIAOSONG, size=TITLE_SIZE)

    def addressee(self) -> None:
        """One blank line below the title, flush left, ending with a full-width colon."""
        if not self.doc.addressee:
            return
        text = clean(self.doc.addressee).strip().rstrip(":：") + "："
        self.blank()
        run(self.paragraph(jc="both"), text)

    def body(self) -> None:
        """Paragraphs and headings indented two characters; tables full width."""
        counters = [0, 0, 0, 0, 0]
        previous_table = False
        for block in self.doc.body:
            if isinstance(block, Table):
                if previous_table:
                    self.paragraph(jc=None)  # two adjacent tables would merge into one
                self._table(block)
                previous_table = True
                continue
            previous_table = False
            if isinstance(block, Heading):
                counters[block.level] += 1
                for lower in range(block.level + 1, 5):
                    counters[lower] = 0
                text = clean(block.text).strip()
                if not HEADING_NUMBER_RE[block.level].match(text):
                    text = heading_number(block.level, counters[block.level]) + text
                content = clean(block.content).strip()
                paragraph = self.paragraph(ind=_ind_attrs(first=2), keep_next=not content)
                run(paragraph, text, font=HEADING_FONTS[block.level])
                if content:
                    run(paragraph, content)
            elif isinstance(block, Paragraph):
                run(self.paragraph(ind=_ind_attrs(first=2)), clean(block.text).strip())

    def _table(self, block: Table) -> None:
        rows = [[clean(cell).strip() for cell in row] for row in block.rows]
        columns = len(rows[0])
        table: DocxTable = self.document.add_table(rows=len(rows), cols=columns)
        tbl_pr = table._tbl.tblPr
        width = TEXT_WIDTH
        for child in list(tbl_pr):
            if child.tag in (qn("w:tblStyle"), qn("w:tblW"), qn("w:tblLook")):
                tbl_pr.remove(child)
        tbl_pr.append(_el("tblW", w=width, type="dxa"))
        tbl_pr.append(_el("jc", val="center"))
        borders = _el("tblBorders")
        for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
            borders.append(_el(side, val="single", sz=4, space=0, color="000000"))
        tbl_pr.append(borders)
        tbl_pr.append(_el("tblLayout", type="fixed"))
        column_width = width // columns
        grid = table._tbl.tblGrid
        for col in grid.findall(qn("w:gridCol")):
            col.set(qn("w:w"), str(column_width))
        line = round(block.font_size_pt * 1.5 * 20)
        for row_index, (row, values) in enumerate(zip(table.rows, rows, strict=True)):
            header = block.header and row_index == 0
            tr_pr = row._tr.get_or_add_trPr()
            tr_pr.append(_el("cantSplit"))  # a row never breaks across pages
            if header:
                tr_pr.append(_el("tblHeader"))
            for cell, value in zip(row.cells, values, strict=True):
                cell.width = Twips(column_width)
                tc_pr = cell._tc.get_or_add_tcPr()
                tc_pr.append(_el("vAlign", val="center"))
                paragraph = fmt(cell.paragraphs[0], jc="center" if header else "both", line=line, snap=False)
                run(paragraph, value, font=HEITI if header else FANGSONG, size=block.font_size_pt)

    def attachments(self) -> None:
        """附件说明: one blank line below the body, "附件：" two characters in; several attachments are
        numbered 1. 2. …, continuation lines and later names aligned with the first name."""
        names = [clean(name).strip() for name in self.doc.attachments]
        if not names:
            return
        self.blank()
        if len(names) == 1:
            paragraph = self.paragraph(ind=_ind_attrs(left=5, hanging=3))
            run(paragraph, "附件：" + names[0])
            return
        # Room for "1." (½ + ½ character) plus half a character of air; "10." needs two.
        number_width = 1.5 if len(names) < 10 else 2.0
        left = 5 + number_width
        for index, name in enumerate(names, start=1):
            first = index == 1
            hanging = 3 + number_width if first else number_width
            paragraph = self.paragraph(ind=_ind_attrs(left=left, hanging=hanging), tabs=[("left", chars(left))])
            run(paragraph, ("附件：" if first else "") + f"{index}.\t{name}")

    def signature(self) -> None:
        """发文机关署名 and 成文日期, placed by whether the document is sealed (see the module docstring)."""
        doc = self.doc
        issuer = clean(doc.signature_text).strip()
        written = date_text(doc.date)
        issuer_width = text_width(issuer)
        date_width = text_width(written)
        if doc.seal:
            self.blank(2)
            # Centre of the date, in twips from the left edge of the 版心; the issuer is centred on it in a
            # box as wide as the room on the narrower side allows.
            centre = TEXT_WIDTH - chars(4 + date_width / 2)
            half = min(centre, TEXT_WIDTH - centre)
            if chars(issuer_width) <= 2 * half:
                ind = _twips(left=centre - half, right=TEXT_WIDTH - centre - half)
                run(self.paragraph(jc="center", ind=ind), issuer)
            else:
                right = max(0, TEXT_WIDTH - centre - chars(issuer_width / 2))
                run(self.paragraph(jc="right", ind=_twips(right=right)), issuer)
            run(self.paragraph(jc="right", ind=_twips(right=chars(4))), written)
        else:
            self.blank()
            if date_width <= issuer_width - 2:
                # The date starts two characters right of the issuer's first character.
                run(self.paragraph(jc="right", ind=_twips(right=chars(2))), issuer)
                start = TEXT_WIDTH - chars(2) - chars(issuer_width) + chars(2)
                run(self.paragraph(jc="left", ind=_twips(left=start)), written)
            else:
                # A date longer than the issuer: the date two characters in, the issuer moved left with it.
                run(self.paragraph(jc="right", ind=_twips(right=chars(4 + date_width - issuer_width))), issuer)
                run(self.paragraph(jc="right", ind=_twips(right=chars(2))), written)

    def note(self) -> None:
        """附注: the line after the date, two characters in, in round brackets."""
        if not self.doc.note:
            return
        text = clean(self.doc.note).strip()
        if not (text.startswith(("（", "(")) and text.endswith(("）", ")"))):
            text = "（" + text + "）"
        run(self.paragraph(ind=_ind_attrs(first=2)), text)

    # 版记 ------------------------------------------------------------------------------------------------

    def colophon(self) -> None:
        """版记 at the bottom of the 版心 of the last page: 抄送 (one character in on both sides, later
        lines aligned after the colon, a full stop after the last name) and the 印发 line (printer one
        character from the left, "YYYY年M月D日印发" one character from the right), 4号仿宋, with 0.35 mm
        rules first and last and 0.25 mm rules between. The letter layout prints 抄送 only, without rules."""
        doc = self.doc
        letter = doc.layout == "letter"
        rows: list[tuple[str, str | None]] = []
        if doc.cc:
            names = [clean(name).strip().rstrip("。，、；,;.") for name in doc.cc]
            rows.append(("cc", "抄送：" + "，".join(names) + "。"))
        if doc.printer and doc.print_date is not None and not letter:
            rows.append(("printer", None))
        if not rows:
            self.paragraph(jc=None, line=20, snap=False)
            return
        table: DocxTable = self.document.add_table(rows=len(rows), cols=1)
        tbl = table._tbl
        tbl_pr = tbl.tblPr
        for child in list(tbl_pr):
            tbl_pr.remove(child)
        tbl_pr.append(
            _el(
                "tblpPr",
                leftFromText=0,
                rightFromText=0,
                topFromText=0,
                bottomFromText=0,
                vertAnchor="margin",
                # Horizontally against the page at the left margin, not centred in the margins: the same
                # place, but LibreOffice floats a full-width table only when it is anchored to the page.
                horzAnchor="page",
                tblpX=MARGIN_LEFT,
                tblpYSpec="bottom",
            )
        )
        tbl_pr.append(_el("tblOverlap", val="never"))
        tbl_pr.append(_el("tblW", w=TEXT_WIDTH, type="dxa"))
        borders = _el("tblBorders")
        rule = "nil" if letter else "single"
        rules = {"top": COLOPHON_THICK, "bottom": COLOPHON_THICK, "insideH": COLOPHON_THIN}
        for side in ("top", "left", "bottom", "right", "insideH", "insideV"):  # schema order
            if side in rules:
                borders.append(_el(side, val=rule, sz=rules[side], space=0, color="000000"))
            else:
                borders.append(_el(side, val="nil"))
        tbl_pr.append(borders)
        tbl_pr.append(_el("tblLayout", type="fixed"))
        margins = _el("tblCellMar")
        for side in ("left", "right"):
            margins.append(_el(side, w=0, type="dxa"))
        tbl_pr.append(margins)
        tbl.tblGrid.findall(qn("w:gridCol"))[0].set(qn("w:w"), str(TEXT_WIDTH))
        for row, (kind, text) in zip(table.rows, rows, strict=True):
            cell = row.cells[0]
            cell.width = Twips(TEXT_WIDTH)
            paragraph = cell.paragraphs[0]
            if kind == "cc":
                ind = {"left": 4 * COLOPHON_CHAR, "right": COLOPHON_CHAR, "hanging": 3 * COLOPHON_CHAR}
                fmt(paragraph, jc="left", ind=ind, snap=False)
                run(paragraph, text or "", size=COLOPHON_SIZE)
            else:
                stop = TEXT_WIDTH - COLOPHON_CHAR
                ind = {"left": COLOPHON_CHAR, "right": COLOPHON_CHAR}
                fmt(paragraph, jc="left", ind=ind, snap=False, tabs=[("right", stop)])
                printed = date_text(doc.print_date) + "印发" if doc.print_date is not None else ""
                run(paragraph, clean(doc.printer or "").strip() + "\t" + printed, size=COLOPHON_SIZE)
        # The floating table is anchored to the paragraph after it; a 1 pt one, so it never adds a page.
        self.paragraph(jc=None, line=20, snap=False)


def build(doc: OfficialDocument) -> bytes:
    """Typeset ``doc`` per GB/T 9704-2012 and return the .docx bytes.

    Raises ``DocumentError`` (with every Chinese problem from ``validate``) when the document is invalid;
    nothing is produced in that case.
    """
    problems = validate(doc)
    if problems:
        raise DocumentError(problems)
    document = Document()
    _setup_styles(document)
    _setup_settings(document)
    _setup_font_table(document)
    section = document.sections[0]
    _setup_page(section)
    _setup_footers(section)
    writer = _Writer(document, doc)
    if doc.layout == "letter":
        _setup_letter_first_page(section, doc)
        writer.head_letter()
    else:
        writer.head_document()
    writer.title()
    writer.addressee()
    writer.body()
    writer.attachments()
    writer.signature()
    writer.note()
    writer.colophon()
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
