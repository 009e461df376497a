"""The JSON form of a 公文 (``jsonio``) and the typed-text body (``plaintext``): round trips, and a Chinese
problem naming the JSON field for every kind of bad input."""

from __future__ import annotations

import json
from datetime import date

import pytest

from kejiju.engines.gbt9704 import DocumentError, Heading, OfficialDocument, Paragraph, Table, sample_document, validate
from kejiju.engines.gbt9704.jsonio import FIELDS, dumps, from_dict, loads, problems_by_field, to_dict
from kejiju.engines.gbt9704.plaintext import body_from_text, body_to_text, heading_level


def minimal_dict(**changes: object) -> dict:
    data = {
        "issuer": "天长市科学技术局",
        "title": "关于开展科技活动周的通知",
        "body": [{"type": "paragraph", "text": "现将有关事项通知如下。"}],
        "date": "2026-06-09",
    }
    data.update(changes)
    return data


def problems(data: object) -> list[tuple[str, str]]:
    with pytest.raises(DocumentError) as caught:
        from_dict(data)
    return [(p.field, p.message) for p in caught.value.problems]


# ------------------------------------------------------------------ round trips


def test_sample_round_trips_through_dict_and_json_text() -> None:
    doc = sample_document()
    assert from_dict(to_dict(doc)) == doc
    assert loads(dumps(doc)) == doc
    # the JSON text is plain UTF-8 Chinese, every documented field present, in order
    text = dumps(doc)
    assert "天长市科学技术局" in text and "\\u" not in text
    assert list(json.loads(text)) == list(FIELDS)


def test_letter_with_written_dates_signers_and_every_optional_field_round_trips() -> None:
    doc = OfficialDocument(
        issuer="天长市科学技术局",
        issuer_mark="天长市科学技术局",
        title="关于商请推荐评审专家的函",
        body=(
            Heading("推荐范围", level=1),
            Heading("具体要求。", level=2, content="请于6月底前报送。"),
            Paragraph("特此函商。"),
            Table(rows=(("姓名", "单位"), ("王某", "某所")), header=False, font_size_pt=14),
        ),
        date="2026年6月9日",
        doc_number="天科函〔2026〕3号",
        copy_number="000001",
        classification="秘密★1年",
        urgency="加急",
        addressee="滁州市科学技术局",
        attachments=("推荐表",),
        seal=False,
        note="联系人：王晓明",
        cc=("市财政局",),
        printer="天长市科学技术局办公室",
        print_date=date(2026, 6, 10),
        layout="letter",
        signature="天长市科技局",
    )
    data = to_dict(doc)
    assert data["date"] == "2026年6月9日" and data["print_date"] == "2026-06-10"
    assert data["body"][1] == {"type": "heading", "level": 2, "text": "具体要求。", "content": "请于6月底前报送。"}
    assert data["body"][3] == {
        "type": "table",
        "rows": [["姓名", "单位"], ["王某", "某所"]],
        "header": False,
        "font_size_pt": 14,
    }
    assert from_dict(json.loads(json.dumps(data))) == doc


def test_minimal_document_gets_the_model_defaults() -> None:
    doc = from_dict(minimal_dict())
    assert doc.date == date(2026, 6, 9)
    assert doc.seal is True and doc.layout == "document" and doc.doc_number is None
    assert doc.body == (Paragraph("现将有关事项通知如下。"),)
    assert validate(doc) == []


def test_heading_level_defaults_to_1_and_table_header_to_true() -> None:
    doc = from_dict(
        minimal_dict(
            body=[{"type": "heading", "text": "总体要求"}, {"type": "table", "rows": [["项目", "金额"], ["甲", 12.5]]}]
        )
    )
    assert doc.body[0] == Heading("总体要求", level=1)
    assert doc.body[1] == Table(rows=(("项目", "金额"), ("甲", "12.5")), header=True)


# ------------------------------------------------------------------ shape errors name the field


def test_missing_required_fields_are_named() -> None:
    found = problems({"issuer": "天长市科学技术局", "body": []})
    assert ("title", "缺少必填字段“title”（标题）。") in found
    assert ("date", "缺少必填字段“date”（成文日期）。") in found
    assert not any(field == "body" for field, _ in found)  # present (empty is validate's business)


def test_unknown_field_lists_the_known_ones() -> None:
    [(field, message)] = problems(minimal_dict(titel="错别字段"))
    assert field == "titel"
    assert message.startswith("未知字段“titel”；可用的字段有：issuer, issuer_mark") and message.endswith("。")


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"title": 5}, "title", "字段“title”应为字符串或 null，实际是整数。"),
        ({"doc_number": ["天科"]}, "doc_number", "实际是数组"),
        ({"seal": "是"}, "seal", "字段“seal”应为布尔值（true 或 false），实际是字符串。"),
        ({"cc": "市财政局"}, "cc", "字段“cc”应为字符串数组，实际是字符串。"),
        ({"cc": ["市财政局", 3]}, "cc[1]", "字段“cc[1]”应为字符串，实际是整数。"),
        ({"date": 20260609}, "date", "日期字符串"),
        ({"date": "2026-02-30"}, "date", "不是真实存在的日期"),
        ({"layout": "red"}, "layout", '只能是 "document"（文件格式）或 "letter"（信函格式）'),
        ({"body": {"type": "paragraph"}}, "body", "字段“body”应为数组（正文块的列表），实际是对象。"),
        ({"body": ["一段"]}, "body[0]", "应为对象"),
        ({"body": [{"type": "image", "src": "x.png"}]}, "body[0].type", "“image”无效"),
        (
            {"body": [{"type": "heading", "text": "总体要求", "level": "1"}]},
            "body[0].level",
            "字段“body[0].level”应为整数（1 至 4），实际是字符串。",
        ),
        ({"body": [{"type": "heading", "text": "总体要求", "level": True}]}, "body[0].level", "实际是布尔值"),
        ({"body": [{"type": "paragraph"}]}, "body[0].text", "缺少必填字段“body[0].text”"),
        ({"body": [{"type": "paragraph", "text": "a", "level": 2}]}, "body[0].level", "paragraph 块不认识字段"),
        ({"body": [{"type": "table", "rows": "a|b"}]}, "body[0].rows", "实际是字符串"),
        ({"body": [{"type": "table", "rows": [["a", None]]}]}, "body[0].rows[0][1]", "实际是null"),
        ({"body": [{"type": "table", "rows": [["a"]], "header": "yes"}]}, "body[0].header", "布尔值"),
    ],
)
def test_wrong_types_name_the_json_field(changes: dict, field: str, fragment: str) -> None:
    found = problems(minimal_dict(**changes))
    assert any(f == field and fragment in m for f, m in found), found


def test_every_problem_is_reported_at_once() -> None:
    found = problems({"issuer": 1, "title": 2, "body": [{"type": "x"}], "date": 3, "extra": 4})
    assert [f for f, _ in found] == ["extra", "issuer", "title", "date", "body[0].type"]


def test_top_level_must_be_an_object() -> None:
    assert problems([1, 2]) == [("", "公文数据的最外层应为对象（{…}），实际是数组。")]


def test_json_syntax_error_names_line_and_column() -> None:
    with pytest.raises(DocumentError) as caught:
        loads('{\n  "issuer": "天长市科学技术局",\n  "title" "漏了冒号"\n}')
    assert caught.value.problems[0].message.startswith("JSON 格式错误：第3行第11列附近")


def test_content_rules_are_left_to_validate() -> None:
    doc = from_dict(minimal_dict(doc_number="天科[2026]5号"))
    [problem] = validate(doc)
    assert problem.field == "doc_number" and "六角括号" in problem.message


def test_problems_by_field_groups_nested_paths_under_the_top_field() -> None:
    with pytest.raises(DocumentError) as caught:
        from_dict(minimal_dict(body=[{"type": "x"}, {"type": "paragraph", "text": 1}], seal=1))
    grouped = problems_by_field(caught.value.problems)
    assert list(grouped) == ["seal", "body"] and len(grouped["body"]) == 2


# ------------------------------------------------------------------ typed-text body


def test_body_from_text_recognises_the_four_heading_levels_tables_and_paragraphs() -> None:
    text = """
    为做好有关工作，现通知如下。

    一、总体要求
    （一）申报范围。本市登记注册的企业。
    (二)申报条件
    1.企业申报的，应满足以下条件：
    （1）研发费用占比不低于3%；
    2．每个单位限报1项。
    1.5万元以下的项目不予受理。
    | 阶段 | 时间 |
    | 网上填报 | 6月15日 |
    特此通知。
    """
    assert body_from_text(text) == (
        Paragraph("为做好有关工作，现通知如下。"),
        Heading("一、总体要求", level=1),
        Heading("（一）申报范围。", level=2, content="本市登记注册的企业。"),
        Heading("(二)申报条件", level=2),
        Heading("1.企业申报的，应满足以下条件：", level=3),
        Heading("（1）研发费用占比不低于3%；", level=4),
        Heading("2．每个单位限报1项。", level=3),
        Paragraph("1.5万元以下的项目不予受理。"),
        Table(rows=(("阶段", "时间"), ("网上填报", "6月15日")), header=True),
        Paragraph("特此通知。"),
    )


def test_body_to_text_numbers_headings_and_parses_back() -> None:
    body = sample_document().body
    text = body_to_text(body)
    assert "一、申报范围\n（一）重点研发项目。围绕" in text
    assert "| 阶段 | 时间 | 工作内容 |" in text
    again = body_from_text(text)
    assert [type(b) for b in again] == [type(b) for b in body]
    assert [getattr(b, "level", 0) for b in again] == [getattr(b, "level", 0) for b in body]
    assert [getattr(b, "content", "") for b in again] == [getattr(b, "content", "") for b in body]
    assert body_to_text(again) == text  # stable once the numbers are typed


def test_heading_level_of_typed_numbers() -> None:
    assert [heading_level(t) for t in ("十二、附则", "（十）其他", "12.细则", "（12）条款", "2026年", "第一条")] == [
        1,
        2,
        3,
        4,
        None,
        None,
    ]


def test_blank_text_gives_no_blocks_which_validate_reports() -> None:
    assert body_from_text(" \n\u3000\n") == ()
    doc = from_dict(minimal_dict(body=[]))
    assert [p.field for p in validate(doc)] == ["body"]
