"""A .docx → PDF conversion with LibreOffice headless, for generated 公文 (design §4: PDF via LibreOffice).

* ``find_soffice()`` is the program (``soffice`` or ``libreoffice`` on the PATH), or None: callers then
  tell the user, in Chinese, that PDF output needs LibreOffice (``PdfUnavailable.message``).
* Each conversion runs in a temporary directory with a throw-away LibreOffice profile
  (``-env:UserInstallation``) and ``HOME``, so parallel conversions and a user's own LibreOffice never
  share state; the whole process group is killed when it overruns ``timeout``.
* Fonts: when the official body font (仿宋_GB2312) is not installed — test and build machines — the
  conversion points fontconfig at a temporary fonts.conf that includes the system configuration and
  ``kejiju/engines/fontconfig/kejiju-fonts.conf``, which maps the official names to Noto CJK. A bureau
  that installs its licensed fonts gets them (``map_fonts=None`` decides by asking ``fc-list``).

Pure Python plus subprocess: no Django.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

from .builder import FANGSONG

FONTS_CONF = Path(__file__).resolve().parent.parent / "fontconfig" / "kejiju-fonts.conf"
DEFAULT_TIMEOUT = 120.0
UNAVAILABLE_MESSAGE = (
    "生成 PDF 需要安装 LibreOffice（soffice 命令），本机未找到；"
    "请安装 LibreOffice Writer（如 apt-get install libreoffice-writer-nogui）后重试，或只使用 Word 文件。"
)


class PdfUnavailable(RuntimeError):
    """LibreOffice is not installed: PDF output cannot be offered."""

    def __init__(self) -> None:
        super().__init__(UNAVAILABLE_MESSAGE)
        self.message = UNAVAILABLE_MESSAGE


class PdfConversionError(RuntimeError):
    """LibreOffice ran but produced no PDF (timeout, crash, unreadable input); ``message`` is Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def find_soffice() -> str | None:
    """The LibreOffice program on the PATH (``soffice`` first, then ``libreoffice``), or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


@lru_cache(maxsize=1)
def official_fonts_installed() -> bool:
    """Whether fontconfig knows the official body font (仿宋_GB2312) as an installed family; False when
    ``fc-list`` is missing (the mapping then does no harm)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    try:
        listed = subprocess.run([fc_list, ":", "family"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return any(FANGSONG in line.split(",") for line in listed.stdout.splitlines())


def fonts_conf_text(mapping: Path = FONTS_CONF) -> str:
    """A fonts.conf that keeps the system configuration and adds kejiju's mapping of the official names."""
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <include>{mapping}</include>\n"
        "</fontconfig>\n"
    )


def docx_to_pdf(
    data: bytes,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    soffice: str | None = None,
    map_fonts: bool | None = None,
) -> bytes:
    """Convert .docx bytes to PDF bytes with LibreOffice headless.

    Raises ``PdfUnavailable`` when LibreOffice is not installed and ``PdfConversionError`` (Chinese
    message) when it overruns ``timeout`` seconds or writes no PDF. ``map_fonts`` forces the font mapping
    on or off; None applies it only when the official fonts are not installed.
    """
    program = soffice or find_soffice()
    if program is None:
        raise PdfUnavailable()
    if map_fonts is None:
        map_fonts = not official_fonts_installed()
    with tempfile.TemporaryDirectory(prefix="kejiju-pdf-") as work_dir:
        work = Path(work_dir)
        source = work / "document.docx"
        source.write_bytes(data)
        env = {**os.environ, "HOME": str(work)}
        if map_fonts:
            conf = work / "fonts.conf"
            conf.write_text(fonts_conf_text(), encoding="utf-8")
            env["FONTCONFIG_FILE"] = str(conf)
        command = [
            program,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(source),
        ]
        # A new session, so that on a timeout the whole group (the soffice wrapper and soffice.bin) is killed.
        process = subprocess.Popen(
            command, env=env, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
        )
        try:
            _out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.communicate()
            raise PdfConversionError(
                "LibreOffice 在 %(s)d 秒内没有完成 PDF 转换，已中止；请稍后重试。" % {"s": timeout}
            )
        target = work / "document.pdf"
        if process.returncode != 0 or not target.exists() or target.stat().st_size == 0:
            detail = err.decode("utf-8", "replace").strip().splitlines()[-1:] if err else []
            raise PdfConversionError(
                "LibreOffice 未能把 Word 文件转换为 PDF（退出码 %(code)s%(detail)s）。"
                % {"code": process.returncode, "detail": "：" + detail[0][:200] if detail else ""}
            )
        return target.read_bytes()
