"""The body of a 公文 as plain text, the way staff type it in a text box, and back.

One line, one block (blank lines are ignored):

* a line starting with a structural number becomes a heading of its level, kept as typed —
  ``一、`` level 1, ``（一）`` level 2, ``1.`` / ``1．`` level 3, ``（1）`` level 4 (half- or full-width
  brackets). When the heading line goes on after its first "。", the rest is run-in text (``content``),
  the usual "（一）申报范围。本市登记注册的……" form: the heading part in the heading font, the rest in 仿宋;
* lines starting with ``|`` are table rows, cells separated by ``|``; consecutive rows make one table
  whose first row is the header;
* every other line is a paragraph.

``1.5万元`` is not a heading (a digit right after the point is a decimal). A paragraph that itself starts
with ``一、`` cannot be typed this way; use the JSON form for such documents.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .builder import heading_number
from .model import Block, Heading, Paragraph, Table

LEVEL_PATTERNS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(r"^[一二三四五六七八九十百]+、")),
    (2, re.compile(r"^[（(][一二三四五六七八九十百]+[）)]")),
    (3, re.compile(r"^\d+[.．](?!\d)")),
    (4, re.compile(r"^[（(]\d+[）)]")),
)
_PIPES = re.compile(r"[|｜]")


def heading_level(line: str) -> int | None:
    """The heading level a typed line announces by its number, or None for a paragraph."""
    for level, pattern in LEVEL_PATTERNS:
        if pattern.match(line):
            return level
    return None


def _split_run_in(line: str, number_end: int) -> tuple[str, str]:
    """ "（一）申报范围。本市……" → ("（一）申报范围。", "本市……"); a line ending at its first 。 stays whole."""
    stop = line.find("。", number_end)
    if stop == -1 or stop == len(line) - 1:
        return line, ""
    return line[: stop + 1], line[stop + 1 :].strip()


def _row(line: str) -> tuple[str, ...]:
    inner = line.strip()
    inner = inner[1:] if inner[:1] in "|｜" else inner
    inner = inner[:-1] if inner[-1:] in "|｜" and inner else inner
    return tuple(cell.strip() for cell in _PIPES.split(inner))


def body_from_text(text: str) -> tuple[Block, ...]:
    """Blocks from typed text (rules in the module docstring). Never raises; ``validate`` judges the result
    (an empty text gives no blocks, which ``validate`` reports as an empty body)."""
    blocks: list[Block] = []
    rows: list[tuple[str, ...]] = []

    def flush_table() -> None:
        if rows:
            blocks.append(Table(rows=tuple(rows), header=True))
            rows.clear()

    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()  # also strips full-width spaces typed as an indent
        if not line:
            continue
        if line[0] in "|｜":
            rows.append(_row(line))
            continue
        flush_table()
        level = heading_level(line)
        if level is None:
            blocks.append(Paragraph(line))
            continue
        match = dict(LEVEL_PATTERNS)[level].match(line)
        assert match is not None
        heading, content = _split_run_in(line, match.end())
        blocks.append(Heading(heading, level=level, content=content))
    flush_table()
    return tuple(blocks)


def body_to_text(blocks: Iterable[Block]) -> str:
    """The typed-text form of ``blocks``: headings carry their numbers (added as the builder would when not
    typed), so ``body_from_text(body_to_text(b))`` gives the same headings, paragraphs and tables back
    (headings then always carry the typed number)."""
    lines: list[str] = []
    counters = [0, 0, 0, 0, 0]
    for block in blocks:
        if isinstance(block, Heading):
            level = block.level if block.level in (1, 2, 3, 4) else 1
            counters[level] += 1
            for lower in range(level + 1, 5):
                counters[lower] = 0
            text = " ".join(block.text.split("\n")).strip()
            if heading_level(text) != level:
                text = heading_number(level, counters[level]) + text
            content = " ".join(block.content.split("\n")).strip()
            lines.append(text + content)
        elif isinstance(block, Table):
            lines.extend("| " + " | ".join(_PIPES.sub("／", cell) for cell in row) + " |" for row in block.rows)
            lines.append("")
        else:
            lines.append(" ".join(block.text.split("\n")).strip())
    return "\n".join(lines).strip() + ("\n" if lines else "")
