"""科技型中小企业评价 (国科发政〔2017〕115号, rule version ``2017-115``): a pure rule engine.

Business rules (docs: /work/shared/spec/official-rules.md §1, restated in docs/modules/evaluation.md):

* Eligibility, 办法第六条（一）–（四）: registered in mainland China; 职工总数 ≤ 500 **and** 销售收入 ≤ 2亿元
  **and** 资产总额 ≤ 2亿元 (all inclusive, 不超过); not in a prohibited / restricted / eliminated category; no
  bad record (major accident, serious violation or dishonesty, 经营异常名录, 严重违法失信名单).
* Scoring, 第七条: 科技人员 (max 20), 研发投入 (max 50; both ratios — ① over sales, ② over total costs — are
  computed and the better one chosen), 科技成果 (max 30, best band). Every band edge is inclusive.
* Pass, 第六条（五）: eligible, total ≥ 60 and 科技人员 score > 0 (route ``"score"``) — or eligible and any
  direct-confirmation item of 第八条 (route ``"direct"``; the score rule is then skipped, the scale limits
  and exclusions are not).
* 2026 field-inspection triggers (工企业函〔2026〕160号 as reported by C4): 职工 ≤ 5, no IP, R&D < 10万元, first
  filing. They never change ``passed``. The trigger "serious dishonesty in the last 3 years or a revoked
  number" needs data this input does not carry; the bureau checks it by hand.

All ratios are compared as ``fractions.Fraction``; money is ``Decimal`` (yuan, at most two decimals), never
float. A national change becomes a new entry in ``VERSIONS``, not an edit of ``2017-115``.

Check against the official text before going live (spec §0): the thresholds above were restated from
the 2017 办法 and agree with C1, C3 and C4; not yet checked by a bureau against the printed text.

This module also holds the small JSON-reading helpers (``RecordReader``, ``InputError``) shared with
``kejiju.engines.hnte``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from json.encoder import JSONEncoder, encode_basestring  # the C encoder's string escaping
from typing import Any, Literal

RULE_VERSION = "2017-115"

RecordId = str | int


# ---------------------------------------------------------------------------------------------------------------
# Shared JSON reading: every problem names the record id and the field, in Chinese.
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One bad value: which record (its id, or its position when the id itself is bad), which field, why."""

    record: str
    field: str
    message: str

    def __str__(self) -> str:
        return "%(r)s的字段“%(f)s”：%(m)s" % {"r": self.record, "f": self.field, "m": self.message}


class InputError(ValueError):
    """Raised by ``from_json`` with every problem of one record; ``str()`` lists them in Chinese."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def type_name(value: object) -> str:
    """The JSON type of ``value`` in Chinese, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "布尔值"
    if isinstance(value, int):
        return "整数"
    if isinstance(value, (float, Decimal)):
        return "小数"
    if isinstance(value, str):
        return "字符串"
    if isinstance(value, (list, tuple)):
        return "数组"
    if isinstance(value, Mapping):
        return "对象"
    return type(value).__name__


def parse_money(value: object, *, allow_negative: bool = False) -> Decimal:
    """Money in yuan from an int, a decimal string, a ``Decimal`` or a JSON float (read via ``str()``, so
    ``12.5`` is exactly 12.5). At most two decimals (fen). Raises ``ValueError`` with a Chinese reason."""
    if isinstance(value, bool) or not isinstance(value, (int, str, Decimal, float)):
        raise ValueError("应为金额（元，数字或数字字符串），实际为%(t)s。" % {"t": type_name(value)})
    try:
        # str() of a float is the shortest text that reads back as it, i.e. the figure as written in the JSON
        amount = Decimal(str(value).strip()) if isinstance(value, (str, float)) else Decimal(value)
    except InvalidOperation:
        raise ValueError("“%(v)s”不是有效的金额。" % {"v": value})
    if not amount.is_finite():
        raise ValueError("“%(v)s”不是有效的金额。" % {"v": value})
    if (Fraction(amount) * 100).denominator != 1:
        raise ValueError("金额最多保留两位小数（分），实际为“%(v)s”。" % {"v": value})
    if amount < 0 and not allow_negative:
        raise ValueError("金额不能为负数，实际为“%(v)s”。" % {"v": value})
    return amount


class RecordReader:
    """Reads one JSON object field by field, collecting every problem instead of stopping at the first.

    ``fields`` maps each known key to its Chinese label; unknown keys are problems too (typo guard)."""

    def __init__(self, data: object, index: int, fields: Mapping[str, str], optional: Sequence[str] = ()) -> None:
        self.problems: list[Problem] = []
        self.labels = fields
        self.data: Mapping[str, Any] = data if isinstance(data, Mapping) else {}
        self.record_id: RecordId = ""
        self.record = "第 %(n)d 条记录" % {"n": index + 1}
        if not isinstance(data, Mapping):
            self.problems.append(Problem(self.record, "(整条记录)", "应为对象，实际为%(t)s。" % {"t": type_name(data)}))
            return
        raw_id = data.get("id")
        if isinstance(raw_id, str) and raw_id.strip():
            self.record_id = raw_id
            self.record = "记录“%(id)s”" % {"id": raw_id}
        elif isinstance(raw_id, int) and not isinstance(raw_id, bool):
            self.record_id = raw_id
            self.record = "记录“%(id)s”" % {"id": raw_id}
        elif "id" not in data:
            self.add("id", "缺少此字段。")
        else:
            self.add("id", "应为非空字符串或整数，实际为%(t)s。" % {"t": type_name(raw_id)})
        for key in data:
            if key not in fields:
                self.problems.append(Problem(self.record, str(key), "不是可识别的字段（拼写是否有误？）。"))
        for key in fields:
            if key not in data and key != "id" and key not in optional:
                self.add(key, "缺少此字段。")

    def label(self, name: str) -> str:
        label = self.labels.get(name.split("[", 1)[0].split(".", 1)[0])
        return "%(n)s（%(l)s）" % {"n": name, "l": label} if label else name

    def add(self, name: str, message: str) -> None:
        self.problems.append(Problem(self.record, self.label(name), message))

    def _get(self, name: str) -> tuple[bool, Any]:
        if name not in self.data:
            return False, None  # already reported as missing
        return True, self.data[name]

    def boolean(self, name: str) -> bool:
        present, value = self._get(name)
        if present and not isinstance(value, bool):
            self.add(name, "应为 true 或 false，实际为%(t)s。" % {"t": type_name(value)})
            return False
        return bool(value)

    def count_value(self, name: str, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(name, "应为非负整数，实际为%(t)s。" % {"t": type_name(value)})
            return 0
        if value < 0:
            self.add(name, "应为非负整数，实际为 %(v)d。" % {"v": value})
            return 0
        return value

    def count(self, name: str) -> int:
        present, value = self._get(name)
        return self.count_value(name, value) if present else 0

    def money_value(self, name: str, value: object, *, allow_negative: bool = False) -> Decimal:
        try:
            return parse_money(value, allow_negative=allow_negative)
        except ValueError as exc:
            self.add(name, str(exc))
            return Decimal(0)

    def money(self, name: str, *, allow_negative: bool = False) -> Decimal:
        present, value = self._get(name)
        return self.money_value(name, value, allow_negative=allow_negative) if present else Decimal(0)

    def money_list(self, name: str, length: int, *, allow_negative: bool = False) -> tuple[Decimal, ...]:
        present, value = self._get(name)
        if not present:
            return tuple(Decimal(0) for _ in range(length))
        if not isinstance(value, (list, tuple)) or len(value) != length:
            shown = "%(n)d 个元素的数组" % {"n": len(value)} if isinstance(value, (list, tuple)) else type_name(value)
            self.add(name, "应为 %(n)d 个年度金额组成的数组（由远及近），实际为%(t)s。" % {"n": length, "t": shown})
            return tuple(Decimal(0) for _ in range(length))
        return tuple(
            self.money_value("%(n)s[%(i)d]" % {"n": name, "i": i}, item, allow_negative=allow_negative)
            for i, item in enumerate(value)
        )

    def iso_date(self, name: str) -> date:
        present, value = self._get(name)
        if not present:
            return date.min
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.add(name, "应为“YYYY-MM-DD”格式的日期，实际为“%(v)s”。" % {"v": value})
        return date.min

    def done(self) -> None:
        if self.problems:
            raise InputError(self.problems)


# ---------------------------------------------------------------------------------------------------------------
# Exact arithmetic helpers
# ---------------------------------------------------------------------------------------------------------------


def ratio(numerator: Decimal | int, denominator: Decimal | int) -> Fraction | None:
    """``numerator ÷ denominator`` exactly, or ``None`` when the denominator is zero."""
    if denominator == 0:
        return None
    return Fraction(numerator) / Fraction(denominator)


def decimal_places(value: Fraction, places: int) -> Decimal:
    """``value`` truncated toward zero to ``places`` decimals: a shown figure never rounds across a threshold."""
    scaled = int(value * 10**places)  # int() of a Fraction truncates toward zero
    return Decimal(scaled).scaleb(-places)


def percent_text(value: Fraction | None) -> str:
    """``Fraction(3, 10)`` → ``"30.00%"`` (truncated), ``None`` → ``"无法计算"``."""
    if value is None:
        return "无法计算"
    return "%s%%" % decimal_places(value * 100, 2)


def _band(value: Fraction | None, table: Sequence[tuple[Fraction, int]]) -> int:
    """Points of the first band whose lower bound (inclusive) ``value`` reaches; 0 below every band."""
    if value is None:
        return 0
    for lower, points in table:
        if value >= lower:
            return points
    return 0


# ---------------------------------------------------------------------------------------------------------------
# Input and result types
# ---------------------------------------------------------------------------------------------------------------

FIELDS: dict[str, str] = {
    "id": "记录编号",
    "registered_in_mainland": "在中国境内（不含港澳台）注册的居民企业",
    "restricted_industry": "属于禁止、限制和淘汰类",
    "bad_record": "近一年至今有重大事故、严重违法失信或列入经营异常名录",
    "employees": "职工总数",
    "tech_staff": "科技人员数",
    "sales_revenue": "销售收入（元）",
    "total_assets": "资产总额（元）",
    "rd_expense": "研发费用总额（元）",
    "cost_total": "成本费用支出总额（元）",
    "ip_class1": "Ⅰ类知识产权数",
    "ip_class2": "Ⅱ类知识产权数",
    "hnte_valid": "持有有效的高新技术企业证书",
    "national_award_top3": "近五年获国家级科技奖励且排名前三",
    "provincial_rd_institution": "拥有省部级以上研发机构",
    "led_standard": "近五年主导制定国际、国家或行业标准",
    "first_filing": "首次申报评价",
}

MAX_EMPLOYEES = 500
MAX_SALES = Decimal(200_000_000)  # 2亿元
MAX_ASSETS = Decimal(200_000_000)
PASS_MARK = 60
INSPECTION_RD_FLOOR = Decimal(100_000)  # 10万元

STAFF_BANDS = [(Fraction(30, 100), 20), (Fraction(25, 100), 16), (Fraction(20, 100), 12), (Fraction(15, 100), 8)]
STAFF_BANDS.append((Fraction(10, 100), 4))
RD_SALES_BANDS = [(Fraction(n, 100), p) for n, p in ((6, 50), (5, 40), (4, 30), (3, 20), (2, 10))]
RD_COST_BANDS = [(Fraction(n, 100), p) for n, p in ((30, 50), (25, 40), (20, 30), (15, 20), (10, 10))]

#: Stable codes of the field-inspection triggers and their Chinese labels.
INSPECTION_TRIGGERS: dict[str, str] = {
    "employees_le_5": "职工总数不超过 5 人",
    "no_ip": "无知识产权",
    "rd_below_100k": "年度研发费用不足 10 万元",
    "first_filing": "首次申报",
}

#: Direct-confirmation items (办法第八条), in the order of the 办法.
DIRECT_ITEMS: dict[str, str] = {
    "hnte_valid": "持有有效期内的高新技术企业证书",
    "national_award_top3": "近五年内获得国家级科技奖励，并在获奖单位中排名前三",
    "provincial_rd_institution": "拥有经认定的省部级以上研发机构",
    "led_standard": "近五年内主导制定过国际标准、国家标准或行业标准",
}


@dataclass(frozen=True)
class TechSmeInput:
    """One enterprise's previous-fiscal-year figures; money in yuan."""

    id: RecordId
    registered_in_mainland: bool
    restricted_industry: bool
    bad_record: bool
    employees: int
    tech_staff: int
    sales_revenue: Decimal
    total_assets: Decimal
    rd_expense: Decimal
    cost_total: Decimal
    ip_class1: int
    ip_class2: int
    hnte_valid: bool = False
    national_award_top3: bool = False
    provincial_rd_institution: bool = False
    led_standard: bool = False
    first_filing: bool = False


@dataclass(frozen=True)
class Scores:
    """The three indicator scores; ``rd`` is the better of the two R&D options, both kept for display."""

    staff: int
    rd: int
    rd_option: Literal["sales", "cost"]
    ip: int
    rd_sales: int
    rd_cost: int
    staff_ratio: Fraction | None
    rd_sales_ratio: Fraction | None
    rd_cost_ratio: Fraction | None

    @property
    def total(self) -> int:
        return self.staff + self.rd + self.ip


@dataclass(frozen=True)
class TechSmeResult:
    """The evaluation of one enterprise under ``rule_version``."""

    id: RecordId
    rule_version: str
    eligible: bool
    passed: bool
    route: Literal["score", "direct"] | None
    scores: Scores
    inspection_triggers: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------------------------
# JSON in and out
# ---------------------------------------------------------------------------------------------------------------


def from_json(data: object, index: int = 0) -> TechSmeInput:
    """Read one IN record (see docs/modules/evaluation.md). ``index`` (0-based) names the record when its id
    is bad. Raises ``InputError`` listing every bad field with the record id and a Chinese reason."""
    r = RecordReader(data, index, FIELDS)
    if not isinstance(data, Mapping):
        raise InputError(r.problems)
    values = TechSmeInput(
        id=r.record_id,
        registered_in_mainland=r.boolean("registered_in_mainland"),
        restricted_industry=r.boolean("restricted_industry"),
        bad_record=r.boolean("bad_record"),
        employees=r.count("employees"),
        tech_staff=r.count("tech_staff"),
        sales_revenue=r.money("sales_revenue"),
        total_assets=r.money("total_assets"),
        rd_expense=r.money("rd_expense"),
        cost_total=r.money("cost_total"),
        ip_class1=r.count("ip_class1"),
        ip_class2=r.count("ip_class2"),
        hnte_valid=r.boolean("hnte_valid"),
        national_award_top3=r.boolean("national_award_top3"),
        provincial_rd_institution=r.boolean("provincial_rd_institution"),
        led_standard=r.boolean("led_standard"),
        first_filing=r.boolean("first_filing"),
    )
    if not r.problems and values.tech_staff > values.employees:
        r.add(
            "tech_staff", "科技人员数 %(t)d 不能大于职工总数 %(e)d。" % {"t": values.tech_staff, "e": values.employees}
        )
    r.done()
    return values


def to_json(result: TechSmeResult) -> dict[str, Any]:
    """The OUT record: exactly the documented keys (plus ``rule_version``); scores are ints."""
    s = result.scores
    return {
        "id": result.id,
        "rule_version": result.rule_version,
        "eligible": result.eligible,
        "passed": result.passed,
        "route": result.route,
        "scores": {"staff": s.staff, "rd": s.rd, "rd_option": s.rd_option, "ip": s.ip, "total": s.total},
        "inspection_triggers": list(result.inspection_triggers),
        "reasons": list(result.reasons),
    }


# ---------------------------------------------------------------------------------------------------------------
# Rules, version 2017-115
# ---------------------------------------------------------------------------------------------------------------


def staff_score(tech_staff: int, employees: int) -> int:
    """科技人员指标: 科技人员 ÷ 职工总数 → 20/16/12/8/4/0 at 30/25/20/15/10 % (lower bounds inclusive)."""
    return _band(ratio(tech_staff, employees), STAFF_BANDS)


def rd_scores(rd_expense: Decimal, sales: Decimal, costs: Decimal) -> tuple[int, int]:
    """研发投入指标 under option ① (over sales: 6/5/4/3/2 %) and option ② (over costs: 30/25/20/15/10 %)."""
    return _band(ratio(rd_expense, sales), RD_SALES_BANDS), _band(ratio(rd_expense, costs), RD_COST_BANDS)


def ip_score(class1: int, class2: int) -> int:
    """科技成果指标: any Class I → 30; Class II ≥ 4 → 24, 3 → 18, 2 → 12, 1 → 6; none → 0."""
    if class1 >= 1:
        return 30
    return {0: 0, 1: 6, 2: 12, 3: 18}.get(class2, 24)


def score(data: TechSmeInput) -> Scores:
    """The three indicator scores; the R&D option with more points is chosen (option ① on a tie)."""
    rd_sales, rd_cost = rd_scores(data.rd_expense, data.sales_revenue, data.cost_total)
    option: Literal["sales", "cost"] = "sales" if rd_sales >= rd_cost else "cost"
    return Scores(
        staff=staff_score(data.tech_staff, data.employees),
        rd=max(rd_sales, rd_cost),
        rd_option=option,
        ip=ip_score(data.ip_class1, data.ip_class2),
        rd_sales=rd_sales,
        rd_cost=rd_cost,
        staff_ratio=ratio(data.tech_staff, data.employees),
        rd_sales_ratio=ratio(data.rd_expense, data.sales_revenue),
        rd_cost_ratio=ratio(data.rd_expense, data.cost_total),
    )


def _wan(amount: Decimal) -> str:
    """Yuan → “万元” text for reasons, without float: 2000000 → “200万元”."""
    value = (amount / Decimal(10_000)).normalize()
    return "%s万元" % format(value, "f")


def _units(values: Sequence[Decimal]) -> tuple[list[int], int]:
    """Exact integers ``n`` and one common denominator ``d`` with ``value == n / d`` for every value (cents for
    the usual two-decimal money), so thresholds compare by integer cross-multiplication, never by float."""
    places = max([0, *(-int(v.as_tuple().exponent) for v in values)])
    scale = 10**places
    units = []
    for value in values:
        numerator, denominator = value.as_integer_ratio()  # denominator divides 10**places
        units.append(numerator * (scale // denominator))
    return units, scale


def percent_of(numerator: int, denominator: int) -> str:
    """``percent_text(numerator / denominator)`` on integers (``"无法计算"`` when the denominator is 0):
    truncated toward zero to two decimals of a percent, exactly as ``decimal_places`` does."""
    if denominator == 0:
        return "无法计算"
    q = abs(numerator) * 10_000 // abs(denominator)  # truncated toward zero, like ``decimal_places``
    text = "%d.%02d%%" % divmod(q, 100)
    return "-" + text if q and (numerator < 0) != (denominator < 0) else text


def _wan_units(units: int, scale: int) -> str:
    """``_wan(units / scale)``: the exact Decimal is built only for this text (rare: ineligible records)."""
    return _wan(Decimal(units) / Decimal(scale))


def _band_units(numerator: int, denominator: int, table: Sequence[tuple[int, int]]) -> int:
    """``_band(numerator / denominator, …)`` with ``table`` in whole percents: ``n/d ≥ p/100 ⇔ 100 n ≥ p d``."""
    if denominator == 0:
        return 0
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    hundred_n = 100 * numerator
    for percent, points in table:
        if hundred_n >= percent * denominator:
            return points
    return 0


STAFF_PERCENT = [(int(lower * 100), points) for lower, points in STAFF_BANDS]
RD_SALES_PERCENT = [(int(lower * 100), points) for lower, points in RD_SALES_BANDS]
RD_COST_PERCENT = [(int(lower * 100), points) for lower, points in RD_COST_BANDS]
_DIRECT_KEYS = tuple(DIRECT_ITEMS)
_ELIGIBLE_TEXT = (
    "符合第六条（一）至（四）：境内注册，职工不超过 500 人，销售收入和资产总额均不超过 2 亿元，无排除情形。"
)
_BAD_RECORD_TEXT = (
    "申报前一年至今有重大安全、质量事故，严重环境违法或科研严重失信行为，或列入经营异常名录、"
    "严重违法失信企业名单，不符合第六条（四）。"
)
_IP_POINTS = {0: 0, 1: 6, 2: 12, 3: 18}


def _rules_2017_115(
    flags: tuple[bool, bool, bool],
    employees: int,
    tech_staff: int,
    money: Sequence[int],
    scale: int,
    ip_class1: int,
    ip_class2: int,
    direct_flags: Sequence[bool],
    first_filing: bool,
) -> tuple[bool, Literal["score", "direct"] | None, tuple[int, int, int, int], list[str], list[str]]:
    """The rules of 2017-115 on integers: ``flags`` = (registered_in_mainland, restricted_industry, bad_record),
    ``money`` = (sales, assets, R&D, costs) in units of ``1/scale`` yuan. Returns (eligible, route,
    (staff, rd_sales, rd_cost, ip) scores, inspection trigger codes, reasons)."""
    mainland, restricted, bad_record = flags
    sales, assets, rd_expense, costs = money
    reasons: list[str] = []
    failures: list[str] = []
    if not mainland:
        failures.append("不是在中国境内（不含港澳台地区）注册的居民企业，不符合第六条（一）。")
    if employees > MAX_EMPLOYEES:
        failures.append("职工总数 %(n)d 人，超过 500 人，不符合第六条（二）。" % {"n": employees})
    if sales > 200_000_000 * scale:
        failures.append("年销售收入 %(v)s，超过 2 亿元，不符合第六条（二）。" % {"v": _wan_units(sales, scale)})
    if assets > 200_000_000 * scale:
        failures.append("资产总额 %(v)s，超过 2 亿元，不符合第六条（二）。" % {"v": _wan_units(assets, scale)})
    if restricted:
        failures.append("产品或服务属于国家禁止、限制或淘汰类，不符合第六条（三）。")
    if bad_record:
        failures.append(_BAD_RECORD_TEXT)
    eligible = not failures
    if eligible:
        reasons.append(_ELIGIBLE_TEXT)
    reasons.extend(failures)

    staff = _band_units(tech_staff, employees, STAFF_PERCENT)
    rd_sales = _band_units(rd_expense, sales, RD_SALES_PERCENT)
    rd_cost = _band_units(rd_expense, costs, RD_COST_PERCENT)
    ip = 30 if ip_class1 >= 1 else _IP_POINTS.get(ip_class2, 24)
    rd = rd_sales if rd_sales >= rd_cost else rd_cost
    total = staff + rd + ip
    reasons.append(
        "科技人员指标：%(t)d/%(e)d = %(p)s，得 %(s)d 分。"
        % {"t": tech_staff, "e": employees, "p": percent_of(tech_staff, employees), "s": staff}
    )
    chosen = "①（按销售收入）" if rd_sales >= rd_cost else "②（按成本费用支出）"
    reasons.append(
        "研发投入指标：①研发费用/销售收入 = %(a)s，得 %(sa)d 分；②研发费用/成本费用支出总额 = %(b)s，得 %(sb)d 分；"
        "取较高的%(c)s，得 %(s)d 分。"
        % {
            "a": percent_of(rd_expense, sales),
            "sa": rd_sales,
            "b": percent_of(rd_expense, costs),
            "sb": rd_cost,
            "c": chosen,
            "s": rd,
        }
    )
    reasons.append(
        "科技成果指标：Ⅰ类知识产权 %(a)d 项，Ⅱ类知识产权 %(b)d 项，得 %(s)d 分。"
        % {"a": ip_class1, "b": ip_class2, "s": ip}
    )

    route: Literal["score", "direct"] | None = None
    if any(direct_flags):
        direct = [DIRECT_ITEMS[key] for key, on in zip(_DIRECT_KEYS, direct_flags, strict=True) if on]
        if eligible:
            route = "direct"
            reasons.append("符合直接确认条件（第八条）：%(d)s，无需评分，直接确认。" % {"d": "；".join(direct)})
        else:
            reasons.append(
                "虽有直接确认事项（%(d)s），但不符合第六条（一）至（四），不能直接确认。" % {"d": "；".join(direct)}
            )
    if route is None:
        if staff == 0:
            reasons.append("科技人员占比低于 10%%，科技人员指标得 0 分，不能通过评价（总分 %(t)d 分）。" % {"t": total})
        elif total < PASS_MARK:
            reasons.append("总分 %(t)d 分，低于 60 分，不能通过评价。" % {"t": total})
        elif eligible:
            route = "score"
            reasons.append("总分 %(t)d 分，不低于 60 分且科技人员指标不为 0，通过评价。" % {"t": total})
        else:
            reasons.append("总分 %(t)d 分，但不符合第六条（一）至（四），不能通过评价。" % {"t": total})

    triggers: list[str] = []
    if employees <= 5:
        triggers.append("employees_le_5")
    if ip_class1 + ip_class2 == 0:
        triggers.append("no_ip")
    if rd_expense < 100_000 * scale:
        triggers.append("rd_below_100k")
    if first_filing:
        triggers.append("first_filing")
    if triggers:
        reasons.append(
            "公示前需实地核查（不影响评价结果）：%(t)s。" % {"t": "；".join(INSPECTION_TRIGGERS[t] for t in triggers)}
        )
    return eligible, route, (staff, rd_sales, rd_cost, ip), triggers, reasons


def _evaluate_2017_115(data: TechSmeInput) -> TechSmeResult:
    money, scale = _units([data.sales_revenue, data.total_assets, data.rd_expense, data.cost_total])
    eligible, route, (staff, rd_sales, rd_cost, ip), triggers, reasons = _rules_2017_115(
        (data.registered_in_mainland, data.restricted_industry, data.bad_record),
        data.employees,
        data.tech_staff,
        money,
        scale,
        data.ip_class1,
        data.ip_class2,
        [bool(getattr(data, key)) for key in _DIRECT_KEYS],
        data.first_filing,
    )
    scores = Scores(
        staff=staff,
        rd=max(rd_sales, rd_cost),
        rd_option="sales" if rd_sales >= rd_cost else "cost",
        ip=ip,
        rd_sales=rd_sales,
        rd_cost=rd_cost,
        staff_ratio=ratio(data.tech_staff, data.employees),
        rd_sales_ratio=ratio(data.rd_expense, data.sales_revenue),
        rd_cost_ratio=ratio(data.rd_expense, data.cost_total),
    )
    return TechSmeResult(
        id=data.id,
        rule_version="2017-115",
        eligible=eligible,
        passed=route is not None,
        route=route,
        scores=scores,
        inspection_triggers=triggers,
        reasons=reasons,
    )


#: Every rule version this engine knows; a national change adds a version, it never edits one.
VERSIONS: dict[str, Callable[[TechSmeInput], TechSmeResult]] = {"2017-115": _evaluate_2017_115}


# ---------------------------------------------------------------------------------------------------------------
# Fast JSON → JSON path (the batch command): plain records go straight from the parsed JSON to the OUT
# record on integers; anything unusual returns None and takes ``from_json`` → ``evaluate`` → ``to_json``,
# which gives the same OUT record (both run ``_rules_2017_115``) or the Chinese problems.
# ---------------------------------------------------------------------------------------------------------------

_MONEY_TEXT = re.compile(r"([0-9]+)(?:\.([0-9]{1,2}))?")
_SIGNED_MONEY_TEXT = re.compile(r"(-?[0-9]+)(?:\.([0-9]{1,2}))?")
_FIELD_KEYS = frozenset(FIELDS)
_FAST_FRACTION = {1: 10, 2: 1}


def fast_cents(value: Any, signed: bool = False) -> int | None:
    """Money in whole fen when ``value`` is plainly valid (a non-negative int, a ``"123.45"``-style string or a
    ``Decimal`` with at most two decimals and no exponent; negative too when ``signed``); ``None`` when the
    full reader has to decide."""
    kind = type(value)
    if kind is int:
        return value * 100 if signed or value >= 0 else None
    if kind is str:
        if value.isdigit() and value.isascii():  # whole yuan in ASCII digits, the common case
            return int(value) * 100
        match = (_SIGNED_MONEY_TEXT if signed else _MONEY_TEXT).fullmatch(value)
        if match is None:
            return None
        whole, fraction = match.groups()
        cents = abs(int(whole)) * 100 + (int(fraction) * _FAST_FRACTION[len(fraction)] if fraction else 0)
        return -cents if whole[0] == "-" else cents
    if kind is Decimal:
        exponent = value.as_tuple().exponent
        if not isinstance(exponent, int) or not -2 <= exponent <= 0 or (value < 0 and not signed):
            return None
        numerator, denominator = value.as_integer_ratio()
        return numerator * (100 // denominator)
    return None


def fast_count(value: Any) -> int | None:
    return value if type(value) is int and value >= 0 else None


def fast_id(value: Any) -> bool:
    kind = type(value)
    return (kind is str and bool(value.strip())) or kind is int


_FastParts = tuple[RecordId, bool, Literal["score", "direct"] | None, tuple[int, int, int, int], list[str], list[str]]


def _fast_parts(item: object, version: str) -> _FastParts | None:
    """The evaluated parts of one plain IN record (id, eligible, route, (staff, rd_sales, rd_cost, ip) scores,
    inspection triggers, reasons), or ``None`` when it needs the full reader."""
    if version != "2017-115" or type(item) is not dict or item.keys() != _FIELD_KEYS:
        return None
    get = item.__getitem__
    flags = (get("registered_in_mainland"), get("restricted_industry"), get("bad_record"))
    direct = (get("hnte_valid"), get("national_award_top3"), get("provincial_rd_institution"), get("led_standard"))
    first_filing = get("first_filing")
    for flag in (*flags, *direct, first_filing):
        if type(flag) is not bool:
            return None
    employees, tech_staff = fast_count(get("employees")), fast_count(get("tech_staff"))
    ip_class1, ip_class2 = fast_count(get("ip_class1")), fast_count(get("ip_class2"))
    money = [fast_cents(get(key)) for key in ("sales_revenue", "total_assets", "rd_expense", "cost_total")]
    record_id = get("id")
    if (
        employees is None
        or tech_staff is None
        or ip_class1 is None
        or ip_class2 is None
        or None in money
        or tech_staff > employees
        or not fast_id(record_id)
    ):
        return None
    eligible, route, scores, triggers, reasons = _rules_2017_115(
        flags,
        employees,
        tech_staff,
        money,  # type: ignore[arg-type]
        100,
        ip_class1,
        ip_class2,
        direct,
        first_filing,
    )
    return record_id, eligible, route, scores, triggers, reasons


def evaluate_json(item: object, version: str = RULE_VERSION) -> dict[str, Any] | None:
    """The OUT record of one parsed IN record, or ``None`` when the record needs the full reader (any
    unusual value, a problem, another rule version). Never decides a threshold by float."""
    parts = _fast_parts(item, version)
    if parts is None:
        return None
    record_id, eligible, route, (staff, rd_sales, rd_cost, ip), triggers, reasons = parts
    rd = rd_sales if rd_sales >= rd_cost else rd_cost
    return {
        "id": record_id,
        "rule_version": "2017-115",
        "eligible": eligible,
        "passed": route is not None,
        "route": route,
        "scores": {
            "staff": staff,
            "rd": rd,
            "rd_option": "sales" if rd_sales >= rd_cost else "cost",
            "ip": ip,
            "total": staff + rd + ip,
        },
        "inspection_triggers": triggers,
        "reasons": reasons,
    }


#: The encoder of the batch command's OUT file (one record per line, UTF-8 text, not ASCII escapes).
encode_out = JSONEncoder(ensure_ascii=False).encode
_OUT_TEXT = (
    '{"id": %s, "rule_version": "2017-115", "eligible": %s, "passed": %s, "route": %s, "scores": {"staff": %d, '
    '"rd": %d, "rd_option": "%s", "ip": %d, "total": %d}, "inspection_triggers": %s, "reasons": [%s]}'
)
_ROUTE_TEXT = {None: "null", "score": '"score"', "direct": '"direct"'}
#: The characters the JSON encoder escapes in a string (ensure_ascii off): quote, backslash, controls.
_JSON_ESCAPED = re.compile(r'[\x00-\x1f"\\]')


def json_strings(texts: list[str]) -> str:
    """The items of the JSON array of ``texts`` as the encoder writes them (``"a", "b"``): joined as they are
    when nothing needs escaping (reasons never do), else escaped one by one exactly as the encoder does."""
    joined = '", "'.join(texts)
    if _JSON_ESCAPED.search(joined) is None:
        return '"%s"' % joined if texts else ""
    return ", ".join(map(encode_basestring, texts))


#: JSON text of each list of inspection triggers met (at most 16 lists).
_TRIGGERS_TEXT: dict[tuple[str, ...], str] = {}


def evaluate_json_text(item: object, version: str = RULE_VERSION) -> tuple[str, bool, str] | None:
    """``(str(id), passed, text)`` where ``text == encode_out(evaluate_json(item, version))``, character for
    character, built from cached pieces (the batch command's writer); ``None`` exactly when ``evaluate_json``
    returns ``None``."""
    parts = _fast_parts(item, version)
    if parts is None:
        return None
    record_id, eligible, route, (staff, rd_sales, rd_cost, ip), triggers, reasons = parts
    rd = rd_sales if rd_sales >= rd_cost else rd_cost
    met = tuple(triggers)
    triggers_text = _TRIGGERS_TEXT.get(met)
    if triggers_text is None:
        triggers_text = _TRIGGERS_TEXT[met] = encode_out(triggers)
    key = record_id if type(record_id) is str else str(record_id)
    text = _OUT_TEXT % (
        encode_basestring(record_id) if type(record_id) is str else key,
        "true" if eligible else "false",
        "false" if route is None else "true",
        _ROUTE_TEXT[route],
        staff,
        rd,
        "sales" if rd_sales >= rd_cost else "cost",
        ip,
        staff + rd + ip,
        triggers_text,
        json_strings(reasons),
    )
    return key, route is not None, text


def evaluate(data: TechSmeInput, version: str = RULE_VERSION) -> TechSmeResult:
    """Evaluate one enterprise under ``version`` (default the one in force). Raises ``ValueError`` (Chinese)
    for an unknown version. Never raises on the figures: every outcome is in the result and its reasons."""
    try:
        rule = VERSIONS[version]
    except KeyError:
        raise ValueError(
            "未知的科技型中小企业评价规则版本“%(v)s”，可用版本：%(a)s。" % {"v": version, "a": "、".join(VERSIONS)}
        )
    return rule(data)
