"""Pinyin initials of Chinese names for search (拼音首字母), with polyphonic variants."""

from __future__ import annotations

import functools

from pypinyin import Style, pinyin


@functools.lru_cache(maxsize=20000)
def _initials_of(char: str) -> tuple[str, ...]:
    """Every initial a character may be read with (长 → c, z), most common first."""
    if char.isascii():
        return (char.lower(),) if char.isalnum() else ("",)
    readings = pinyin(char, style=Style.FIRST_LETTER, heteronym=True, errors="ignore")
    found: list[str] = []
    for letter in readings[0] if readings else [""]:
        letter = letter.lower()[:1]
        if letter not in found:
            found.append(letter)
    return tuple(found) or ("",)


def name_initials(name: str, max_variants: int = 4) -> str:
    """Pinyin initials of a Chinese name, lower case, as the search key for 拼音首字母: the variants for
    polyphonic characters (天长市 → "tzs tcs"), each preceded by a space so a search is a
    ``contains(" " + typed)``. Character by character with a cache, so a 100,000-row import stays fast."""
    variants = [""]
    for char in name:
        options = _initials_of(char)
        if len(variants) * len(options) > max_variants:
            options = options[:1]
        variants = [v + o for v in variants for o in options]
    return "".join(" " + v[:60] for v in variants)[:200]
