"""``kejiju document render`` / ``sample``: a .docx python-docx opens with the GB/T 9704 page, Chinese
errors that write nothing, and the PDF through LibreOffice (or a clear message that it needs it)."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import docx
import pytest
from django.core.management import CommandError, call_command
from docx.shared import Mm

from kejiju.engines.gbt9704 import sample_document
from kejiju.engines.gbt9704.jsonio import loads
from kejiju.reports.tests.conftest import require_tools, sample_payload


def write_json(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("document", *args, stdout=out)
    return out.getvalue()


def test_render_writes_an_a4_docx_with_the_standard_margins(tmp_path):
    source = write_json(tmp_path / "doc.json", sample_payload())
    target = tmp_path / "out.docx"
    message = run("render", "--input", str(source), "--output", str(target))
    assert "已生成" in message and str(target) in message
    document = docx.Document(str(target))
    section = document.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.1) and abs(section.page_height - Mm(297)) < Mm(0.1)
    assert abs(section.top_margin - Mm(37)) < Mm(0.1)
    assert abs(section.bottom_margin - Mm(35)) < Mm(0.1)
    assert abs(section.left_margin - Mm(28)) < Mm(0.1)
    assert abs(section.right_margin - Mm(26)) < Mm(0.1)
    text = "\n".join(p.text for p in document.paragraphs)
    assert "天科〔2026〕5号" in text and "一、申报范围" in text and "2026年6月9日" in text


def test_bad_doc_number_stops_with_the_chinese_reason_and_writes_nothing(tmp_path):
    source = write_json(tmp_path / "doc.json", sample_payload(doc_number="天科[2026]5号"))
    target = tmp_path / "out.docx"
    with pytest.raises(CommandError) as caught:
        run("render", "--input", str(source), "--output", str(target), "--pdf")
    message = str(caught.value)
    assert message.startswith("公文内容有误，共 1 处，未写入任何文件：")
    assert "[doc_number] 发文字号“天科[2026]5号”的年份应使用六角括号“〔〕”，不能使用方括号或其他括号。" in message
    assert list(tmp_path.iterdir()) == [source]


def test_every_shape_problem_is_listed(tmp_path):
    data = sample_payload(seal="是", layout="red")
    data["titel"] = "错字段"
    del data["title"]
    source = write_json(tmp_path / "doc.json", data)
    with pytest.raises(CommandError) as caught:
        run("render", "--input", str(source), "--output", str(tmp_path / "out.docx"))
    message = str(caught.value)
    assert "共 4 处" in message
    for fragment in ("[titel] 未知字段“titel”", "[title] 缺少必填字段“title”（标题）。", "[seal]", "[layout]"):
        assert fragment in message
    assert not (tmp_path / "out.docx").exists()


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ('{"issuer": ', "JSON 格式错误：第1行"),
        ("[1, 2]", "公文数据的最外层应为对象"),
    ],
)
def test_unreadable_json_is_explained(tmp_path, content, fragment):
    source = tmp_path / "doc.json"
    source.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=fragment):
        run("render", "--input", str(source), "--output", str(tmp_path / "out.docx"))
    assert not (tmp_path / "out.docx").exists()


def test_bad_paths_are_explained(tmp_path):
    source = write_json(tmp_path / "doc.json", sample_payload())
    with pytest.raises(CommandError, match="输入文件“.*missing.json”不存在"):
        run("render", "--input", str(tmp_path / "missing.json"), "--output", str(tmp_path / "o.docx"))
    with pytest.raises(CommandError, match="扩展名应为 .docx"):
        run("render", "--input", str(source), "--output", str(tmp_path / "o.pdf"))
    with pytest.raises(CommandError, match="目录“.*nowhere”不存在"):
        run("render", "--input", str(source), "--output", str(tmp_path / "nowhere" / "o.docx"))
    gbk = tmp_path / "gbk.json"
    gbk.write_bytes(json.dumps(sample_payload(), ensure_ascii=False).encode("gbk"))
    with pytest.raises(CommandError, match="不是 UTF-8 编码"):
        run("render", "--input", str(gbk), "--output", str(tmp_path / "o.docx"))


def test_pdf_without_libreoffice_keeps_the_docx_and_says_what_is_needed(tmp_path, monkeypatch):
    monkeypatch.setattr("kejiju.engines.gbt9704.pdf.find_soffice", lambda: None)
    source = write_json(tmp_path / "doc.json", sample_payload())
    target = tmp_path / "out.docx"
    with pytest.raises(CommandError) as caught:
        run("render", "--input", str(source), "--output", str(target), "--pdf")
    assert str(caught.value).startswith("未生成 PDF：生成 PDF 需要安装 LibreOffice")
    assert target.exists() and not target.with_suffix(".pdf").exists()


def test_pdf_is_a4_with_the_page_count_pdfinfo_reports(tmp_path):
    tools = require_tools("soffice", "pdfinfo")
    source = write_json(tmp_path / "doc.json", sample_payload())
    target = tmp_path / "out.docx"
    message = run("render", "--input", str(source), "--output", str(target), "--pdf")
    pdf = tmp_path / "out.pdf"
    assert pdf.exists() and str(pdf) in message
    info = subprocess.run([tools["pdfinfo"], str(pdf)], capture_output=True, text=True, check=True).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    assert "A4" in fields["Page size"]
    # the sample: page 1 header and title, the body over a second page, the signature and 版记 on a third
    assert int(fields["Pages"]) == 3


def test_sample_writes_json_that_renders(tmp_path):
    target = tmp_path / "sample.json"
    assert "已写出示例公文" in run("sample", "--output", str(target))
    assert loads(target.read_text(encoding="utf-8")) == sample_document()
    run("render", "--input", str(target), "--output", str(tmp_path / "sample.docx"))
    assert (tmp_path / "sample.docx").stat().st_size > 5000
