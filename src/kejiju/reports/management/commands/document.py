"""``kejiju document``: typeset a 公文 from its JSON form per GB/T 9704-2012, without the database.

    kejiju document render --input DOC.json --output OUT.docx [--pdf] [--timeout 120]
    kejiju document sample --output DOC.json

``render`` checks the JSON (field types, unknown fields, required parts) and the content (发文字号,
dates, …); any problem stops it with a Chinese list of every problem, and nothing is written. With
``--pdf`` the .docx is also converted with LibreOffice headless to OUT.pdf; when LibreOffice is not
installed the .docx is still written and the command exits non-zero saying that PDF needs LibreOffice.
``sample`` writes the built-in example 通知 as JSON, a starting point for your own documents.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kejiju.engines.gbt9704 import DocumentError, Problem, build, sample_document, validate
from kejiju.engines.gbt9704.jsonio import dumps, loads
from kejiju.engines.gbt9704.pdf import DEFAULT_TIMEOUT, PdfConversionError, PdfUnavailable, docx_to_pdf


def _problem_list(problems: list[Problem]) -> str:
    lines = [f"  {n}. " + (f"[{p.field}] " if p.field else "") + p.message for n, p in enumerate(problems, start=1)]
    return "公文内容有误，共 %(n)d 处，未写入任何文件：\n%(lines)s" % {"n": len(problems), "lines": "\n".join(lines)}


def _write_atomically(path: Path, data: bytes) -> None:
    """Write through a temporary file in the same directory, so a failure never leaves half a file."""
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=".kejiju-", suffix=path.suffix)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Command(BaseCommand):
    help = "公文（GB/T 9704-2012）：由 JSON 生成 Word 文件（可同时生成 PDF），或写出示例 JSON。"
    requires_system_checks: list[str] = []  # needs no database; runs on a machine that only typesets

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{render,sample}")
        render = sub.add_parser("render", help="由公文 JSON 生成 .docx；加 --pdf 同时用 LibreOffice 生成 PDF。")
        render.add_argument("--input", required=True, help="公文 JSON 文件（字段见 docs/modules/documents.md）。")
        render.add_argument("--output", required=True, help="输出的 .docx 文件路径。")
        render.add_argument("--pdf", action="store_true", help="同时生成同名 .pdf（需要安装 LibreOffice）。")
        render.add_argument(
            "--timeout", type=float, default=DEFAULT_TIMEOUT, help="PDF 转换的最长等待秒数（默认 %(default)s）。"
        )
        sample = sub.add_parser("sample", help="写出示例通知的 JSON，可在其基础上修改。")
        sample.add_argument("--output", required=True, help="输出的 JSON 文件路径。")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "render":
            self._render(Path(options["input"]), Path(options["output"]), options["pdf"], options["timeout"])
        else:
            self._sample(Path(options["output"]))

    def _target(self, path: Path, suffix: str) -> None:
        if path.suffix.lower() != suffix:
            raise CommandError("输出文件“%(f)s”的扩展名应为 %(s)s。" % {"f": path, "s": suffix})
        if not path.parent.is_dir():
            raise CommandError("输出文件所在的目录“%(d)s”不存在。" % {"d": path.parent})
        if path.is_dir():
            raise CommandError("“%(f)s”是目录，不是文件。" % {"f": path})

    def _render(self, source: Path, output: Path, want_pdf: bool, timeout: float) -> None:
        if not source.is_file():
            raise CommandError("输入文件“%(f)s”不存在或不是文件。" % {"f": source})
        self._target(output, ".docx")
        if timeout <= 0:
            raise CommandError("--timeout 应为正数（秒）。")
        try:
            text = source.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise CommandError("输入文件“%(f)s”不是 UTF-8 编码的文本，请另存为 UTF-8 后重试。" % {"f": source})
        except OSError:
            raise CommandError("无法读取输入文件“%(f)s”。" % {"f": source})
        try:
            doc = loads(text)
        except DocumentError as exc:
            raise CommandError(_problem_list(exc.problems))
        problems = validate(doc)
        if problems:
            raise CommandError(_problem_list(problems))
        data = build(doc)
        _write_atomically(output, data)
        self.stdout.write(self.style.SUCCESS("已生成 %(f)s（%(n)d 字节）。" % {"f": output, "n": len(data)}))
        if not want_pdf:
            return
        pdf_path = output.with_suffix(".pdf")
        try:
            pdf = docx_to_pdf(data, timeout=timeout)
        except PdfUnavailable as exc:
            raise CommandError("未生成 PDF：%(m)s" % {"m": exc.message})
        except PdfConversionError as exc:
            raise CommandError("未生成 PDF：%(m)s" % {"m": exc.message})
        _write_atomically(pdf_path, pdf)
        self.stdout.write(self.style.SUCCESS("已生成 %(f)s（%(n)d 字节）。" % {"f": pdf_path, "n": len(pdf)}))

    def _sample(self, output: Path) -> None:
        self._target(output, ".json")
        _write_atomically(output, (dumps(sample_document()) + "\n").encode("utf-8"))
        self.stdout.write(
            self.style.SUCCESS("已写出示例公文 %(f)s；修改后用 kejiju document render 生成。" % {"f": output})
        )
