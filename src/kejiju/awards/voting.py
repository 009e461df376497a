"""The counting rules of the award committee's meeting vote (评审委员会会议表决), exact with fractions:
the meeting may vote when the members present are at least the quorum fraction of all members
(e.g. 2/3); a nomination passes when the votes for are at least the pass fraction of the members
present (e.g. 2/3, "三分之二以上（含本数）"), or more than it when the rule says so (e.g. "过半数": 1/2,
exceeded). Pure Python, no database."""

from __future__ import annotations

import re
from fractions import Fraction

_FRACTION_RE = re.compile(r"([0-9]{1,3})/([0-9]{1,3})")


def parse_fraction(text: object) -> Fraction:
    """``"2/3"`` → ``Fraction(2, 3)``; ``"1"`` → 1. A fraction above 0 and at most 1, numerator and
    denominator whole numbers below 1000. ``ValueError`` otherwise."""
    value = str(text or "").strip().replace("／", "/")
    if value == "1":
        return Fraction(1)
    match = _FRACTION_RE.fullmatch(value)
    if match is None or int(match.group(2)) == 0:
        raise ValueError(value)
    fraction = Fraction(int(match.group(1)), int(match.group(2)))
    if not 0 < fraction <= 1:
        raise ValueError(value)
    return fraction


def fraction_text(fraction: Fraction) -> str:
    return str(fraction.numerator) if fraction.denominator == 1 else f"{fraction.numerator}/{fraction.denominator}"


def quorum_needed(total: int, quorum: Fraction) -> int:
    """The fewest members present that make the quorum: ⌈quorum × total⌉."""
    return -((-quorum.numerator * total) // quorum.denominator)


def quorum_met(present: int, total: int, quorum: Fraction) -> bool:
    return present * quorum.denominator >= quorum.numerator * total


def votes_needed(present: int, fraction: Fraction, exceeds: bool = False) -> int:
    """The fewest votes for that pass: ⌈fraction × present⌉, or ⌊fraction × present⌋ + 1 when the
    fraction has to be exceeded."""
    if exceeds:
        return (fraction.numerator * present) // fraction.denominator + 1
    return -((-fraction.numerator * present) // fraction.denominator)


def vote_passes(votes_for: int, present: int, fraction: Fraction, exceeds: bool = False) -> bool:
    """Whether ``votes_for`` of ``present`` members pass under the rule (compared exactly)."""
    share = Fraction(votes_for) * fraction.denominator
    need = Fraction(fraction.numerator * present)
    return share > need if exceeds else share >= need


def rule_text(fraction: Fraction, exceeds: bool = False) -> str:
    """How the rule reads on the pages: ``≥ 2/3`` or ``> 1/2``."""
    return ("> " if exceeds else "≥ ") + fraction_text(fraction)
