"""Statistical periods: a year (``2026``), a half-year (``2026H1``) or a quarter (``2026Q3``).

Pure Python (no Django): parsing with a Chinese reason, the inclusive date range, the Chinese label and
the same period one year earlier (同比).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_PERIOD_RE = re.compile(r"^(\d{4})(?:([HQ])([1-4]))?$")


class PeriodError(ValueError):
    """The text is not a period; ``str(exc)`` is the Chinese reason."""


@dataclass(frozen=True, order=True)
class Period:
    """A statistical period: ``kind`` is ``year``, ``half`` or ``quarter``; ``part`` 0 for a year."""

    year: int
    kind: str = "year"
    part: int = 0

    @property
    def key(self) -> str:
        if self.kind == "half":
            return f"{self.year}H{self.part}"
        if self.kind == "quarter":
            return f"{self.year}Q{self.part}"
        return str(self.year)

    @property
    def start(self) -> date:
        if self.kind == "half":
            return date(self.year, 1 if self.part == 1 else 7, 1)
        if self.kind == "quarter":
            return date(self.year, 3 * self.part - 2, 1)
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        if self.kind == "half":
            return date(self.year, 6, 30) if self.part == 1 else date(self.year, 12, 31)
        if self.kind == "quarter":
            month = 3 * self.part
            return date(self.year, month, 30 if month in (6, 9) else 31)
        return date(self.year, 12, 31)

    @property
    def label(self) -> str:
        if self.kind == "half":
            return "%d年%s" % (self.year, "上半年" if self.part == 1 else "下半年")
        if self.kind == "quarter":
            return "%d年第%s季度" % (self.year, "一二三四"[self.part - 1])
        return "%d年" % self.year

    def previous_year(self) -> Period:
        """The same period one year earlier (同比)."""
        return Period(self.year - 1, self.kind, self.part)

    def __str__(self) -> str:
        return self.key


def parse_period(text: object) -> Period:
    """``2026`` / ``2026H1`` / ``2026Q3`` → :class:`Period`; anything else raises :class:`PeriodError`."""
    raw = str(text if text is not None else "").strip().upper()
    match = _PERIOD_RE.match(raw)
    if not match:
        raise PeriodError("统计期“%s”无效，应为年份（如 2026）、半年（2026H1）或季度（2026Q3）。" % str(text)[:20])
    year = int(match.group(1))
    if not 1949 <= year <= 2100:
        raise PeriodError("统计年份“%d”超出范围（1949—2100）。" % year)
    if match.group(2) == "H":
        part = int(match.group(3))
        if part not in (1, 2):
            raise PeriodError("半年统计期只能是 H1 或 H2。")
        return Period(year, "half", part)
    if match.group(2) == "Q":
        return Period(year, "quarter", int(match.group(3)))
    return Period(year)
