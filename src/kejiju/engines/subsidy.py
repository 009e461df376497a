"""Subsidy (奖补) formulas: pure, exact calculation of a reward from a policy version's formula.

A local subsidy rule is data, not code: a *formula kind* with its *params* (JSON). A later change of the
rule is a new policy version with new params; the awards keep the version they were calculated with.

Kinds and their params / inputs (money in yuan: an int, a ``Decimal`` or a decimal string with at most
two decimals; never ``"1e5"`` and never a float):

``fixed``
    params ``{"amount": money}``; inputs ``{}``. The amount.
``rate_of_increase``
    params ``{"rate": "0.10", "cap": money | null}``; inputs ``{"current": money, "previous": money}``.
    ``rate`` × (current − previous), 0 when there is no increase, at most ``cap``.
``by_level``
    params ``{"table": {level: money}}``; inputs ``{"level": level}``. The amount of that level.
``per_unit``
    params ``{"table": {unit kind: money per unit}, "cap": money | null}``; inputs
    ``{unit kind: count, …}`` (each a non-negative integer, each kind in the table).
    Σ count × amount per unit, at most ``cap``.

Results are rounded **down** to the fen (a rate never pays a fen more than earned). Every error is a
:class:`SubsidyError` naming the field (``params.rate``, ``inputs.current`` …) with a Chinese reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

KINDS: dict[str, str] = {
    "fixed": "固定金额",
    "rate_of_increase": "按增量比例（封顶）",
    "by_level": "按级别",
    "per_unit": "按件数（封顶）",
}
FEN = Decimal("0.01")
_MONEY = re.compile(r"^-?\d{1,12}(\.\d{1,2})?$")
_RATE = re.compile(r"^\d(\.\d{1,6})?$")
MAX_MONEY = Decimal("999999999999.99")


class SubsidyError(ValueError):
    """Bad params or inputs: ``field`` is the dotted name at fault, ``message`` a Chinese sentence."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Calculation:
    """The amount (yuan, two places), the normalised inputs and a Chinese explanation of the figure."""

    amount: Decimal
    inputs: dict[str, Any]
    explanation: str
    capped: bool = False
    lines: list[str] = field(default_factory=list)


def parse_money(value: object, fld: str, *, allow_negative: bool = False) -> Decimal:
    """Money from an int, a ``Decimal`` or a plain decimal string (no exponent, at most two decimals)."""
    if isinstance(value, bool) or not isinstance(value, (int, str, Decimal)):
        raise SubsidyError(fld, "“%(f)s”应为金额（元，整数或最多两位小数的数字字符串）。" % {"f": fld})
    text = str(value).strip().replace(",", "")
    if not _MONEY.match(text):
        if re.match(r"^-?\d+\.\d{3,}$", text):
            raise SubsidyError(fld, "“%(f)s”金额最多保留两位小数（分），实际为“%(v)s”。" % {"f": fld, "v": value})
        raise SubsidyError(fld, "“%(f)s”的值“%(v)s”不是有效的金额。" % {"f": fld, "v": value})
    amount = Decimal(text)
    if amount < 0 and not allow_negative:
        raise SubsidyError(fld, "“%(f)s”金额不能为负数。" % {"f": fld})
    return amount.quantize(FEN)


def parse_count(value: object, fld: str) -> int:
    """A non-negative integer (an int or a string of digits)."""
    if isinstance(value, bool):
        raise SubsidyError(fld, "“%(f)s”应为非负整数。" % {"f": fld})
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,9}\s*", value):
        number = int(value)
    else:
        raise SubsidyError(fld, "“%(f)s”应为非负整数，实际为“%(v)s”。" % {"f": fld, "v": value})
    if number < 0:
        raise SubsidyError(fld, "“%(f)s”不能为负数。" % {"f": fld})
    if number > 10**9:
        raise SubsidyError(fld, "“%(f)s”数值过大。" % {"f": fld})
    return number


def _rate(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, str, Decimal)):
        raise SubsidyError("params.rate", "比例应为 0 到 1 之间的小数，如“0.10”表示 10%。")
    text = str(value).strip()
    if not _RATE.match(text):
        raise SubsidyError("params.rate", "比例“%(v)s”无效，应为 0 到 1 之间的小数（最多六位）。" % {"v": value})
    rate = Decimal(text)
    if not Decimal(0) < rate <= Decimal(1):
        raise SubsidyError("params.rate", "比例应大于 0 且不超过 1。")
    return rate


def _only(mapping: Mapping[str, Any], allowed: set[str], prefix: str) -> None:
    unknown = sorted(set(mapping) - allowed)
    if unknown:
        raise SubsidyError(
            "%s.%s" % (prefix, unknown[0]),
            "未知字段“%(k)s”（允许：%(a)s）。" % {"k": unknown[0], "a": "、".join(sorted(allowed)) or "无"},
        )


def _mapping(value: object, fld: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise SubsidyError(fld, "“%(f)s”应为对象（键值表）。" % {"f": fld})
    return value


def _table(params: Mapping[str, Any]) -> dict[str, Decimal]:
    table = _mapping(params.get("table"), "params.table")
    if not table:
        raise SubsidyError("params.table", "金额表不能为空。")
    out: dict[str, Decimal] = {}
    for key, amount in table.items():
        name = str(key).strip()
        if not name or len(name) > 40:
            raise SubsidyError("params.table", "金额表的键“%(k)s”无效。" % {"k": key})
        out[name] = parse_money(amount, "params.table.%s" % name)
    return out


def _cap(params: Mapping[str, Any]) -> Decimal | None:
    cap = params.get("cap")
    return None if cap in (None, "") else parse_money(cap, "params.cap")


def validate_params(kind: str, params: object) -> dict[str, Any]:
    """Check a formula's params and return them normalised (money as two-place strings). Raises
    :class:`SubsidyError`."""
    if kind not in KINDS:
        raise SubsidyError("kind", "未知的计算方式“%(k)s”，应为：%(a)s。" % {"k": kind, "a": "、".join(KINDS)})
    p = _mapping(params, "params")
    if kind == "fixed":
        _only(p, {"amount"}, "params")
        if "amount" not in p:
            raise SubsidyError("params.amount", "固定金额不能为空。")
        return {"amount": str(parse_money(p["amount"], "params.amount"))}
    if kind == "rate_of_increase":
        _only(p, {"rate", "cap"}, "params")
        if "rate" not in p:
            raise SubsidyError("params.rate", "比例不能为空。")
        cap = _cap(p)
        return {"rate": str(_rate(p["rate"])), "cap": None if cap is None else str(cap)}
    if kind == "by_level":
        _only(p, {"table"}, "params")
        return {"table": {k: str(v) for k, v in _table(p).items()}}
    _only(p, {"table", "cap"}, "params")
    cap = _cap(p)
    return {"table": {k: str(v) for k, v in _table(p).items()}, "cap": None if cap is None else str(cap)}


def input_fields(kind: str, params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The inputs a kind asks for, as (key, Chinese label), for forms."""
    if kind == "rate_of_increase":
        return [("current", "本年度金额（元）"), ("previous", "上年度金额（元）")]
    if kind == "by_level":
        return [("level", "级别")]
    if kind == "per_unit":
        return [(str(k), "%s（件）" % k) for k in params.get("table", {})]
    return []


def _down(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_DOWN)


def calculate(kind: str, params: object, inputs: object) -> Calculation:
    """The amount under one formula. ``params`` are validated again (a stored version is trusted
    but checked); ``inputs`` must hold exactly the fields the kind asks for. Raises
    :class:`SubsidyError`."""
    p = validate_params(kind, params)
    given = _mapping(inputs if inputs is not None else {}, "inputs")
    if kind == "fixed":
        _only(given, set(), "inputs")
        amount = Decimal(p["amount"])
        return Calculation(amount, {}, "固定奖补 %(a)s 元。" % {"a": amount})
    if kind == "rate_of_increase":
        _only(given, {"current", "previous"}, "inputs")
        for key in ("current", "previous"):
            if key not in given:
                label = "本年度金额" if key == "current" else "上年度金额"
                raise SubsidyError("inputs.%s" % key, "缺少“%(l)s”。" % {"l": label})
        current = parse_money(given["current"], "inputs.current")
        previous = parse_money(given["previous"], "inputs.previous")
        rate = Decimal(p["rate"])
        increase = current - previous
        lines = ["本年度 %(c)s 元，上年度 %(p)s 元，增量 %(i)s 元。" % {"c": current, "p": previous, "i": increase}]
        if increase <= 0:
            amount = Decimal("0.00")
            lines.append("无增量，不予奖补。")
        else:
            amount = _down(increase * rate)
            lines.append("按增量的 %(r)s 计 %(a)s 元。" % {"r": _percent(rate), "a": amount})
        cap_text = p.get("cap")
        capped = False
        if cap_text is not None and amount > Decimal(cap_text):
            amount, capped = Decimal(cap_text), True
            lines.append("超过封顶额，按封顶 %(c)s 元。" % {"c": amount})
        return Calculation(amount, {"current": str(current), "previous": str(previous)}, "".join(lines), capped, lines)
    if kind == "by_level":
        _only(given, {"level"}, "inputs")
        level = str(given.get("level") or "").strip()
        table = p["table"]
        if level not in table:
            raise SubsidyError(
                "inputs.level", "级别“%(l)s”不在本政策的金额表中（可选：%(a)s）。" % {"l": level, "a": "、".join(table)}
            )
        amount = Decimal(table[level])
        return Calculation(amount, {"level": level}, "按级别“%(l)s”奖补 %(a)s 元。" % {"l": level, "a": amount})
    table = p["table"]
    _only(given, set(table), "inputs")
    if not given:
        raise SubsidyError("inputs", "请至少填写一类件数。")
    total = Decimal(0)
    lines = []
    normal: dict[str, Any] = {}
    for key in table:
        if key not in given:
            continue
        count = parse_count(given[key], "inputs.%s" % key)
        normal[key] = count
        if count:
            part = Decimal(table[key]) * count
            total += part
            lines.append("%(k)s %(n)d 件 × %(u)s 元 = %(p)s 元。" % {"k": key, "n": count, "u": table[key], "p": part})
    amount = _down(total)
    capped = False
    if p.get("cap") is not None and amount > Decimal(p["cap"]):
        amount, capped = Decimal(p["cap"]), True
        lines.append("超过封顶额，按封顶 %(c)s 元。" % {"c": amount})
    if amount > MAX_MONEY:
        raise SubsidyError("inputs", "计算金额超出范围。")
    return Calculation(amount, normal, "".join(lines) or "件数均为 0，不予奖补。", capped, lines)


def _percent(rate: Decimal) -> str:
    text = format((rate * 100).normalize(), "f")
    return text + "%"
