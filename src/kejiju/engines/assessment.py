"""Target-responsibility assessment scoring (目标责任制考核, 百分考核), pure Python and exact.

A template (考核细则) has items of five kinds:

* ``qualitative`` (定性) — scored by assessors from 0 to the item's weight, within the band of the rubric
  level they choose when the item has a rubric; the item's score is the mean of the assessors' scores.
* ``quantitative`` (定量) — target and actual: score = weight × min(actual ÷ target, cap) (cap 1 unless the
  template allows over-fulfilment, e.g. 1.2); an actual of 0 scores 0; a target of 0 scores full marks.
* ``bonus`` (加分) — points per unit of the actual (or the points given), up to ``max_points``.
* ``deduction`` (扣分) — points per occurrence, up to ``max_points``, subtracted.
* ``veto`` (一票否决) — when triggered the grade is the lowest band whatever the total.

The weights of the qualitative and quantitative items add up to exactly 100. Grade bands (优秀/良好/合格/
不合格) are lower bounds, highest first, the last starting at 0. All figures are ``Decimal`` rounded half-up
to two places at the item level; the total is the sum of the rounded item scores, so the sheet adds up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

RULE_VERSION = "2026-1"
KINDS = ("qualitative", "quantitative", "bonus", "deduction", "veto")
KIND_LABELS = {
    "qualitative": "定性",
    "quantitative": "定量",
    "bonus": "加分",
    "deduction": "扣分",
    "veto": "一票否决",
}
CENT = Decimal("0.01")
HUNDRED = Decimal(100)
DEFAULT_BANDS = (("优秀", Decimal(90)), ("良好", Decimal(80)), ("合格", Decimal(60)), ("不合格", Decimal(0)))


class TemplateError(ValueError):
    """A template that cannot be used; ``problems`` are ``(path, Chinese reason)`` pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("；".join(f"{p}：{m}" if p else m for p, m in problems))
        self.problems = problems


class ScoreError(ValueError):
    """An input that cannot be scored; ``problems`` are ``(item code, Chinese reason)`` pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("；".join(f"{p}：{m}" for p, m in problems))
        self.problems = problems


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def to_decimal(value: Any, *, where: str, problems: list[tuple[str, str]], what: str = "数值") -> Decimal | None:
    """An exact decimal from an int, a Decimal or a decimal string (no floats' binary noise, no "1e5")."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        problems.append((where, f"{what}应为数字。"))
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        text = str(value).strip()
        if "e" in text.lower():
            raise InvalidOperation
        result = Decimal(text)
    except (InvalidOperation, ValueError):
        problems.append((where, f"{what}“{value}”不是有效的数字。"))
        return None
    if not result.is_finite():
        problems.append((where, f"{what}“{value}”不是有效的数字。"))
        return None
    return result


@dataclass(frozen=True)
class Level:
    """A rubric level of a qualitative item: its label and the score range assessors may give in it."""

    label: str
    low: Decimal
    high: Decimal


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    kind: str
    weight: Decimal = Decimal(0)
    cap: Decimal = Decimal(1)
    per_unit: Decimal | None = None
    max_points: Decimal = Decimal(0)
    rubric: tuple[Level, ...] = ()
    evidence_required: bool = False
    indicator: str = ""
    unit: str = ""


@dataclass(frozen=True)
class Template:
    items: tuple[Item, ...]
    bands: tuple[tuple[str, Decimal], ...] = DEFAULT_BANDS

    def item(self, code: str) -> Item | None:
        return next((i for i in self.items if i.code == code), None)

    def grade_for(self, total: Decimal) -> str:
        for label, low in self.bands:
            if total >= low:
                return label
        return self.bands[-1][0]


def parse_template(data: Mapping[str, Any]) -> Template:
    """The typed template from its JSON form ``{"items": [...], "bands": [[label, low], ...]}``.

    Raises :class:`TemplateError` listing every problem: unknown kind, duplicate code, weights of scored
    items not adding up to 100, a quantitative cap below 1, bonus/deduction without ``max_points``, rubric
    levels outside 0…weight, bands not descending or not ending at 0."""
    problems: list[tuple[str, str]] = []
    raw_items = data.get("items") if isinstance(data, Mapping) else None
    if not isinstance(raw_items, list) or not raw_items:
        raise TemplateError([("items", "考核细则至少要有一个指标。")])
    items: list[Item] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_items, start=1):
        where = f"第{index}项"
        if not isinstance(raw, Mapping):
            problems.append((where, "格式不正确。"))
            continue
        code = str(raw.get("code") or "").strip()
        name = str(raw.get("name") or "").strip()
        kind = str(raw.get("kind") or "").strip()
        if not code:
            problems.append((where, "指标代码不能为空。"))
        elif code in seen:
            problems.append((where, f"指标代码“{code}”重复。"))
        seen.add(code)
        if not name:
            problems.append((where, "指标名称不能为空。"))
        if kind not in KINDS:
            problems.append((where, "指标类型应为：%s。" % "、".join(KIND_LABELS.values())))
            continue
        weight = to_decimal(raw.get("weight", 0), where=where, problems=problems, what="分值") or Decimal(0)
        cap = to_decimal(raw.get("cap", 1), where=where, problems=problems, what="封顶系数") or Decimal(1)
        per_unit = to_decimal(raw.get("per_unit"), where=where, problems=problems, what="每单位分值")
        max_points = to_decimal(raw.get("max_points", 0), where=where, problems=problems, what="最高分") or Decimal(0)
        if weight < 0 or max_points < 0 or (per_unit is not None and per_unit < 0):
            problems.append((where, "分值不能为负数。"))
        if kind in ("qualitative", "quantitative") and weight <= 0:
            problems.append((where, "定性、定量指标的分值应大于 0。"))
        if kind == "quantitative" and cap < 1:
            problems.append((where, "封顶系数不能小于 1。"))
        if kind in ("bonus", "deduction") and max_points <= 0:
            problems.append((where, "加分、扣分项须写明最高分。"))
        levels: list[Level] = []
        for n, level in enumerate(raw.get("rubric") or [], start=1):
            lw = f"{where}评分标准第{n}档"
            if not isinstance(level, Mapping):
                problems.append((lw, "格式不正确。"))
                continue
            low = to_decimal(level.get("low"), where=lw, problems=problems, what="下限")
            high = to_decimal(level.get("high"), where=lw, problems=problems, what="上限")
            if low is None or high is None:
                problems.append((lw, "须写明分数上下限。"))
                continue
            if not (0 <= low <= high <= weight):
                problems.append((lw, f"分数范围应在 0 至 {weight} 之间且下限不大于上限。"))
            levels.append(Level(str(level.get("label") or f"第{n}档"), low, high))
        items.append(
            Item(
                code=code,
                name=name,
                kind=kind,
                weight=weight,
                cap=cap,
                per_unit=per_unit,
                max_points=max_points,
                rubric=tuple(levels),
                evidence_required=bool(raw.get("evidence_required", False)),
                indicator=str(raw.get("indicator") or ""),
                unit=str(raw.get("unit") or ""),
            )
        )
    scored = sum((i.weight for i in items if i.kind in ("qualitative", "quantitative")), Decimal(0))
    if items and scored != HUNDRED:
        problems.append(("items", f"定性和定量指标的分值合计应为 100 分，现为 {scored.normalize():f} 分。"))
    bands = _parse_bands(data.get("bands"), problems)
    if problems:
        raise TemplateError(problems)
    return Template(tuple(items), bands)


def _parse_bands(raw: Any, problems: list[tuple[str, str]]) -> tuple[tuple[str, Decimal], ...]:
    if raw in (None, []):
        return DEFAULT_BANDS
    if not isinstance(raw, list):
        problems.append(("bands", "等次划分格式不正确。"))
        return DEFAULT_BANDS
    bands: list[tuple[str, Decimal]] = []
    for n, band in enumerate(raw, start=1):
        if not isinstance(band, (list, tuple)) or len(band) != 2:
            problems.append(("bands", f"第{n}个等次应为[名称, 最低分]。"))
            continue
        low = to_decimal(band[1], where="bands", problems=problems, what="最低分")
        if low is not None:
            bands.append((str(band[0]), low))
    lows = [low for _, low in bands]
    if bands and (lows != sorted(lows, reverse=True) or len(set(lows)) != len(lows)):
        problems.append(("bands", "等次应按最低分从高到低排列，且不能重复。"))
    if bands and lows[-1] != 0:
        problems.append(("bands", "最后一个等次的最低分应为 0。"))
    return tuple(bands) or DEFAULT_BANDS


@dataclass
class ItemInput:
    """What is known about one item for one assessee: actual and target (quantitative, bonus), assessors'
    scores (qualitative, or bonus points given), occurrences (deduction), triggered (veto)."""

    actual: Decimal | None = None
    target: Decimal | None = None
    scores: list[Decimal] = field(default_factory=list)
    count: int = 0
    triggered: bool = False


@dataclass(frozen=True)
class ItemScore:
    code: str
    name: str
    kind: str
    score: Decimal
    explanation: str


@dataclass(frozen=True)
class Result:
    total: Decimal
    base: Decimal
    bonus: Decimal
    deduction: Decimal
    grade: str
    vetoed_by: tuple[str, ...]
    items: tuple[ItemScore, ...]
    rule_version: str = RULE_VERSION


def check_score(item: Item, value: Decimal) -> str | None:
    """Why an assessor's score for a qualitative item is not acceptable (None when it is)."""
    if value < 0 or value > item.weight:
        return f"“{item.name}”的得分应在 0 至 {item.weight.normalize():f} 分之间。"
    if value != q2(value):
        return f"“{item.name}”的得分最多保留两位小数。"
    if item.rubric and not any(level.low <= value <= level.high for level in item.rubric):
        return f"“{item.name}”的得分不在评分标准的任何一档内。"
    return None


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}"


def score_item(item: Item, given: ItemInput) -> ItemScore:
    """One item's score and how it was reached (raises ScoreError for an unscorable input)."""
    problems: list[tuple[str, str]] = []
    if item.kind == "qualitative":
        for value in given.scores:
            reason = check_score(item, value)
            if reason:
                problems.append((item.code, reason))
        if problems:
            raise ScoreError(problems)
        if not given.scores:
            return ItemScore(item.code, item.name, item.kind, Decimal(0), "尚无评分")
        mean = q2(sum(given.scores, Decimal(0)) / len(given.scores))
        return ItemScore(
            item.code, item.name, item.kind, mean, "%d 位考核人员平均：%s 分" % (len(given.scores), _fmt(mean))
        )
    if item.kind == "quantitative":
        actual, target = given.actual, given.target
        if actual is None:
            return ItemScore(item.code, item.name, item.kind, Decimal(0), "未填报实际完成值")
        if actual < 0 or (target is not None and target < 0):
            raise ScoreError([(item.code, f"“{item.name}”的目标值和完成值不能为负数。")])
        if target is None or target == 0:
            return ItemScore(item.code, item.name, item.kind, q2(item.weight), "无目标任务，按满分计")
        ratio = min(actual / target, item.cap)
        value = q2(item.weight * ratio)
        return ItemScore(
            item.code,
            item.name,
            item.kind,
            value,
            "完成 %s / 目标 %s，%s × %s = %s 分"
            % (_fmt(actual), _fmt(target), _fmt(item.weight), _fmt(q2(ratio * 100)) + "%", _fmt(value)),
        )
    if item.kind == "bonus":
        if item.per_unit is not None and given.actual is not None:
            if given.actual < 0:
                raise ScoreError([(item.code, f"“{item.name}”的数量不能为负数。")])
            raw = item.per_unit * given.actual
            basis = "%s × %s" % (_fmt(given.actual), _fmt(item.per_unit))
        else:
            raw = max(given.scores) if given.scores else Decimal(0)
            basis = "认定加分 %s" % _fmt(raw)
        if raw < 0:
            raise ScoreError([(item.code, f"“{item.name}”的加分不能为负数。")])
        value = q2(min(raw, item.max_points))
        return ItemScore(item.code, item.name, item.kind, value, "%s，封顶 %s 分" % (basis, _fmt(item.max_points)))
    if item.kind == "deduction":
        if given.count < 0:
            raise ScoreError([(item.code, f"“{item.name}”的次数不能为负数。")])
        per = item.per_unit if item.per_unit is not None else item.max_points
        value = q2(min(per * given.count, item.max_points))
        return ItemScore(
            item.code,
            item.name,
            item.kind,
            value,
            "%d 次 × %s 分，最多扣 %s 分" % (given.count, _fmt(per), _fmt(item.max_points)),
        )
    return ItemScore(item.code, item.name, item.kind, Decimal(0), "已触发一票否决" if given.triggered else "未触发")


def score(template: Template, inputs: Mapping[str, ItemInput]) -> Result:
    """Score one assessee: base (qualitative + quantitative) + bonus − deduction, never below 0; the grade
    from the bands, or the lowest band when a veto item is triggered. Unknown item codes in ``inputs``
    raise :class:`ScoreError`."""
    unknown = [code for code in inputs if template.item(code) is None]
    if unknown:
        raise ScoreError([(code, "考核细则中没有该指标。") for code in unknown])
    scores = [score_item(item, inputs.get(item.code, ItemInput())) for item in template.items]
    base = sum((s.score for s in scores if s.kind in ("qualitative", "quantitative")), Decimal(0))
    bonus = sum((s.score for s in scores if s.kind == "bonus"), Decimal(0))
    deduction = sum((s.score for s in scores if s.kind == "deduction"), Decimal(0))
    total = max(base + bonus - deduction, Decimal(0))
    vetoed = tuple(
        item.code for item in template.items if item.kind == "veto" and inputs.get(item.code, ItemInput()).triggered
    )
    grade = template.bands[-1][0] if vetoed else template.grade_for(total)
    return Result(total, base, bonus, deduction, grade, vetoed, tuple(scores))


def rank(totals: Iterable[tuple[Any, Decimal]]) -> dict[Any, int]:
    """Competition ranking (1, 2, 2, 4) by total, highest first."""
    ordered = sorted(totals, key=lambda pair: pair[1], reverse=True)
    ranks: dict[Any, int] = {}
    previous: Decimal | None = None
    current = 0
    for position, (key, total) in enumerate(ordered, start=1):
        if total != previous:
            current, previous = position, total
        ranks[key] = current
    return ranks
