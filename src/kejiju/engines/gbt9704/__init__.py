"""GB/T 9704-2012 党政机关公文格式: a pure-Python builder turning a typed ``OfficialDocument`` into a .docx.

Rules restated in the project's official-rules spec §5; the layout decisions are explained in
``builder``'s docstring. Usage::

    from kejiju.engines.gbt9704 import build, sample_document, validate

    problems = validate(doc)      # [] when the document can be typeset
    data = build(doc)             # .docx bytes; raises DocumentError (Chinese problems) when invalid

Fonts are named (仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312, 宋体), not embedded. Machines without them
map them to free CJK fonts with ``kejiju/engines/fontconfig/kejiju-fonts.conf`` (see the render test).
"""

from .builder import (
    CHARS_PER_LINE,
    FANGSONG,
    HEITI,
    KAITI,
    LINE_PITCH,
    LINES_PER_PAGE,
    SONGTI,
    XIAOBIAOSONG,
    build,
    chinese_number,
    heading_number,
    mark_size,
)
from .model import Block, Heading, Layout, OfficialDocument, Paragraph, Table
from .sample import sample_document
from .text import clean, text_width
from .validation import DocumentError, Problem, date_problem, doc_number_problem, format_date, validate

__all__ = [
    "CHARS_PER_LINE",
    "FANGSONG",
    "HEITI",
    "KAITI",
    "LINES_PER_PAGE",
    "LINE_PITCH",
    "SONGTI",
    "XIAOBIAOSONG",
    "Block",
    "DocumentError",
    "Heading",
    "Layout",
    "OfficialDocument",
    "Paragraph",
    "Problem",
    "Table",
    "build",
    "chinese_number",
    "clean",
    "date_problem",
    "doc_number_problem",
    "format_date",
    "heading_number",
    "mark_size",
    "sample_document",
    "text_width",
    "validate",
]
