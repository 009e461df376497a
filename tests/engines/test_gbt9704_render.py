"""GB/T 9704-2012 builder, rendered: LibreOffice headless turns generated documents into PDF, poppler reads
the PDF back (page count and size, text per page, the ink on the page).

* Skipped with the reason when ``soffice``/``libreoffice``, ``pdfinfo``, ``pdftotext`` or ``pdftoppm`` is
  missing — except under ``CI=true``, where a missing tool fails the tests, so a broken CI image cannot pass.
* The official fonts are not on test machines: a temporary fonts.conf includes the system configuration
  and ``kejiju/engines/fontconfig/kejiju-fonts.conf``, which maps them to Noto Serif/Sans CJK SC, and
  ``FONTCONFIG_FILE`` points LibreOffice at it. LibreOffice runs with a throw-away profile and a timeout.
* The PDFs and a 60 dpi PNG of page 1 are left in ``test-results/gbt9704/`` (gitignored) to look at.

Noto's line metrics are taller than the official fonts' (descent 0.288 em instead of about 0.12 em), so
the red header and other glyph positions come out up to ~2.5 mm higher than in Word with the official
fonts; the tolerances below allow for that, the line and page geometry does not depend on it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

import kejiju.engines
from kejiju.engines.gbt9704 import Heading, OfficialDocument, Paragraph, build

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
DPI = 100
MM_PER_PX = 25.4 / DPI
FONTS_CONF = Path(kejiju.engines.__file__).parent / "fontconfig" / "kejiju-fonts.conf"
# Body text without punctuation, so that no line-breaking rule moves a character: every line is full.
FILLER = "科技创新驱动发展战略加快构建企业主体市场导向产学研深度融合技术体系"
SHORT_PARAGRAPHS = 36


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} — CI=true, so the render tests must run, not skip.", pytrace=False)
    pytest.skip(reason)


def _tools() -> dict[str, str]:
    """The programs the tests need, or skip (fail under CI) naming what is missing."""
    found = {
        "soffice": shutil.which("soffice") or shutil.which("libreoffice"),
        "pdfinfo": shutil.which("pdfinfo"),
        "pdftotext": shutil.which("pdftotext"),
        "pdftoppm": shutil.which("pdftoppm"),
        "pdffonts": shutil.which("pdffonts"),
        "fc-list": shutil.which("fc-list"),
    }
    missing = [name for name, path in found.items() if path is None]
    if missing:
        _unavailable("missing %s (apt-get install libreoffice-writer poppler-utils fontconfig)" % ", ".join(missing))
    tools = {name: path for name, path in found.items() if path}
    for family in ("Noto Serif CJK SC", "Noto Sans CJK SC"):
        listed = subprocess.run([tools["fc-list"], family, "family"], capture_output=True, text=True, timeout=30)
        if family not in listed.stdout:
            _unavailable(f"the {family} font is not installed (apt-get install fonts-noto-cjk)")
    return tools


def long_paragraph() -> str:
    """82 characters: 26 on the first line (two-character indent), then 28 and 28."""
    text = (FILLER * 3)[:82]
    assert len(text) == 82
    return text


def paged_document() -> OfficialDocument:
    """A 文件格式 document whose page breaks can be predicted line by line (lengths in twips, 579 a line):

    page 1 before the body — red header 1774 space-before + 1050 line, 2 blank lines 1158, the 发文字号
    line 579 + its red rule (11 pt space + 1.5 pt line = 250), 2 blank lines 1158, a one-line title 579,
    a blank line and the addressee 1158 — is 7706 of the 12756 版心, leaving 5050: 8 body lines (9 would
    need 5211). Those are the level-1 heading, the 3-line long paragraph and short paragraphs 1–4.
    Page 2 holds exactly 22 lines: short paragraphs 5–26. Page 3: paragraphs 27–36, two blank lines, the
    issuer and the date (14 lines), with the two-row 版记 at the bottom — 3 pages in all.
    """
    body: list[Paragraph | Heading] = [Heading("总体要求"), Paragraph(long_paragraph())]
    body += [Paragraph(f"第{n}段{FILLER[: 20 - len(str(n))]}") for n in range(1, SHORT_PARAGRAPHS + 1)]
    return OfficialDocument(
        issuer="天长市科学技术局",
        doc_number="天科〔2026〕5号",
        title="关于排版测试的通知",
        addressee="各有关单位",
        body=tuple(body),
        date=date(2026, 6, 9),
        cc=("市财政局",),
        printer="天长市科学技术局办公室",
        print_date=date(2026, 6, 9),
    )


def letter_document() -> OfficialDocument:
    body = tuple(Paragraph(f"第{n}段{FILLER[:20]}") for n in range(1, 25))
    return OfficialDocument(
        issuer="天长市科学技术局",
        doc_number="天科函〔2026〕3号",
        title="关于商请推荐评审专家的函",
        addressee="滁州市科学技术局",
        body=body,
        date="2026年6月9日",
        cc=("市财政局",),
        layout="letter",
    )


@dataclass
class Rendered:
    pdf: Path
    tools: dict[str, str]

    def info(self) -> dict[str, str]:
        out = subprocess.run([self.tools["pdfinfo"], str(self.pdf)], capture_output=True, text=True, check=True)
        return dict(line.split(":", 1) for line in out.stdout.splitlines() if ":" in line)

    def pages(self) -> int:
        return int(self.info()["Pages"])

    def text(self, page: int) -> str:
        out = subprocess.run(
            [self.tools["pdftotext"], "-layout", "-f", str(page), "-l", str(page), str(self.pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout

    def bands(self, page: int) -> list[Band]:
        """Horizontal bands of ink on ``page``: runs of rows holding red or dark pixels."""
        ppm = subprocess.run(
            [self.tools["pdftoppm"], "-r", str(DPI), "-f", str(page), "-l", str(page), str(self.pdf)],
            capture_output=True,
            check=True,
        ).stdout
        magic, size, _depth, pixels = ppm.split(b"\n", 3)
        assert magic == b"P6"
        width, height = map(int, size.split())
        white_row = b"\xff" * (width * 3)
        bands: list[Band] = []
        for y in range(height):
            row = pixels[y * width * 3 : (y + 1) * width * 3]
            if row == white_row:
                continue
            red = dark = 0
            xs: list[int] = []
            for x in range(width):
                r, g, b = row[3 * x], row[3 * x + 1], row[3 * x + 2]
                if r > 180 and g < 100 and b < 100:
                    red += 1
                elif r < 130 and g < 130 and b < 130:
                    dark += 1
                else:
                    continue
                xs.append(x)
            if not xs:
                continue
            last = bands[-1] if bands else None
            if last and last.y1 == y - 1:
                last.y1, last.red, last.dark = y, last.red + red, last.dark + dark
                last.x0, last.x1 = min(last.x0, xs[0]), max(last.x1, xs[-1])
            else:
                bands.append(Band(y, y, xs[0], xs[-1], red, dark))
        return bands


@dataclass
class Band:
    y0: int
    y1: int
    x0: int
    x1: int
    red: int
    dark: int

    @property
    def top(self) -> float:
        return self.y0 * MM_PER_PX

    @property
    def bottom(self) -> float:
        return (self.y1 + 1) * MM_PER_PX

    @property
    def left(self) -> float:
        return self.x0 * MM_PER_PX

    @property
    def right(self) -> float:
        return (self.x1 + 1) * MM_PER_PX

    @property
    def is_red(self) -> bool:
        return self.red > self.dark


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config) -> Iterator[dict[str, Rendered]]:
    """Both documents converted in one LibreOffice run (its start-up is most of the time)."""
    tools = _tools()
    work = tmp_path_factory.mktemp("gbt9704")
    fonts_conf = work / "fonts.conf"
    fonts_conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <include>{FONTS_CONF}</include>\n"
        "</fontconfig>\n",
        encoding="utf-8",
    )
    sources = {"paged": paged_document(), "letter": letter_document()}
    for name, doc in sources.items():
        (work / f"{name}.docx").write_bytes(build(doc))
    env = {**os.environ, "FONTCONFIG_FILE": str(fonts_conf), "HOME": str(work)}
    command = [
        tools["soffice"],
        f"-env:UserInstallation=file://{work / 'profile'}",
        "--headless",
        "--norestore",
        "--convert-to",
        "pdf",
        "--outdir",
        str(work),
        *(str(work / f"{name}.docx") for name in sources),
    ]
    try:
        subprocess.run(command, env=env, capture_output=True, timeout=120, check=True)
    except subprocess.TimeoutExpired:
        pytest.fail("LibreOffice did not convert the documents within 120 s.")
    results = {name: Rendered(work / f"{name}.pdf", tools) for name in sources}
    for name, result in results.items():
        assert result.pdf.exists(), f"LibreOffice wrote no {name}.pdf"
    # Keep the output to look at: PDFs and page 1 as a 60 dpi PNG.
    keep = pytestconfig.rootpath / "test-results" / "gbt9704"
    keep.mkdir(parents=True, exist_ok=True)
    for name, result in results.items():
        shutil.copy(result.pdf, keep / f"{name}.pdf")
        subprocess.run(
            [
                tools["pdftoppm"],
                "-r",
                "60",
                "-png",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(result.pdf),
                str(keep / f"{name}-page-1"),
            ],
            check=True,
            timeout=60,
        )
    yield results


def test_pdf_is_a4(rendered: dict[str, Rendered]) -> None:
    for result in rendered.values():
        match = re.search(r"([\d.]+) x ([\d.]+) pts", result.info()["Page size"])
        assert match, result.info()
        width, height = float(match.group(1)), float(match.group(2))
        assert width * 25.4 / 72 == pytest.approx(210, abs=0.5)
        assert height * 25.4 / 72 == pytest.approx(297, abs=0.5)


def test_official_fonts_are_mapped_to_noto(rendered: dict[str, Rendered]) -> None:
    result = rendered["paged"]
    fonts = subprocess.run([result.tools["pdffonts"], str(result.pdf)], capture_output=True, text=True).stdout
    assert "NotoSerifCJK" in fonts  # 仿宋_GB2312, 方正小标宋简体, 宋体
    assert "NotoSansCJK" in fonts  # 黑体 (the level-1 heading)


def test_page_count_and_22_lines_per_page(rendered: dict[str, Rendered]) -> None:
    """See ``paged_document``: 8 body lines on page 1, 22 on page 2, the rest and the signature on page 3."""
    result = rendered["paged"]
    assert result.pages() == 3
    numbers = {page: [int(n) for n in re.findall(r"第\s*(\d+)\s*段", result.text(page))] for page in (1, 2, 3)}
    assert numbers[1] == list(range(1, 5))
    assert numbers[2] == list(range(5, 27))  # exactly 22 one-line paragraphs: 22 lines a page
    assert numbers[3] == list(range(27, SHORT_PARAGRAPHS + 1))
    last_page = result.text(3)
    assert "天长市科学技术局办公室" in last_page and "2026年6月9日印发" in last_page.replace(" ", "")


def test_28_characters_per_line(rendered: dict[str, Rendered]) -> None:
    lines = [line.strip() for line in rendered["paged"].text(1).splitlines()]
    text = long_paragraph()
    start = next(i for i, line in enumerate(lines) if line and text.startswith(line))
    assert [len(line) for line in lines[start : start + 3]] == [26, 28, 28]
    assert "".join(lines[start : start + 3]) == text


def test_page_one_looks_like_a_red_header_document(rendered: dict[str, Rendered]) -> None:
    bands = rendered["paged"].bands(1)
    red = [band for band in bands if band.is_red]
    mark, rule = red[0], red[1]
    # Red header: 37 mm 天头 + 35 mm; centred.
    assert 69 <= mark.top <= 73, mark.top
    assert (mark.left + mark.right) / 2 == pytest.approx(28 + 156 / 2, abs=2)
    # The 发文字号 between them, then the red rule about 4 mm under it (Noto: the glyphs end higher).
    number = next(band for band in bands if band.top > mark.bottom and not band.is_red)
    assert number.bottom < rule.top
    assert 3 <= rule.top - number.bottom <= 6.5
    assert rule.bottom - rule.top < 1.5
    assert rule.left == pytest.approx(28, abs=1) and rule.right == pytest.approx(184, abs=1)  # 版心 width
    # Title, addressee and body below the rule, black, inside the 版心.
    below = [band for band in bands if band.top > rule.bottom and band.bottom < 262]
    assert len(below) >= 10 and not any(band.is_red for band in below)
    assert all(28 - 0.5 <= band.left and band.right <= 184 + 0.5 for band in below)
    # Body lines 28.95 pt (10.21 mm) apart.
    tops = [band.top for band in below[-6:]]
    assert all(b - a == pytest.approx(10.21, abs=0.4) for a, b in zip(tops, tops[1:], strict=False))
    # Page number "— 1 —": odd page, right-aligned one 4号 character in, about 7 mm below the 版心 (262 mm).
    footer = [band for band in bands if band.top > 262]
    assert len(footer) == 1
    assert footer[0].right == pytest.approx(184 - 4.94, abs=1)
    assert 266 <= footer[0].top and footer[0].bottom <= 272


def test_even_page_number_on_the_left_and_colophon_on_the_bottom_edge(rendered: dict[str, Rendered]) -> None:
    page2 = [band for band in rendered["paged"].bands(2) if band.top > 262]
    assert len(page2) == 1 and page2[0].left == pytest.approx(28 + 4.94, abs=1)
    page3 = rendered["paged"].bands(3)
    rules = [band for band in page3 if band.bottom - band.top < 0.8 and band.right - band.left > 150]
    assert len(rules) == 3  # first, middle and last rule of the 版记
    assert rules[-1].bottom == pytest.approx(262, abs=0.7)  # the last rule on the bottom edge of the 版心
    assert all(rule.left == pytest.approx(28, abs=1) and rule.right == pytest.approx(184, abs=1) for rule in rules)


def test_letter_layout_renders(rendered: dict[str, Rendered]) -> None:
    result = rendered["letter"]
    assert result.pages() >= 2
    bands = result.bands(1)
    red = [band for band in bands if band.is_red]
    # Red header 30 mm from the top of the page, a 170 mm double line under it and another 20 mm above
    # the bottom edge of the page.
    assert 27 <= red[0].top <= 31, red[0].top
    wide = [band for band in red if band.right - band.left > 165]
    assert wide[0].top < 60 and wide[0].right - wide[0].left == pytest.approx(170, abs=1)
    assert 297 - wide[-1].bottom == pytest.approx(20, abs=1)
    # No page number on page 1; page 2 is numbered (left, even page).
    assert not [band for band in bands if 262 < band.top < 272 and not band.is_red]
    page2 = [band for band in result.bands(2) if band.top > 262]
    assert len(page2) == 1 and page2[0].left == pytest.approx(28 + 4.94, abs=1)
    assert "天科函〔2026〕3号" in result.text(1).replace(" ", "")
