"""GB/T 9704-2012 builder: the .docx it writes, read back with python-docx (no LibreOffice needed).

Layout numbers from the official-rules spec §5; validation vectors F3 and F4 from §5.3. The rendered
result (page count, A4, what page 1 looks like) is checked in test_gbt9704_render.py.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kejiju.engines.gbt9704 import (
    DocumentError,
    Heading,
    OfficialDocument,
    Paragraph,
    Table,
    build,
    chinese_number,
    date_problem,
    doc_number_problem,
    heading_number,
    mark_size,
    sample_document,
    text_width,
    validate,
)
from kejiju.engines.gbt9704 import builder as B
from kejiju.engines.gbt9704.text import is_blank

TWIPS_PER_MM = 1440 / 25.4


def open_docx(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


@pytest.fixture(scope="module")
def sample_bytes() -> bytes:
    return build(sample_document())


@pytest.fixture(scope="module")
def sample(sample_bytes: bytes) -> docx.document.Document:
    return open_docx(sample_bytes)


def minimal(**changes: object) -> OfficialDocument:
    doc = OfficialDocument(
        issuer="天长市科学技术局",
        title="关于开展科技活动周的通知",
        body=(Paragraph("现将有关事项通知如下。"),),
        date="2026年6月9日",
    )
    return replace(doc, **changes)  # type: ignore[arg-type]


def para(document: docx.document.Document, starts: str) -> docx.text.paragraph.Paragraph:
    """The first body paragraph whose text starts with ``starts``."""
    for paragraph in document.paragraphs:
        if paragraph.text.startswith(starts):
            return paragraph
    raise AssertionError(f"no paragraph starts with {starts!r}")


def index_of(document: docx.document.Document, starts: str, *, exact: bool = False) -> int:
    """Index of the first body paragraph whose text starts with (or, with ``exact``, equals) ``starts``."""
    for index, paragraph in enumerate(document.paragraphs):
        if paragraph.text == starts or (not exact and paragraph.text.startswith(starts)):
            return index
    raise AssertionError(f"no paragraph starts with {starts!r}")


def fonts(run: docx.text.run.Run) -> dict[str, str]:
    rfonts = run._r.rPr.find(qn("w:rFonts"))
    return {key: rfonts.get(qn("w:" + key)) for key in ("ascii", "hAnsi", "eastAsia", "cs")}


def ppr_attr(paragraph: docx.text.paragraph.Paragraph, tag: str, attr: str) -> str | None:
    element = paragraph._p.pPr.find(qn("w:" + tag))
    return None if element is None else element.get(qn("w:" + attr))


def ind(paragraph: docx.text.paragraph.Paragraph, attr: str) -> int:
    value = ppr_attr(paragraph, "ind", attr)
    return int(value) if value is not None else 0


def border(paragraph: docx.text.paragraph.Paragraph, side: str) -> dict[str, str]:
    element = paragraph._p.pPr.find(qn("w:pBdr")).find(qn("w:" + side))
    return {key: element.get(qn("w:" + key)) for key in ("val", "sz", "space", "color")}


# --- page ------------------------------------------------------------------------------------------------------


def test_page_is_a4_with_the_standard_margins(sample: docx.document.Document) -> None:
    section = sample.sections[0]
    assert section.page_width.mm == pytest.approx(210, abs=0.5)
    assert section.page_height.mm == pytest.approx(297, abs=0.5)
    assert section.top_margin.mm == pytest.approx(37, abs=0.5)
    assert section.left_margin.mm == pytest.approx(28, abs=0.5)
    assert section.bottom_margin.mm == pytest.approx(35, abs=0.5)
    assert section.right_margin.mm == pytest.approx(26, abs=0.5)
    # 版心 156 × 225 mm
    width = section.page_width - section.left_margin - section.right_margin
    height = section.page_height - section.top_margin - section.bottom_margin
    assert width / 36000 == pytest.approx(156, abs=0.5)  # EMU → mm
    assert height / 36000 == pytest.approx(225, abs=0.5)


def test_document_grid_gives_22_lines_of_28_characters(sample: docx.document.Document) -> None:
    section = sample.sections[0]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    line_pitch = int(grid.get(qn("w:linePitch")))
    assert line_pitch == 579  # 28.95 pt
    text_height = int(section.page_height - section.top_margin - section.bottom_margin) / 635  # EMU → twips
    assert 22 * line_pitch <= text_height < 23 * line_pitch
    # Character pitch = 16 pt + charSpace/4096 pt: 28 fit the 156 mm line, 29 do not.
    pitch_pt = 16 + int(grid.get(qn("w:charSpace"))) / 4096
    text_width_pt = int(section.page_width - section.left_margin - section.right_margin) / 12700
    assert 28 * pitch_pt <= text_width_pt < 29 * pitch_pt
    assert pitch_pt == pytest.approx(15.79, abs=0.01)


def test_normal_style_fixes_lines_and_characters(sample: docx.document.Document) -> None:
    normal = sample.styles["Normal"]
    assert normal.paragraph_format.line_spacing == Pt(28.95)
    assert normal.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    ppr = normal.element.pPr
    assert ppr.find(qn("w:snapToGrid")).get(qn("w:val")) == "0"
    assert ppr.find(qn("w:widowControl")).get(qn("w:val")) == "0"
    # 16 pt condensed by 0.3 pt: 28 characters fit the 442.25 pt line, 29 never do.
    condense = int(normal.element.rPr.find(qn("w:spacing")).get(qn("w:val"))) / 20
    assert 28 * (16 + condense) <= 442.25 < 29 * (16 + condense)
    assert normal.font.size == Pt(16)
    # No theme fonts left in the defaults: they would override the named fonts.
    defaults = sample.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    rfonts = defaults.find(qn("w:rFonts"))
    assert rfonts.get(qn("w:asciiTheme")) is None and rfonts.get(qn("w:eastAsiaTheme")) is None
    assert rfonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert defaults.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"


# --- 版头 --------------------------------------------------------------------------------------------------------


def test_red_issuer_mark(sample: docx.document.Document) -> None:
    mark = sample.paragraphs[0]
    assert mark.text == "天长市科学技术局文件"
    assert mark.alignment == WD_ALIGN_PARAGRAPH.CENTER
    (run,) = mark.runs
    assert str(run.font.color.rgb) == "FF0000"
    assert fonts(run)["eastAsia"] == "方正小标宋简体"
    assert run.font.size == Pt(42)  # 初号: 10 characters fit the 156 mm line
    # Top of the characters 35 mm below the top of the 版心: space-before + the quarter em above them.
    before = int(ppr_attr(mark, "spacing", "before"))
    line = int(ppr_attr(mark, "spacing", "line"))
    assert (before + line - 42 * 20) / TWIPS_PER_MM == pytest.approx(35, abs=0.1)


def test_mark_moves_up_by_the_copy_number_classification_and_urgency_lines() -> None:
    document = open_docx(build(minimal(copy_number="000001", classification="秘密★1年", urgency="特急")))
    first, second, third, mark = document.paragraphs[:4]
    assert [first.text, second.text, third.text] == ["000001", "秘密★1年", "特急"]
    assert first.alignment == WD_ALIGN_PARAGRAPH.LEFT
    assert fonts(first.runs[0])["eastAsia"] == "仿宋_GB2312"
    assert fonts(second.runs[0])["eastAsia"] == "黑体"
    assert fonts(third.runs[0])["eastAsia"] == "黑体"
    before = int(ppr_attr(mark, "spacing", "before"))
    line = int(ppr_attr(mark, "spacing", "line"))
    assert (3 * 579 + before + line - 42 * 20) / TWIPS_PER_MM == pytest.approx(35, abs=0.1)


def test_doc_number_and_red_separator(sample: docx.document.Document) -> None:
    paragraphs = sample.paragraphs
    assert [p.text for p in paragraphs[1:3]] == ["", ""]  # two blank lines below the mark
    number = paragraphs[3]
    assert number.text == "天科〔2026〕5号"
    assert number.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert fonts(number.runs[0])["eastAsia"] == "仿宋_GB2312"
    line = border(number, "bottom")
    assert line["color"] == "FF0000" and line["val"] == "single"
    assert int(line["space"]) * 0.3528 == pytest.approx(4, abs=0.2)  # 11 pt ≈ 4 mm below the number
    # Full 版心 width: no indents on the bordered paragraph.
    assert number._p.pPr.find(qn("w:ind")) is None
    # Title two blank lines below the red line, centred, 2号小标宋.
    assert [p.text for p in paragraphs[4:6]] == ["", ""]
    title = paragraphs[6]
    assert title.text == "天长市科学技术局关于组织申报\n2027年度科技计划项目的通知"
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert all(run.font.size == Pt(22) for run in title.runs)
    assert fonts(title.runs[0])["eastAsia"] == "方正小标宋简体"
    assert fonts(title.runs[0])["ascii"] == "方正小标宋简体"


def test_addressee_flush_left_with_full_width_colon(sample: docx.document.Document) -> None:
    addressee = para(sample, "各乡镇人民政府")
    assert addressee.text.endswith("各有关企业：")
    assert addressee._p.pPr.find(qn("w:ind")) is None
    index = index_of(sample, "各乡镇人民政府")
    assert sample.paragraphs[index - 1].text == ""  # one blank line below the title
    colon = open_docx(build(minimal(addressee="各乡镇人民政府:")))
    assert para(colon, "各乡镇").text == "各乡镇人民政府："


def test_signers_of_an_upward_document() -> None:
    doc = minimal(signers=("张三", "李四海", "王五"), doc_number="天科〔2026〕18号")
    document = open_docx(build(doc))
    first = para(document, "\t签发人：")
    last = para(document, "天科〔2026〕18号")
    assert first.text == "\t签发人：张三\t李四海"
    assert last.text == "天科〔2026〕18号\t\t王五"
    assert fonts(first.runs[1])["eastAsia"] == "楷体_GB2312"  # names in 楷体
    assert fonts(first.runs[0])["eastAsia"] == "仿宋_GB2312"  # label in 仿宋
    # The number one character in from the left; the signer block ends one character in from the right.
    assert ind(last, "left") == B.chars(1)
    stops = [int(tab.get(qn("w:pos"))) for tab in last._p.pPr.find(qn("w:tabs"))]
    width = 4 + 2 + 1 + 3  # 签发人： + widest first name + gap + widest second name
    assert stops[0] == B.TEXT_WIDTH - B.chars(1 + width)
    assert stops[1] == stops[0] + B.chars(4)  # later lines line up with the first name
    assert border(last, "bottom")["color"] == "FF0000"  # red line under the last signer line


# --- 主体 --------------------------------------------------------------------------------------------------------


def test_body_paragraph_font_size_spacing_and_indent(sample: docx.document.Document) -> None:
    body = para(sample, "为深入实施创新驱动发展战略")
    assert all(fonts(run) == dict.fromkeys(("ascii", "hAnsi", "eastAsia", "cs"), "仿宋_GB2312") for run in body.runs)
    assert all(run.font.size == Pt(16) for run in body.runs)
    assert body.paragraph_format.line_spacing == Pt(28.95)
    assert body.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert ppr_attr(body, "ind", "firstLineChars") == "200"
    assert ind(body, "firstLine") == pytest.approx(2 * 314, abs=2)  # twips for programs without *Chars
    assert body.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY


def test_heading_fonts_and_automatic_numbers(sample: docx.document.Document) -> None:
    level1 = para(sample, "一、申报范围")
    assert fonts(level1.runs[0])["eastAsia"] == "黑体"
    assert ppr_attr(level1, "ind", "firstLineChars") == "200"
    assert level1._p.pPr.find(qn("w:keepNext")) is not None
    level2 = para(sample, "（一）重点研发项目。")
    assert fonts(level2.runs[0])["eastAsia"] == "楷体_GB2312"
    assert fonts(level2.runs[1])["eastAsia"] == "仿宋_GB2312"  # run-in text in the body font
    assert level2.runs[0].text == "（一）重点研发项目。"
    assert para(sample, "（三）农业科技创新项目。")
    assert para(sample, "二、申报条件")
    level3 = para(sample, "1.企业申报的")
    assert fonts(level3.runs[0])["eastAsia"] == "仿宋_GB2312"
    assert para(sample, "（1）上一年度研究开发费用")
    assert para(sample, "（3）项目自筹资金")
    assert para(sample, "2.每个单位限报1项")  # level 3 continues after its level-4 children
    assert para(sample, "四、有关要求")


def test_numbering_restarts_and_keeps_typed_numbers() -> None:
    body = (
        Heading("总体要求"),
        Heading("目标", level=2),
        Heading("二、重点任务"),  # typed number kept
        Heading("任务一", level=2),  # restarts at （一） under a new level-1 heading
        Heading("（二）任务二", level=2),
        Heading("细则", level=3),
        Heading("条款", level=4),
    )
    document = open_docx(build(minimal(body=body)))
    texts = [p.text for p in document.paragraphs]
    for expected in (
        "一、总体要求",
        "（一）目标",
        "二、重点任务",
        "（一）任务一",
        "（二）任务二",
        "1.细则",
        "（1）条款",
    ):
        assert expected in texts


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, "一"),
        (9, "九"),
        (10, "十"),
        (11, "十一"),
        (20, "二十"),
        (21, "二十一"),
        (99, "九十九"),
        (100, "一百"),
        (105, "一百零五"),
        (110, "一百一十"),
        (123, "一百二十三"),
    ],
)
def test_chinese_numbers(value: int, expected: str) -> None:
    assert chinese_number(value) == expected


def test_heading_number_forms() -> None:
    assert [heading_number(level, 3) for level in (1, 2, 3, 4)] == ["三、", "（三）", "3.", "（3）"]


def test_table_block(sample: docx.document.Document) -> None:
    body_tables = [t for t in sample.tables if t._tbl.tblPr.find(qn("w:tblpPr")) is None]
    (table,) = body_tables
    assert [cell.text for cell in table.rows[0].cells] == ["阶段", "时间", "工作内容"]
    header = table.rows[0]._tr.trPr
    assert header.find(qn("w:tblHeader")) is not None
    assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows)
    assert fonts(table.rows[0].cells[0].paragraphs[0].runs[0])["eastAsia"] == "黑体"
    cell_run = table.rows[1].cells[0].paragraphs[0].runs[0]
    assert fonts(cell_run)["eastAsia"] == "仿宋_GB2312"
    assert cell_run.font.size == Pt(14)
    assert int(table._tbl.tblPr.find(qn("w:tblW")).get(qn("w:w"))) == B.TEXT_WIDTH


def test_adjacent_tables_are_kept_apart() -> None:
    table = Table(rows=(("甲", "乙"), ("1", "2")))
    document = open_docx(build(minimal(body=(table, table))))
    body = document.element.body
    kinds = [child.tag.split("}")[1] for child in body]
    first = kinds.index("tbl")
    assert kinds[first + 1] == "p"  # a paragraph between them, or Word would merge the two


# --- 附件说明, 署名, 日期, 附注 ---------------------------------------------------------------------------------


def test_attachment_note_alignment(sample: docx.document.Document) -> None:
    first = para(sample, "附件：")
    second = para(sample, "2.\t")
    assert first.text == "附件：1.\t2027年度天长市科技计划项目申报书"
    assert second.text == "2.\t2027年度天长市科技计划项目推荐汇总表"
    index = index_of(sample, "附件：")
    assert sample.paragraphs[index - 1].text == ""  # one blank line below the body
    # "附件" starts two characters in; every name starts at the same left indent.
    assert ind(first, "left") - ind(first, "hanging") == B.chars(2)
    assert ind(first, "left") == ind(second, "left")
    assert ind(second, "left") - ind(second, "hanging") == B.chars(5)  # "2." under "1."
    single = open_docx(build(minimal(attachments=("申报书",))))
    only = para(single, "附件：")
    assert only.text == "附件：申报书"
    assert ind(only, "left") == B.chars(5) and ind(only, "hanging") == B.chars(3)


def test_sealed_signature_centres_issuer_over_date_four_characters_in(sample: docx.document.Document) -> None:
    index = index_of(sample, "天长市科学技术局", exact=True)  # the signature, not the mark
    issuer, written = sample.paragraphs[index], sample.paragraphs[index + 1]
    assert issuer.text == "天长市科学技术局"
    assert written.text == "2026年6月9日"
    assert [p.text for p in sample.paragraphs[index - 2 : index]] == ["", ""]  # seal room: two blank lines
    assert written.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert ind(written, "right") == B.chars(4)
    assert issuer.alignment == WD_ALIGN_PARAGRAPH.CENTER
    # The issuer's box is centred on the date's centre.
    box_centre = (ind(issuer, "left") + B.TEXT_WIDTH - ind(issuer, "right")) / 2
    date_centre = B.TEXT_WIDTH - B.chars(4) - B.chars(text_width("2026年6月9日")) / 2
    assert box_centre == pytest.approx(date_centre, abs=2)


def test_unsealed_signature_two_characters_in_date_two_further_right() -> None:
    document = open_docx(build(minimal(seal=False)))
    index = index_of(document, "天长市科学技术局", exact=True)
    issuer, written = document.paragraphs[index], document.paragraphs[index + 1]
    assert document.paragraphs[index - 1].text == "" and document.paragraphs[index - 2].text != ""
    assert issuer.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert ind(issuer, "right") == B.chars(2)
    issuer_start = B.TEXT_WIDTH - B.chars(2) - B.chars(8)
    assert written.alignment == WD_ALIGN_PARAGRAPH.LEFT
    assert ind(written, "left") - issuer_start == B.chars(2)


def test_unsealed_signature_with_a_date_longer_than_the_issuer() -> None:
    document = open_docx(build(minimal(seal=False, signature="科技局", date=date(2026, 12, 31))))
    index = index_of(document, "科技局", exact=True)
    issuer, written = document.paragraphs[index], document.paragraphs[index + 1]
    assert written.text == "2026年12月31日"
    assert written.alignment == WD_ALIGN_PARAGRAPH.RIGHT and ind(written, "right") == B.chars(2)
    issuer_start = B.TEXT_WIDTH - ind(issuer, "right") - B.chars(3)
    date_start = B.TEXT_WIDTH - B.chars(2) - B.chars(7)
    assert date_start - issuer_start == B.chars(2)


def test_note_in_brackets_after_the_date(sample: docx.document.Document) -> None:
    note = para(sample, "（此件公开发布）")
    index = index_of(sample, "（此件公开发布）")
    assert sample.paragraphs[index - 1].text == "2026年6月9日"
    assert ppr_attr(note, "ind", "firstLineChars") == "200"
    typed = open_docx(build(minimal(note="（此件依申请公开）")))
    assert para(typed, "（此件依申请公开）").text == "（此件依申请公开）"


# --- 版记 and page numbers ----------------------------------------------------------------------------------------


def test_colophon_at_the_bottom_with_thick_and_thin_rules(sample: docx.document.Document) -> None:
    (table,) = [t for t in sample.tables if t._tbl.tblPr.find(qn("w:tblpPr")) is not None]
    position = table._tbl.tblPr.find(qn("w:tblpPr"))
    assert position.get(qn("w:vertAnchor")) == "margin"
    assert position.get(qn("w:tblpYSpec")) == "bottom"  # last rule on the bottom edge of the 版心
    assert int(position.get(qn("w:tblpX"))) == B.MARGIN_LEFT
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    sizes = {side: borders.find(qn("w:" + side)).get(qn("w:sz")) for side in ("top", "bottom", "insideH")}
    assert sizes == {"top": "8", "bottom": "8", "insideH": "6"}  # 0.35 mm, 0.35 mm, 0.25 mm
    assert int(table._tbl.tblPr.find(qn("w:tblW")).get(qn("w:w"))) == B.TEXT_WIDTH
    cc = table.rows[0].cells[0].paragraphs[0]
    assert cc.text == "抄送：滁州市科学技术局，市财政局。"
    assert cc.runs[0].font.size == Pt(14)
    assert fonts(cc.runs[0])["eastAsia"] == "仿宋_GB2312"
    assert ind(cc, "left") - ind(cc, "hanging") == 280  # one 4号 character in
    assert ind(cc, "right") == 280
    printed = table.rows[1].cells[0].paragraphs[0]
    assert printed.text == "天长市科学技术局办公室\t2026年6月9日印发"
    (stop,) = printed._p.pPr.find(qn("w:tabs"))
    assert stop.get(qn("w:val")) == "right" and int(stop.get(qn("w:pos"))) == B.TEXT_WIDTH - 280


def _footer_paragraph(footer: docx.section._Footer) -> docx.text.paragraph.Paragraph:
    (paragraph,) = footer.paragraphs
    return paragraph


def test_page_numbers_odd_right_even_left_with_page_fields(sample: docx.document.Document) -> None:
    settings_xml = sample.settings.element
    assert settings_xml.find(qn("w:evenAndOddHeaders")) is not None
    assert sample.settings.odd_and_even_pages_header_footer
    section = sample.sections[0]
    odd = _footer_paragraph(section.footer)
    even = _footer_paragraph(section.even_page_footer)
    assert odd.alignment == WD_ALIGN_PARAGRAPH.RIGHT and ind(odd, "right") == 280
    assert even.alignment == WD_ALIGN_PARAGRAPH.LEFT and ind(even, "left") == 280
    for paragraph in (odd, even):
        (field,) = paragraph._p.findall(qn("w:fldSimple"))
        assert field.get(qn("w:instr")).strip() == "PAGE"
        texts = [t.text for t in paragraph._p.iter(qn("w:t"))]
        assert texts[0] == "— " and texts[-1] == " —"  # em dashes U+2014, not hyphens
        assert "\u2014" in texts[0]
        for r in paragraph._p.iter(qn("w:r")):
            rpr = r.find(qn("w:rPr"))
            assert rpr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "宋体"
            assert rpr.find(qn("w:sz")).get(qn("w:val")) == "28"  # 14 pt
    # The number line's bottom 25.4 mm above the page bottom: the dashes sit about 7 mm below the 版心.
    after = int(ppr_attr(odd, "spacing", "after"))
    assert (section.footer_distance.twips + after) / TWIPS_PER_MM == pytest.approx(25.4, abs=0.1)
    assert not section.different_first_page_header_footer  # 文件格式 numbers page 1 too


def test_font_table_names_the_substitutes(sample_bytes: bytes) -> None:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(sample_bytes)) as archive:
        font_table = archive.read("word/fontTable.xml").decode()
    assert 'w:name="仿宋_GB2312"' in font_table and 'w:val="仿宋"' in font_table
    assert 'w:name="楷体_GB2312"' in font_table and 'w:val="86"' in font_table


# --- 信函格式 --------------------------------------------------------------------------------------------------


def test_letter_layout() -> None:
    doc = replace(sample_document(), layout="letter", doc_number="天科函〔2026〕12号", urgency="加急")
    document = open_docx(build(doc))
    section = document.sections[0]
    assert section.different_first_page_header_footer
    # Red header in the first-page header, 30 mm from the top of the page, issuer name without 文件.
    (mark,) = section.first_page_header.paragraphs
    assert mark.text == "天长市科学技术局"
    assert str(mark.runs[0].font.color.rgb) == "FF0000"
    line = int(ppr_attr(mark, "spacing", "line"))
    size = mark.runs[0].font.size.pt
    assert (section.header_distance.twips + line - size * 20) / TWIPS_PER_MM == pytest.approx(30, abs=0.1)
    top_line = border(mark, "bottom")
    assert top_line["color"] == "FF0000" and top_line["val"] == "thickThinSmallGap"  # 上粗下细
    assert ind(mark, "left") == ind(mark, "right") == -B.mm(7)  # 170 mm long
    # Lower double line 20 mm from the bottom; no page number on page 1.
    (bottom,) = section.first_page_footer.paragraphs
    assert border(bottom, "top")["color"] == "FF0000"
    assert section.footer_distance.mm == pytest.approx(20, abs=0.1)
    assert not bottom._p.findall(qn("w:fldSimple"))
    assert section.footer.paragraphs[0]._p.findall(qn("w:fldSimple"))  # later pages are numbered
    # The body starts with 紧急程度 flush left and the number flush right on the same line.
    first = document.paragraphs[0]
    assert first.text == "加急\t天科函〔2026〕12号"
    (stop,) = first._p.pPr.find(qn("w:tabs"))
    assert stop.get(qn("w:val")) == "right" and int(stop.get(qn("w:pos"))) == B.TEXT_WIDTH
    assert int(ppr_attr(first, "spacing", "before")) == 280  # 7/8 of a 3号 character below the line
    assert all("文件" not in p.text for p in document.paragraphs[:3])
    # 版记: 抄送 only, no rules, no 印发.
    (colophon,) = [t for t in document.tables if t._tbl.tblPr.find(qn("w:tblpPr")) is not None]
    assert len(colophon.rows) == 1 and colophon.rows[0].cells[0].text.startswith("抄送：")
    borders = colophon._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders.find(qn("w:top")).get(qn("w:val")) == "nil"


def test_letter_rejects_signers() -> None:
    problems = validate(minimal(layout="letter", signers=("张三",), doc_number="天科函〔2026〕1号"))
    assert any(p.field == "signers" and "信函格式" in p.message for p in problems)


# --- validation ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("科发〔2026〕5号", None),
        ("天科〔2026〕5号", None),
        ("国科发火〔2016〕32号", None),
        ("科发[2026]5号", "六角括号"),
        ("科发〔2026〕05号", "虚位"),
        ("科发〔26〕5号", "4位"),
        ("科发〔2026〕第5号", "第"),
        ("科发〔2026〕5", "号"),
        ("〔2026〕5号", "格式不正确"),
    ],
)
def test_doc_number_vectors_f3(number: str, reason: str | None) -> None:
    problem = doc_number_problem(number)
    if reason is None:
        assert problem is None
    else:
        assert problem is not None and reason in problem and problem.endswith("。")


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("2026年6月9日", None),
        ("2026年12月31日", None),
        ("2024年2月29日", None),
        ("2026年06月09日", "虚位"),
        ("二〇二六年六月九日", "阿拉伯数字"),
        ("2026年2月30日", "不是真实存在的日期"),
        ("2025年2月29日", "不是真实存在的日期"),
        ("2026年13月1日", "格式不正确"),
        ("26年6月9日", "4位"),
        ("2026-06-09", "格式不正确"),
    ],
)
def test_date_vectors_f4(written: str, reason: str | None) -> None:
    problem = date_problem(written, "成文日期")
    if reason is None:
        assert problem is None
    else:
        assert problem is not None and reason in problem and problem.startswith("成文日期")


def test_date_object_is_written_without_padding() -> None:
    document = open_docx(build(minimal(date=date(2026, 1, 5))))
    assert para(document, "2026年1月5日")


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"title": ""}, "title", "标题不能为空。"),
        ({"title": "第一行\n\n第三行"}, "title", "空行"),
        ({"issuer": " "}, "issuer", "发文机关不能为空。"),
        ({"body": ()}, "body", "正文不能为空。"),
        ({"body": (Paragraph("  "),)}, "body", "空段落"),
        ({"body": (Heading("标题", level=5),)}, "body", "1至4级"),
        ({"body": (Table(rows=(("a", "b"), ("c",))),)}, "body", "列数不一致"),
        ({"doc_number": "科发[2026]5号"}, "doc_number", "六角括号"),
        ({"date": "2026年06月09日"}, "date", "虚位"),
        ({"copy_number": "12345"}, "copy_number", "6位"),
        ({"classification": "内部"}, "classification", "秘密★1年"),
        ({"urgency": "急"}, "urgency", "特急"),
        ({"attachments": ("申报书。",)}, "attachments", "不加标点"),
        ({"printer": "办公室"}, "printer", "同时填写"),
        ({"printer": "办公室", "print_date": "2026年6月31日"}, "print_date", "印发日期"),
        ({"signers": ("张三",)}, "signers", "发文字号"),
        ({"layout": "memo"}, "layout", "版式"),
        ({"note": " "}, "note", "附注"),
        ({"cc": ("市财政局", "")}, "cc", "抄送"),
    ],
)
def test_validation_problems(changes: dict[str, object], field: str, text: str) -> None:
    problems = validate(minimal(**changes))
    assert any(p.field == field and text in p.message for p in problems), problems
    assert all(p.message.endswith("。") for p in problems)


def test_valid_documents_have_no_problems() -> None:
    assert validate(sample_document()) == []
    assert validate(minimal()) == []


def test_build_raises_document_error_with_chinese_problems() -> None:
    with pytest.raises(DocumentError) as caught:
        build(minimal(title="", doc_number="科发〔2026〕第5号"))
    error = caught.value
    assert {p.field for p in error.problems} == {"title", "doc_number"}
    assert "标题不能为空。" in str(error)
    assert "第" in str(error) and str(error).startswith("公文内容有误：")


# --- marks, widths, text -------------------------------------------------------------------------------------


def test_mark_size_fits_the_line() -> None:
    assert mark_size("天长市科学技术局文件") == (42.0, 100)  # 10 × 42 pt fits 156 mm
    # 16 characters: compressed horizontally, 100 × (0.96 × 442.25 pt) ÷ (16 × 36 pt) → 73 %.
    assert mark_size("天长市科学技术局天长市财政局文件") == (36.0, 73)
    assert mark_size("天" * 40)[1] == 50  # never narrower than half width
    document = open_docx(build(minimal(issuer_mark="天长市科学技术局天长市财政局文件")))
    run = document.paragraphs[0].runs[0]
    assert run._r.rPr.find(qn("w:w")).get(qn("w:val")) == "73"


def test_text_width_counts_half_width_digits() -> None:
    assert text_width("2026年6月9日") == 6
    assert text_width("2026年12月31日") == 7
    assert text_width("天长市科学技术局") == 8


def test_control_characters_are_dropped_not_fatal() -> None:
    document = open_docx(build(minimal(body=(Paragraph("第一句\x00\x0b第二句\r\n第三句"),))))
    assert para(document, "第一句").text == "第一句第二句\n第三句"
    assert is_blank("\x00 \x1f")


def test_sample_document_builds_and_is_realistic(sample: docx.document.Document) -> None:
    doc = sample_document()
    assert doc.title.replace("\n", "") == "天长市科学技术局关于组织申报2027年度科技计划项目的通知"
    assert {type(block).__name__ for block in doc.body} == {"Paragraph", "Heading", "Table"}
    assert {block.level for block in doc.body if isinstance(block, Heading)} == {1, 2, 3, 4}
    assert doc.attachments and doc.cc and doc.printer and doc.print_date
    assert para(sample, "特此通知。")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    texts=st.lists(st.text(max_size=300), min_size=1, max_size=4),
    levels=st.lists(st.integers(min_value=0, max_value=4), min_size=4, max_size=4),
)
def test_random_body_text_never_crashes(texts: list[str], levels: list[int]) -> None:
    """Any text either builds a .docx that opens again, or is refused with DocumentError because a block
    is blank — never another exception."""
    body = tuple(
        Paragraph(text) if level == 0 else Heading(text, level=level)
        for text, level in zip(texts, levels, strict=False)
    )
    doc = minimal(body=body)
    try:
        data = build(doc)
    except DocumentError as error:
        assert any(is_blank(text) for text in texts)
        assert error.problems
        return
    assert not any(is_blank(text) for text in texts)
    assert open_docx(data).paragraphs
