"""高新技术企业认定 (国科发火〔2016〕32号 + 工作指引 国科发火〔2016〕195号, rule version ``2016-32``): a pure
rule engine.

Business rules (/work/shared/spec/official-rules.md §2, restated in docs/modules/evaluation.md):

* 第十一条 has eight conditions; each comes out ``met``, ``not_met`` or ``expert`` (the answer still depends on
  expert scores) with a Chinese reason. ``eligible`` means the seven conditions other than the innovation
  score are all met.
* （五） R&D ÷ sales over the last three fiscal years (the actual operating period when shorter) against the
  bracket of the **latest** year's sales: ≤ 5,000万 → 5 %, ≤ 2亿 → 4 %, above → 3 % (boundaries belong to the
  lower bracket, ratios inclusive); R&D spent in China ≥ 60 % of the total.
* （七） innovation score (工作指引): 知识产权 (max 30, items sum to 32 and the section is capped at 30), 科技成果
  转化 (max 30, band on the yearly average of conversions), 研发组织管理 (max 20, expert), 企业成长性 (2 × 10,
  growth bands computed exactly with ``Fraction``). Items an engine cannot score give their band's range;
  expert scores, when given, are checked against the band and give exact points. Pass only **above** 70.
* Operating period under three years: the sums, the conversion average and the growth use the actual years
  (C5's interpretation for growth: 2 years → v₃/v₂ − 1, 1 year → 0 points; medium-low confidence).

Check against the official text before going live (spec §0): restated from the 办法 and 指引, agreeing with
C2, C3, C5 and C6; not yet checked by a bureau against the printed text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from json.encoder import JSONEncoder, encode_basestring  # the C encoder's string escaping
from typing import Any, Literal, cast

from kejiju.engines.tech_sme import (
    InputError,
    Problem,
    RecordId,
    RecordReader,
    _units,
    decimal_places,
    fast_cents,
    fast_count,
    fast_id,
    json_strings,
    percent_of,
    ratio,
    type_name,
)

RULE_VERSION = "2016-32"

Status = Literal["met", "not_met", "expert"]

#: 第十一条's conditions: stable keys and Chinese labels, in the order of the 办法.
CONDITIONS: dict[str, str] = {
    "registered_one_year": "（一）注册成立一年以上",
    "core_ip": "（二）拥有对主要产品（服务）发挥核心支持作用的知识产权所有权",
    "field_in_catalogue": "（三）核心技术属于《国家重点支持的高新技术领域》",
    "tech_staff_ratio": "（四）科技人员占职工总数的比例不低于 10%",
    "rd_ratio": "（五）近三个会计年度研发费用占销售收入的比例符合要求",
    "high_tech_revenue_ratio": "（六）近一年高新技术产品（服务）收入占总收入的比例不低于 60%",
    "innovation_score": "（七）创新能力评价得分 70 分以上（不含 70 分）",
    "no_bad_record": "（八）申请前一年内未发生重大安全、重大质量事故或严重环境违法行为",
}

FIELDS: dict[str, str] = {
    "id": "记录编号",
    "application_date": "申请日期",
    "registration_date": "注册成立日期",
    "core_ip_owned": "拥有核心支持作用的知识产权所有权",
    "ip_class1": "Ⅰ类知识产权数",
    "ip_class2": "Ⅱ类知识产权数",
    "ip_self_developed": "知识产权有自主研发取得的",
    "field_in_catalogue": "属于国家重点支持的高新技术领域",
    "employees": "职工总数",
    "tech_staff": "科技人员数",
    "sales": "近三年销售收入（元）",
    "rd_expense": "近三年研发费用（元）",
    "rd_expense_in_china": "近三年境内研发费用（元）",
    "high_tech_revenue": "近一年高新技术产品（服务）收入（元）",
    "total_revenue": "近一年总收入（元）",
    "net_assets": "近三年净资产（元）",
    "conversions": "近三年科技成果转化数",
    "operating_years": "实际经营年数",
    "bad_record": "申请前一年内有重大安全、质量事故或严重环境违法行为",
    "expert_scores": "专家评分",
}

#: Innovation items: key → (Chinese label, cap). Keys marked † may be given in ``expert_scores``.
ITEMS: dict[str, tuple[str, int]] = {
    "ip_advanced": ("知识产权：技术的先进程度", 8),
    "ip_core_support": ("知识产权：对主要产品（服务）的核心支持作用", 8),
    "ip_quantity": ("知识产权：数量", 8),
    "ip_acquisition": ("知识产权：获得方式", 6),
    "ip_standard": ("知识产权：参与编制标准（加分项）", 2),
    "conversion": ("科技成果转化能力", 30),
    "rd_management": ("研究开发组织管理水平", 20),
    "sales_growth": ("企业成长性：销售收入增长率", 10),
    "net_asset_growth": ("企业成长性：净资产增长率", 10),
}
IP_ITEMS = ("ip_advanced", "ip_core_support", "ip_quantity", "ip_acquisition", "ip_standard")
IP_CAP = 30
#: Expert scores required together; the band-only computed items may be given too (optional).
EXPERT_REQUIRED = ("ip_advanced", "ip_core_support", "ip_acquisition", "ip_standard", "conversion", "rd_management")
EXPERT_OPTIONAL = ("ip_quantity", "sales_growth", "net_asset_growth")

PASS_ABOVE = 70
ONE_YEAR_DAYS = 365
SALES_SMALL = Decimal(50_000_000)  # 5,000万元 (belongs to the small bracket)
SALES_MEDIUM = Decimal(200_000_000)  # 2亿元
STAFF_MIN = Fraction(10, 100)
HIGH_TECH_MIN = Fraction(60, 100)
RD_CHINA_MIN = Fraction(60, 100)

GROWTH_BANDS: list[tuple[str, Fraction, int, int]] = [
    ("A", Fraction(35, 100), 9, 10),
    ("B", Fraction(25, 100), 7, 8),
    ("C", Fraction(15, 100), 5, 6),
    ("D", Fraction(5, 100), 3, 4),
]
CONVERSION_BANDS: list[tuple[str, int, int, int]] = [
    ("A", 5, 25, 30),
    ("B", 4, 19, 24),
    ("C", 3, 13, 18),
    ("D", 2, 7, 12),
    ("E", 1, 1, 6),
]


@dataclass(frozen=True)
class ExpertScores:
    """Integer expert scores; the three optional ones pin the point inside a computed band."""

    ip_advanced: int
    ip_core_support: int
    ip_acquisition: int
    ip_standard: int
    conversion: int
    rd_management: int
    ip_quantity: int | None = None
    sales_growth: int | None = None
    net_asset_growth: int | None = None


@dataclass(frozen=True)
class HnteInput:
    """One application; year lists are the last three fiscal years, oldest first; money in yuan."""

    id: RecordId
    application_date: date
    registration_date: date
    core_ip_owned: bool
    ip_class1: int
    ip_class2: int
    ip_self_developed: bool
    field_in_catalogue: bool
    employees: int
    tech_staff: int
    sales: tuple[Decimal, Decimal, Decimal]
    rd_expense: tuple[Decimal, Decimal, Decimal]
    rd_expense_in_china: tuple[Decimal, Decimal, Decimal]
    high_tech_revenue: Decimal
    total_revenue: Decimal
    net_assets: tuple[Decimal, Decimal, Decimal]
    conversions: int
    operating_years: int
    bad_record: bool
    expert_scores: ExpertScores | None = None

    @property
    def years(self) -> int:
        """Years that count: the actual operating period, at least 1 and at most 3."""
        return min(3, max(1, self.operating_years))


@dataclass(frozen=True)
class ItemRange:
    """Points of one innovation item: ``min == max`` when exact; ``band`` when the engine computed one."""

    min: int
    max: int
    band: str | None = None


@dataclass(frozen=True)
class Innovation:
    """The innovation score as a range; the 知识产权 section is capped at 30 before summing."""

    items: dict[str, ItemRange]

    def _total(self, pick: Callable[[ItemRange], int]) -> int:
        ip = min(IP_CAP, sum(pick(self.items[k]) for k in IP_ITEMS))
        return ip + sum(pick(v) for k, v in self.items.items() if k not in IP_ITEMS)

    @property
    def min(self) -> int:
        return self._total(lambda r: r.min)

    @property
    def max(self) -> int:
        return self._total(lambda r: r.max)


@dataclass(frozen=True)
class HnteResult:
    """The evaluation of one application under ``rule_version``; ``passed`` is None while experts decide."""

    id: RecordId
    rule_version: str
    eligible: bool
    conditions: dict[str, Status]
    rd_ratio: Fraction | None
    rd_threshold: Fraction
    innovation: Innovation
    passed: bool | None
    reasons: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------------------------
# Computable parts
# ---------------------------------------------------------------------------------------------------------------


def rd_threshold(latest_sales: Decimal) -> Fraction:
    """Required R&D ÷ sales for the latest year's sales: ≤ 5,000万 → 5 %, ≤ 2亿 → 4 %, above → 3 %."""
    if latest_sales <= SALES_SMALL:
        return Fraction(5, 100)
    if latest_sales <= SALES_MEDIUM:
        return Fraction(4, 100)
    return Fraction(3, 100)


def growth_rate(values: Sequence[Decimal]) -> Fraction | None:
    """Growth rate per the 指引 on the counted years (oldest first), or ``None`` when it scores 0 by rule.

    Three years: ½ × (v₂/v₁ + v₃/v₂) − 1; year-1 value 0 → v₃/v₂ − 1; year-2 value 0 → ``None`` (0 points).
    Two years: v₂/v₁ − 1 (C5's interpretation), 0 in the first → ``None``. One year → ``None``."""
    v = [Fraction(x) for x in values]
    if len(v) == 3:
        if v[1] == 0:
            return None
        if v[0] == 0:
            return v[2] / v[1] - 1
        return (v[1] / v[0] + v[2] / v[1]) / 2 - 1
    if len(v) == 2 and v[0] != 0:
        return v[1] / v[0] - 1
    return None


def growth_band(rate: Fraction | None) -> ItemRange:
    """Band of a growth rate: ≥ 35 % A 9–10, ≥ 25 % B 7–8, ≥ 15 % C 5–6, ≥ 5 % D 3–4, > 0 E 1–2, else F 0."""
    if rate is None or rate <= 0:
        return ItemRange(0, 0, "F")
    for band, lower, low, high in GROWTH_BANDS:
        if rate >= lower:
            return ItemRange(low, high, band)
    return ItemRange(1, 2, "E")


def conversion_band(conversions: int, years: int) -> ItemRange:
    """Band on the yearly average of conversions (≥ 5 A 25–30 … ≥ 1 E 1–6; below 1 F 0)."""
    average = Fraction(conversions, years)
    for band, lower, low, high in CONVERSION_BANDS:
        if average >= lower:
            return ItemRange(low, high, band)
    return ItemRange(0, 0, "F")


def ip_quantity_band(class1: int, class2: int) -> ItemRange:
    """≥ 1 Class I → A 7–8; ≥ 5 Class II → B 5–6; 3–4 → C 3–4; 1–2 → D 1–2; none → E 0."""
    if class1 >= 1:
        return ItemRange(7, 8, "A")
    if class2 >= 5:
        return ItemRange(5, 6, "B")
    if class2 >= 3:
        return ItemRange(3, 4, "C")
    if class2 >= 1:
        return ItemRange(1, 2, "D")
    return ItemRange(0, 0, "E")


_NONE = ItemRange(0, 0)
_IP_OPEN = ItemRange(0, 8)
_ACQ_SELF = ItemRange(1, 6, "A")
_ACQ_OTHER = ItemRange(1, 3, "B")
_STANDARD = ItemRange(0, 2)
_RD_MANAGEMENT = ItemRange(0, 20)
_GROWTH = [(int(lower * 100), ItemRange(low, high, band)) for band, lower, low, high in GROWTH_BANDS]
_GROWTH_E = ItemRange(1, 2, "E")
_GROWTH_F = ItemRange(0, 0, "F")
_CONVERSION = [(lower, ItemRange(low, high, band)) for band, lower, low, high in CONVERSION_BANDS]
_CONVERSION_F = ItemRange(0, 0, "F")
_QUANTITY = {
    "A": ItemRange(7, 8, "A"),
    "B": ItemRange(5, 6, "B"),
    "C": ItemRange(3, 4, "C"),
    "D": ItemRange(1, 2, "D"),
    "E": ItemRange(0, 0, "E"),
}


def growth_band_units(values: Sequence[int]) -> ItemRange:
    """``growth_band(growth_rate(values))`` on integers (any common unit): the rate is kept as an exact
    numerator/denominator pair and compared by cross-multiplication."""
    if len(values) == 3:
        a, b, c = values
        if b == 0:
            return _GROWTH_F
        if a == 0:
            num, den = c - b, b  # v₃/v₂ − 1
        else:
            num, den = b * b + c * a - 2 * a * b, 2 * a * b  # ½ (v₂/v₁ + v₃/v₂) − 1
    elif len(values) == 2 and values[0] != 0:
        num, den = values[1] - values[0], values[0]
    else:
        return _GROWTH_F
    if den < 0:
        num, den = -num, -den
    if num <= 0:
        return _GROWTH_F
    for percent, band in _GROWTH:
        if 100 * num >= percent * den:
            return band
    return _GROWTH_E


def _band_items(
    ip_class1: int,
    ip_class2: int,
    self_developed: bool,
    conversions: int,
    years: int,
    sales: Sequence[int],
    net_assets: Sequence[int],
) -> dict[str, ItemRange]:
    has_ip = ip_class1 + ip_class2 > 0
    if ip_class1 >= 1:
        quantity = _QUANTITY["A"]
    elif ip_class2 >= 5:
        quantity = _QUANTITY["B"]
    elif ip_class2 >= 3:
        quantity = _QUANTITY["C"]
    else:
        quantity = _QUANTITY["D" if ip_class2 >= 1 else "E"]
    conversion = _CONVERSION_F
    for lower, band in _CONVERSION:
        if conversions >= lower * years:  # yearly average ≥ lower
            conversion = band
            break
    return {
        # Without any IP the advancement and the core support are "无": 0 points.
        "ip_advanced": _IP_OPEN if has_ip else _NONE,
        "ip_core_support": _IP_OPEN if has_ip else _NONE,
        "ip_quantity": quantity,
        "ip_acquisition": (_ACQ_SELF if self_developed else _ACQ_OTHER) if has_ip else _NONE,
        "ip_standard": _STANDARD,
        "conversion": conversion,
        "rd_management": _RD_MANAGEMENT,
        "sales_growth": growth_band_units(sales[3 - years :]),
        "net_asset_growth": growth_band_units(net_assets[3 - years :]),
    }


def band_ranges(data: HnteInput) -> dict[str, ItemRange]:
    """Every item's possible points before expert scores: computed bands or the item's full 0–cap range."""
    sales, _ = _units(data.sales)
    net_assets, _ = _units(data.net_assets)
    return _band_items(
        data.ip_class1,
        data.ip_class2,
        data.ip_self_developed,
        data.conversions,
        data.years,
        sales,
        net_assets,
    )


def expert_problems(data: HnteInput, record: str) -> list[Problem]:
    """Expert scores outside their item's band (or cap): one Chinese problem each."""
    if data.expert_scores is None:
        return []
    problems = []
    for key, allowed in band_ranges(data).items():
        value = getattr(data.expert_scores, key)
        if value is not None and not allowed.min <= value <= allowed.max:
            where = "第 %s 档" % allowed.band if allowed.band else "本项"
            problems.append(
                Problem(
                    record,
                    "expert_scores.%(k)s（%(l)s）" % {"k": key, "l": ITEMS[key][0]},
                    "%(w)s的分值范围为 %(a)d–%(b)d 分，给出的是 %(v)d 分。"
                    % {"w": where, "a": allowed.min, "b": allowed.max, "v": value},
                )
            )
    return problems


def innovation(data: HnteInput) -> Innovation:
    """The innovation score: computed bands, narrowed to the exact expert score wherever one is given."""
    items = band_ranges(data)
    if data.expert_scores is not None:
        for key, allowed in list(items.items()):
            value = getattr(data.expert_scores, key)
            if value is not None:
                items[key] = ItemRange(value, value, allowed.band)
    return Innovation(items)


# ---------------------------------------------------------------------------------------------------------------
# JSON in and out
# ---------------------------------------------------------------------------------------------------------------


def _expert_scores(r: RecordReader) -> ExpertScores | None:
    raw = r.data.get("expert_scores")
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        r.add("expert_scores", "应为对象，实际为%(t)s。" % {"t": type_name(raw)})
        return None
    values: dict[str, int | None] = {}
    for key in raw:
        if key not in ITEMS or key not in EXPERT_REQUIRED + EXPERT_OPTIONAL:
            r.add("expert_scores.%s" % key, "不是可识别的专家评分项。")
    for key in EXPERT_REQUIRED + EXPERT_OPTIONAL:
        name = "expert_scores.%s" % key
        if key not in raw:
            if key in EXPERT_REQUIRED:
                r.add(name, "给出专家评分时此项不能缺少。")
            values[key] = None
            continue
        value = r.count_value(name, raw[key])
        cap = ITEMS[key][1]
        if value > cap:
            r.add(name, "%(l)s最高 %(c)d 分，给出的是 %(v)d 分。" % {"l": ITEMS[key][0], "c": cap, "v": value})
        values[key] = value
    return ExpertScores(
        ip_advanced=values["ip_advanced"] or 0,
        ip_core_support=values["ip_core_support"] or 0,
        ip_acquisition=values["ip_acquisition"] or 0,
        ip_standard=values["ip_standard"] or 0,
        conversion=values["conversion"] or 0,
        rd_management=values["rd_management"] or 0,
        ip_quantity=values["ip_quantity"],
        sales_growth=values["sales_growth"],
        net_asset_growth=values["net_asset_growth"],
    )


def _three(values: tuple[Decimal, ...]) -> tuple[Decimal, Decimal, Decimal]:
    return values[0], values[1], values[2]


def from_json(data: object, index: int = 0) -> HnteInput:
    """Read one IN record (see docs/modules/evaluation.md). ``index`` (0-based) names the record when its id
    is bad. Raises ``InputError`` listing every bad field — and every expert score outside its band — with the
    record id and a Chinese reason."""
    r = RecordReader(data, index, FIELDS, optional=("expert_scores",))
    if not isinstance(data, Mapping):
        raise InputError(r.problems)
    values = HnteInput(
        id=r.record_id,
        application_date=r.iso_date("application_date"),
        registration_date=r.iso_date("registration_date"),
        core_ip_owned=r.boolean("core_ip_owned"),
        ip_class1=r.count("ip_class1"),
        ip_class2=r.count("ip_class2"),
        ip_self_developed=r.boolean("ip_self_developed"),
        field_in_catalogue=r.boolean("field_in_catalogue"),
        employees=r.count("employees"),
        tech_staff=r.count("tech_staff"),
        sales=_three(r.money_list("sales", 3)),
        rd_expense=_three(r.money_list("rd_expense", 3)),
        rd_expense_in_china=_three(r.money_list("rd_expense_in_china", 3)),
        high_tech_revenue=r.money("high_tech_revenue"),
        total_revenue=r.money("total_revenue"),
        # Net assets (assets − liabilities) may be negative.
        net_assets=_three(r.money_list("net_assets", 3, allow_negative=True)),
        conversions=r.count("conversions"),
        operating_years=r.count("operating_years"),
        bad_record=r.boolean("bad_record"),
        expert_scores=_expert_scores(r),
    )
    if not r.problems:
        r.problems.extend(consistency_problems(values, r.record))
    r.done()
    return values


def consistency_problems(data: HnteInput, record: str) -> list[Problem]:
    """Figures that contradict each other (a data error, not a failed condition), plus bad expert scores."""
    problems = []
    if data.registration_date > data.application_date:
        problems.append(Problem(record, "registration_date（注册成立日期）", "注册成立日期不能晚于申请日期。"))
    if data.tech_staff > data.employees:
        problems.append(Problem(record, "tech_staff（科技人员数）", "科技人员数不能大于职工总数。"))
    if data.high_tech_revenue > data.total_revenue:
        problems.append(
            Problem(
                record,
                "high_tech_revenue（近一年高新技术产品（服务）收入）",
                "高新技术产品（服务）收入不能大于总收入。",
            )
        )
    for i, (china, total) in enumerate(zip(data.rd_expense_in_china, data.rd_expense, strict=True)):
        if china > total:
            problems.append(
                Problem(
                    record,
                    "rd_expense_in_china[%d]（近三年境内研发费用）" % i,
                    "境内研发费用不能大于当年研发费用总额。",
                )
            )
    return problems + expert_problems(data, record)


def to_json(result: HnteResult) -> dict[str, Any]:
    """The OUT record: exactly the documented keys (plus ``rule_version``); ratios as 4-decimal strings."""
    return {
        "id": result.id,
        "rule_version": result.rule_version,
        "eligible": result.eligible,
        "conditions": dict(result.conditions),
        "rd_ratio": None if result.rd_ratio is None else str(decimal_places(result.rd_ratio, 4)),
        "rd_threshold": str(decimal_places(result.rd_threshold, 4)),
        "innovation": {
            "min": result.innovation.min,
            "max": result.innovation.max,
            "items": {
                key: {"min": item.min, "max": item.max, "band": item.band}
                for key, item in result.innovation.items.items()
            },
        },
        "passed": result.passed,
        "reasons": list(result.reasons),
    }


# ---------------------------------------------------------------------------------------------------------------
# Rules, version 2016-32
# ---------------------------------------------------------------------------------------------------------------


def _met(ok: bool) -> Status:
    return "met" if ok else "not_met"


_IP_KEYS = frozenset(IP_ITEMS)


def _min_max(items: dict[str, ItemRange]) -> tuple[int, int]:
    """``(Innovation(items).min, Innovation(items).max)`` in one pass."""
    ip_low = ip_high = low = high = 0
    for key, item in items.items():
        if key in _IP_KEYS:
            ip_low += item.min
            ip_high += item.max
        else:
            low += item.min
            high += item.max
    return min(IP_CAP, ip_low) + low, min(IP_CAP, ip_high) + high


def _at_least(numerator: int, denominator: int, percent: int) -> bool:
    """``numerator / denominator ≥ percent %`` by cross-multiplication; False when the ratio is undefined."""
    if denominator == 0:
        return False
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    return 100 * numerator >= percent * denominator


_WORD = {"met": "符合", "not_met": "不符合", "expert": "待专家评审"}
#: (condition, status) → the reason's head "（一）…：符合。"; the why-sentence follows.
_REASON_HEAD = {
    (key, status): "%s：%s。" % (label, word) for key, label in CONDITIONS.items() for status, word in _WORD.items()
}
_THRESHOLD_TEXT = {5: "5.00%", 4: "4.00%", 3: "3.00%"}
_BRACKET_TEXT = {5: "不超过 5,000 万元", 4: "5,000 万元至 2 亿元（含）", 3: "超过 2 亿元"}
#: The reasons whose why-sentence never varies, whole: (condition, status[, case]) → reason.
_REASON = {
    ("core_ip", "none"): _REASON_HEAD["core_ip", "not_met"] + "没有有效的知识产权，不能认定。",
    ("core_ip", "not_owned"): _REASON_HEAD["core_ip", "not_met"]
    + "未拥有对主要产品（服务）发挥核心支持作用的知识产权所有权。",
    ("field_in_catalogue", True): _REASON_HEAD["field_in_catalogue", "met"]
    + "核心技术属于《国家重点支持的高新技术领域》。",
    ("field_in_catalogue", False): _REASON_HEAD["field_in_catalogue", "not_met"]
    + "核心技术不属于《国家重点支持的高新技术领域》。",
    ("no_bad_record", True): _REASON_HEAD["no_bad_record", "not_met"]
    + "申请前一年内有重大安全、重大质量事故或严重环境违法行为。",
    ("no_bad_record", False): _REASON_HEAD["no_bad_record", "met"] + "申请前一年内无重大事故或严重环境违法行为。",
}
#: (R&D threshold in %, status) → the R&D reason as a format of (years, R&D ÷ sales, R&D in China ÷ R&D).
_RD_REASON = {
    (threshold, status): _REASON_HEAD["rd_ratio", status]
    + "近 %%d 年研发费用占销售收入 %%s；最近一年销售收入%s，需不低于 %s；境内研发费用占 %%s（需不低于 60%%%%）。"
    % (_BRACKET_TEXT[threshold], _THRESHOLD_TEXT[threshold].replace("%", "%%"))
    for threshold in _BRACKET_TEXT
    for status in ("met", "not_met")
}
_MET: tuple[Status, Status] = ("not_met", "met")  # indexed by a bool
_CLOSING = {
    "not_eligible": "有条件不符合，不能认定为高新技术企业。",
    "expert": "其余条件均符合，能否认定取决于专家对创新能力的评分。",
    "met": "八项条件均符合，可以认定。",
    "not_met": "创新能力评价未超过 70 分，不能认定。",
}


def _rules_2016_32(
    data: HnteInput,
    scale: int,
    sales: Sequence[int],
    rd_expense: Sequence[int],
    rd_china: Sequence[int],
    revenue: tuple[int, int],
    items: dict[str, ItemRange],
) -> tuple[dict[str, Status], int, tuple[int, int], bool, bool | None, list[str]]:
    """The rules of 2016-32 on integers (money in units of ``1/scale`` yuan; ``revenue`` = (high-tech, total);
    ``items`` the innovation items, exact where expert scores are given). Only the flags, counts and dates of
    ``data`` are read. Returns (conditions, R&D threshold in %, innovation, eligible, passed, reasons); the
    reasons follow the order of ``CONDITIONS``, then the conclusion."""
    head = _REASON_HEAD
    years = min(3, max(1, data.operating_years))

    days = (data.application_date - data.registration_date).days
    registered: Status = "met" if days >= ONE_YEAR_DAYS else "not_met"
    reasons = [head["registered_one_year", registered] + "注册成立至申请日共 %d 天（需不少于 365 天）。" % days]

    ip_class1, ip_class2 = data.ip_class1, data.ip_class2
    core_ip: Status = "met" if data.core_ip_owned and ip_class1 + ip_class2 >= 1 else "not_met"
    if ip_class1 + ip_class2 == 0:
        reasons.append(_REASON["core_ip", "none"])
    elif not data.core_ip_owned:
        reasons.append(_REASON["core_ip", "not_owned"])
    else:
        reasons.append(head["core_ip", "met"] + "拥有核心知识产权：Ⅰ类 %d 项，Ⅱ类 %d 项。" % (ip_class1, ip_class2))

    in_field: Status = "met" if data.field_in_catalogue else "not_met"
    reasons.append(_REASON["field_in_catalogue", data.field_in_catalogue])

    tech_staff, employees = data.tech_staff, data.employees
    staff: Status = _MET[_at_least(tech_staff, employees, 10)]
    reasons.append(
        head["tech_staff_ratio", staff]
        + "科技人员 %d/职工 %d = %s（需不低于 10%%）。" % (tech_staff, employees, percent_of(tech_staff, employees))
    )

    if years == 3:
        rd_total, china_total, sales_total = sum(rd_expense), sum(rd_china), sum(sales)
    else:
        rd_total, china_total, sales_total = (
            sum(rd_expense[3 - years :]),
            sum(rd_china[3 - years :]),
            sum(sales[3 - years :]),
        )
    latest = sales[2]
    threshold = 5 if latest <= 50_000_000 * scale else (4 if latest <= 200_000_000 * scale else 3)
    rd: Status = _MET[_at_least(rd_total, sales_total, threshold) and _at_least(china_total, rd_total, 60)]
    reasons.append(
        _RD_REASON[threshold, rd] % (years, percent_of(rd_total, sales_total), percent_of(china_total, rd_total))
    )

    high_tech, total = revenue
    high_tech_ok: Status = _MET[_at_least(high_tech, total, 60)]
    reasons.append(
        head["high_tech_revenue_ratio", high_tech_ok]
        + "高新技术产品（服务）收入占总收入 %s（需不低于 60%%）。" % percent_of(high_tech, total)
    )

    low, high = _min_max(items)
    score: Status = "met" if low > PASS_ABOVE else ("not_met" if high <= PASS_ABOVE else "expert")
    if low == high:
        reasons.append(head["innovation_score", score] + "创新能力评价 %d 分（需 70 分以上，不含 70 分）。" % low)
    else:
        reasons.append(
            head["innovation_score", score]
            + "创新能力评价在 %d–%d 分之间（需 70 分以上，不含 70 分）%s。"
            % (low, high, "，取决于专家评分" if score == "expert" else "")
        )

    clean: Status = "not_met" if data.bad_record else "met"
    reasons.append(_REASON["no_bad_record", data.bad_record])

    conditions: dict[str, Status] = {
        "registered_one_year": registered,
        "core_ip": core_ip,
        "field_in_catalogue": in_field,
        "tech_staff_ratio": staff,
        "rd_ratio": rd,
        "high_tech_revenue_ratio": high_tech_ok,
        "innovation_score": score,
        "no_bad_record": clean,
    }
    eligible = (
        registered == "met"
        and core_ip == "met"
        and in_field == "met"
        and staff == "met"
        and rd == "met"
        and high_tech_ok == "met"
        and clean == "met"
    )
    passed: bool | None
    if not eligible:
        passed = False
        reasons.append(_CLOSING["not_eligible"])
    elif score == "expert":
        passed = None
        reasons.append(_CLOSING["expert"])
    else:
        passed = score == "met"
        reasons.append(_CLOSING[score])
    return conditions, threshold, (low, high), eligible, passed, reasons


def _evaluate_2016_32(data: HnteInput) -> HnteResult:
    problems = consistency_problems(data, "记录“%s”" % data.id)
    if problems:
        raise InputError(problems)
    money, scale = _units(
        [*data.sales, *data.rd_expense, *data.rd_expense_in_china, data.high_tech_revenue, data.total_revenue]
    )
    score = innovation(data)
    conditions, threshold, _range, eligible, passed, reasons = _rules_2016_32(
        data, scale, money[0:3], money[3:6], money[6:9], (money[9], money[10]), score.items
    )
    years = data.years
    return HnteResult(
        id=data.id,
        rule_version="2016-32",
        eligible=eligible,
        conditions=conditions,
        rd_ratio=ratio(sum(data.rd_expense[3 - years :], Decimal(0)), sum(data.sales[3 - years :], Decimal(0))),
        rd_threshold=Fraction(threshold, 100),
        innovation=score,
        passed=passed,
        reasons=reasons,
    )


#: Every rule version this engine knows; a national change adds a version, it never edits one.
VERSIONS: dict[str, Callable[[HnteInput], HnteResult]] = {"2016-32": _evaluate_2016_32}


# ---------------------------------------------------------------------------------------------------------------
# Fast JSON → JSON path (the batch command): plain records without expert scores go straight from the
# parsed JSON to the OUT record on integers; anything else returns None and takes ``from_json`` →
# ``evaluate`` → ``to_json`` (same ``_rules_2016_32``, or the Chinese problems).
# ---------------------------------------------------------------------------------------------------------------

_PLAIN_KEYS = frozenset(FIELDS) - {"expert_scores"}
#: OUT form of every band constant the fast path uses (shared, never mutated: they only go to the encoder).
_ITEM_JSON = {
    id(r): {"min": r.min, "max": r.max, "band": r.band}
    for r in (
        _NONE,
        _IP_OPEN,
        _ACQ_SELF,
        _ACQ_OTHER,
        _STANDARD,
        _RD_MANAGEMENT,
        _GROWTH_E,
        _GROWTH_F,
        _CONVERSION_F,
        *(band for _p, band in _GROWTH),
        *(band for _l, band in _CONVERSION),
        *_QUANTITY.values(),
    )
}
_DATES: dict[str, date] = {}
_RD_THRESHOLD_JSON = {5: "0.0500", 4: "0.0400", 3: "0.0300"}


def _fast_date(value: Any) -> date | None:
    if type(value) is not str:
        return None
    parsed = _DATES.get(value)
    if parsed is None:
        try:
            parsed = date.fromisoformat(value.strip())
        except ValueError:
            return None
        if len(_DATES) < 10_000:
            _DATES[value] = parsed
    return parsed


def _fast_years(value: Any, signed: bool = False) -> list[int] | None:
    if type(value) is not list or len(value) != 3:
        return None
    a, b, c = value
    if type(a) is int and type(b) is int and type(c) is int and (signed or (a >= 0 and b >= 0 and c >= 0)):
        return [a * 100, b * 100, c * 100]  # whole yuan, the common case
    a, b, c = fast_cents(a, signed), fast_cents(b, signed), fast_cents(c, signed)
    return None if a is None or b is None or c is None else [a, b, c]


_FastParts = tuple[
    RecordId, dict[str, Status], int, int, int, dict[str, ItemRange], bool, bool | None, list[str], str | None
]


def _fast_parts(item: object, version: str) -> _FastParts | None:
    """The evaluated parts of one plain IN record (id, conditions, R&D threshold in %, innovation min and max,
    items, eligible, passed, reasons, R&D ratio text), or ``None`` when it needs the full reader."""
    if version != "2016-32" or type(item) is not dict or item.keys() != _PLAIN_KEYS:
        return None
    get = item.__getitem__
    flags = (get("core_ip_owned"), get("ip_self_developed"), get("field_in_catalogue"), get("bad_record"))
    for flag in flags:
        if type(flag) is not bool:
            return None
    counts = [fast_count(get(k)) for k in ("ip_class1", "ip_class2", "employees", "tech_staff", "conversions")]
    operating_years = fast_count(get("operating_years"))
    application, registration = _fast_date(get("application_date")), _fast_date(get("registration_date"))
    sales, rd, china = (
        _fast_years(get("sales")),
        _fast_years(get("rd_expense")),
        _fast_years(get("rd_expense_in_china")),
    )
    net_assets = _fast_years(get("net_assets"), True)
    high_tech, total = fast_cents(get("high_tech_revenue")), fast_cents(get("total_revenue"))
    record_id = get("id")
    if (
        None in counts
        or operating_years is None
        or application is None
        or registration is None
        or sales is None
        or rd is None
        or china is None
        or net_assets is None
        or high_tech is None
        or total is None
        or not fast_id(record_id)
    ):
        return None
    ip_class1, ip_class2, employees, tech_staff, conversions = cast("list[int]", counts)
    if (
        registration > application
        or tech_staff > employees
        or high_tech > total
        or china[0] > rd[0]
        or china[1] > rd[1]
        or china[2] > rd[2]
    ):
        return None  # a contradiction: the full reader names it
    data = _Plain(
        application,
        registration,
        flags[0],
        ip_class1,
        ip_class2,
        flags[2],
        employees,
        tech_staff,
        operating_years,
        flags[3],
    )
    years = min(3, max(1, operating_years))
    items = _band_items(ip_class1, ip_class2, flags[1], conversions, years, sales, net_assets)
    conditions, threshold, (low, high), eligible, passed, reasons = _rules_2016_32(
        data,  # type: ignore[arg-type]
        100,
        sales,
        rd,
        china,
        (high_tech, total),
        items,
    )
    sales_total = sum(sales[3 - years :])
    if sales_total:
        q = sum(rd[3 - years :]) * 10_000 // sales_total
        rd_ratio: str | None = "%d.%04d" % divmod(q, 10_000)
    else:
        rd_ratio = None
    return record_id, conditions, threshold, low, high, items, eligible, passed, reasons, rd_ratio


def evaluate_json(item: object, version: str = RULE_VERSION) -> dict[str, Any] | None:
    """The OUT record of one parsed IN record, or ``None`` when the record needs the full reader (expert
    scores, any unusual value, a problem, another rule version). Never decides a threshold by float."""
    parts = _fast_parts(item, version)
    if parts is None:
        return None
    record_id, conditions, threshold, low, high, items, eligible, passed, reasons, rd_ratio = parts
    return {
        "id": record_id,
        "rule_version": "2016-32",
        "eligible": eligible,
        "conditions": conditions,
        "rd_ratio": rd_ratio,
        "rd_threshold": _RD_THRESHOLD_JSON[threshold],
        "innovation": {
            "min": low,
            "max": high,
            "items": {key: _ITEM_JSON[id(r)] for key, r in items.items()},
        },
        "passed": passed,
        "reasons": reasons,
    }


#: The encoder of the batch command's OUT file (one record per line, UTF-8 text, not ASCII escapes).
encode_out = JSONEncoder(ensure_ascii=False).encode
_LITERAL = {True: "true", False: "false", None: "null"}
_OUT_TEXT = (
    '{"id": %s, "rule_version": "2016-32", "eligible": %s, "conditions": %s, "rd_ratio": %s, "rd_threshold": "%s", '
    '"innovation": {"min": %d, "max": %d, "items": %s}, "passed": %s, "reasons": [%s]}'
)
#: JSON text of the conditions (by their statuses) and of the items (by the band constants' identities; the
#: constants live as long as the module, so an identity is never reused): a few thousand shapes at most.
_CONDITIONS_TEXT: dict[tuple[str, ...], str] = {}
_ITEMS_TEXT: dict[tuple[int, ...], str] = {}


def evaluate_json_text(item: object, version: str = RULE_VERSION) -> tuple[str, bool | None, str] | None:
    """``(str(id), passed, text)`` where ``text == encode_out(evaluate_json(item, version))``, character for
    character, built from cached pieces (the batch command's writer); ``None`` exactly when ``evaluate_json``
    returns ``None``."""
    parts = _fast_parts(item, version)
    if parts is None:
        return None
    record_id, conditions, threshold, low, high, items, eligible, passed, reasons, rd_ratio = parts
    statuses = tuple(conditions.values())
    conditions_text = _CONDITIONS_TEXT.get(statuses)
    if conditions_text is None:
        conditions_text = _CONDITIONS_TEXT[statuses] = encode_out(conditions)
    shape = tuple(map(id, items.values()))
    items_text = _ITEMS_TEXT.get(shape)
    if items_text is None:
        items_text = _ITEMS_TEXT[shape] = encode_out({key: _ITEM_JSON[id(r)] for key, r in items.items()})
    key = record_id if type(record_id) is str else str(record_id)
    text = _OUT_TEXT % (
        encode_basestring(record_id) if type(record_id) is str else key,
        _LITERAL[eligible],
        conditions_text,
        "null" if rd_ratio is None else '"%s"' % rd_ratio,
        _RD_THRESHOLD_JSON[threshold],
        low,
        high,
        items_text,
        _LITERAL[passed],
        json_strings(reasons),
    )
    return key, passed, text


class _Plain:
    """The flags, counts and dates ``_rules_2016_32`` reads, without building a full ``HnteInput``."""

    __slots__ = (
        "application_date",
        "registration_date",
        "core_ip_owned",
        "ip_class1",
        "ip_class2",
        "field_in_catalogue",
        "employees",
        "tech_staff",
        "operating_years",
        "bad_record",
    )

    def __init__(
        self,
        application_date: date,
        registration_date: date,
        core_ip_owned: bool,
        ip_class1: int,
        ip_class2: int,
        field_in_catalogue: bool,
        employees: int,
        tech_staff: int,
        operating_years: int,
        bad_record: bool,
    ) -> None:
        self.application_date = application_date
        self.registration_date = registration_date
        self.core_ip_owned = core_ip_owned
        self.ip_class1 = ip_class1
        self.ip_class2 = ip_class2
        self.field_in_catalogue = field_in_catalogue
        self.employees = employees
        self.tech_staff = tech_staff
        self.operating_years = operating_years
        self.bad_record = bad_record


def evaluate(data: HnteInput, version: str = RULE_VERSION) -> HnteResult:
    """Evaluate one application under ``version`` (default the one in force). Raises ``ValueError`` (Chinese)
    for an unknown version and ``InputError`` for contradictory figures or expert scores outside their band."""
    try:
        rule = VERSIONS[version]
    except KeyError:
        raise ValueError(
            "未知的高新技术企业认定规则版本“%(v)s”，可用版本：%(a)s。" % {"v": version, "a": "、".join(VERSIONS)}
        )
    return rule(data)
