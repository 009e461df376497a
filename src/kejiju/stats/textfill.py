"""Paragraph templates of the work report: placeholders filled from figures (pure Python, no Django).

A template is text with placeholders in braces:

* ``{code}`` — the figure of indicator ``code`` for the report's period (``12``, ``350.50``);
* ``{code|unit}`` — the figure with its unit (``12家``);
* ``{code|last}`` — the same period one year earlier;
* ``{code|yoy}`` — the 同比 phrase: ``同比增长25.0%`` / ``同比下降10.0%`` / ``与上年持平`` /
  ``上年同期为零`` / ``上年同期无数据``;
* ``{code|target}`` — the year's target; ``{code|rate}`` — done ÷ target as ``120.0%`` (``—`` without one);
* ``{period}`` (``2026年``) and ``{region}`` (the region's name).

A paragraph whose figures are all zero or missing is dropped (:func:`fill` returns ``None``): the report
never invents activity; the caller states, per section, that the period has no data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_.\-]+)(?:\|([a-z]+))?\}")
MODIFIERS = ("unit", "last", "yoy", "target", "rate")
WORDS = ("period", "region")


@dataclass(frozen=True)
class FigureText:
    """What a template may say about one indicator."""

    code: str
    unit: str
    decimals: int
    value: Decimal | None
    previous: Decimal | None = None
    target: Decimal | None = None


def format_number(value: Decimal | int | None, decimals: int = 0) -> str:
    """``Decimal("12")`` → ``12``; with ``decimals`` 2 → ``12.00``; ``None`` → ``—``."""
    if value is None:
        return "—"
    quantum = Decimal(1).scaleb(-decimals) if decimals else Decimal(1)
    number = Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    return f"{number:f}"


def chart_number(value: Decimal | int | None, missing: float | None = None) -> float | None:
    """A figure as a chart coordinate (ECharts takes JSON numbers). For drawing only: every figure a
    person reads, exports or compares stays a Decimal."""
    return float(value) if value is not None else missing


def yoy_phrase(value: Decimal | None, previous: Decimal | None) -> str:
    """The 同比 phrase comparing ``value`` with the same period last year."""
    if value is None or previous is None:
        return "上年同期无数据"
    if previous == 0:
        return "与上年持平" if value == 0 else "上年同期为零"
    change = (Decimal(value) - Decimal(previous)) / Decimal(previous) * 100
    change = change.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if change > 0:
        return "同比增长%s%%" % f"{change:f}"
    if change < 0:
        return "同比下降%s%%" % f"{-change:f}"
    return "与上年持平"


def rate_text(value: Decimal | None, target: Decimal | None) -> str:
    if value is None or not target:
        return "—"
    rate = (Decimal(value) / Decimal(target) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{rate:f}%"


def placeholders(text: str) -> list[tuple[str, str]]:
    """The ``(code, modifier)`` pairs of a template, in order (modifier ``""`` for the bare figure)."""
    return [(m.group(1), m.group(2) or "") for m in PLACEHOLDER.finditer(text)]


def check_template(text: str, known_codes: set[str]) -> list[str]:
    """Chinese reasons why ``text`` cannot be used: empty, unknown indicator code or modifier, stray brace."""
    problems: list[str] = []
    if not text.strip():
        return ["段落模板不能为空。"]
    for code, modifier in placeholders(text):
        if code in WORDS:
            if modifier:
                problems.append("占位符“{%s|%s}”不能带辅助项。" % (code, modifier))
            continue
        if code not in known_codes:
            problems.append("占位符“{%s}”中的“%s”不是已登记的指标代码。" % (code, code))
        if modifier and modifier not in MODIFIERS:
            problems.append("占位符“{%s|%s}”的辅助项无效，应为：%s。" % (code, modifier, "、".join(MODIFIERS)))
    stripped = PLACEHOLDER.sub("", text)
    if "{" in stripped or "}" in stripped:
        problems.append("段落模板中有不成对或格式不正确的花括号，占位符应写作 {指标代码} 或 {指标代码|yoy}。")
    return problems


def fill(text: str, figures: Mapping[str, FigureText], *, period: str, region: str) -> tuple[str, list[str]] | None:
    """The paragraph with its placeholders filled, and the indicator codes it quotes; ``None`` when every
    figure it quotes is zero or missing (or it quotes an indicator not in ``figures``)."""
    used: list[str] = []
    for code, _modifier in placeholders(text):
        if code in WORDS:
            continue
        if code not in figures:
            return None
        if code not in used:
            used.append(code)
    if used and all(figures[c].value in (None, 0) for c in used):
        return None

    def replace(match: re.Match[str]) -> str:
        code, modifier = match.group(1), match.group(2) or ""
        if code == "period":
            return period
        if code == "region":
            return region
        fig = figures[code]
        if modifier == "unit":
            return format_number(fig.value, fig.decimals) + fig.unit
        if modifier == "last":
            return format_number(fig.previous, fig.decimals)
        if modifier == "yoy":
            return yoy_phrase(fig.value, fig.previous)
        if modifier == "target":
            return format_number(fig.target, fig.decimals)
        if modifier == "rate":
            return rate_text(fig.value, fig.target)
        return format_number(fig.value, fig.decimals)

    return PLACEHOLDER.sub(replace, text), used
