"""Text helpers shared by validation and the builder."""

from __future__ import annotations

import re
import unicodedata

# Characters XML 1.0 cannot carry (C0 controls except tab and newline, surrogates, U+FFFE/FFFF).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    """Text safe for the .docx XML: CRLF and CR → LF, characters XML cannot hold removed."""
    return _XML_ILLEGAL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def is_blank(text: str | None) -> bool:
    """True when nothing printable is left once the text is cleaned and stripped."""
    return text is None or not clean(text).strip()


def text_width(text: str) -> float:
    """Width of ``text`` in body characters: 1 for CJK, full-width and ambiguous-width characters (such as
    — “ ”), ½ for the rest (digits, Latin letters), as in the official fonts."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in ("W", "F", "A") else 0.5 for ch in text)
