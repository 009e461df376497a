"""What an enterprise still lacks (差距分析), from the inputs and results of the rule engines.

Pure Python (no Django): used by the self-assessment form, the batch tools and the pipeline's gap
analysis. Every shortfall is exact — money rounded **up** to the fen, people rounded up to a whole
person — so “还差 X 元” is the least amount that reaches the threshold.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from kejiju.engines import hnte, tech_sme


@dataclass(frozen=True)
class Gap:
    """One missing item: the condition key, a Chinese sentence, and the shortfall figure (yuan,
    people, points or count as a string; empty when not a figure)."""

    key: str
    message: str
    shortfall: str = ""
    unit: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def _money_up(value: Fraction) -> Decimal:
    """The least amount in fen that is ≥ ``value`` yuan."""
    fen = math.ceil(value * 100)
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def _people_up(value: Fraction) -> int:
    return math.ceil(value)


def _pct(value: Fraction) -> str:
    text = format((Decimal(value.numerator) / Decimal(value.denominator) * 100).normalize(), "f")
    return text + "%"


def _yuan(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def staff_gap(tech_staff: int, employees: int, share: Fraction) -> int:
    """People still needed so that tech staff ÷ employees ≥ ``share`` (raising both counts, since a new
    tech staff member is also an employee): the least n with (t + n) ÷ (e + n) ≥ share."""
    if employees and Fraction(tech_staff, employees) >= share:
        return 0
    if share >= 1:
        return 0 if tech_staff == employees else employees - tech_staff
    # (t + n) >= share (e + n)  ⇔  n >= (share e − t) / (1 − share)
    return max(0, _people_up((share * employees - tech_staff) / (1 - share)))


def tech_sme_gaps(data: tech_sme.TechSmeInput, result: tech_sme.TechSmeResult) -> list[Gap]:
    """What keeps a 科技型中小企业 evaluation from passing: the failed eligibility conditions, a zero staff
    score, and the cheapest ways to the 60 points (the next band of each indicator)."""
    gaps: list[Gap] = []
    if data.employees > tech_sme.MAX_EMPLOYEES:
        gaps.append(Gap("employees", "职工总数 %d 人，超过 500 人的上限。" % data.employees))
    if data.sales_revenue > tech_sme.MAX_SALES:
        gaps.append(Gap("sales_revenue", "销售收入超过 2 亿元的上限。"))
    if data.total_assets > tech_sme.MAX_ASSETS:
        gaps.append(Gap("total_assets", "资产总额超过 2 亿元的上限。"))
    if not data.registered_in_mainland:
        gaps.append(Gap("registered_in_mainland", "须为在中国境内（不含港澳台）注册的居民企业。"))
    if data.restricted_industry:
        gaps.append(Gap("restricted_industry", "产品或服务属于禁止、限制和淘汰类，不能评价。"))
    if data.bad_record:
        gaps.append(Gap("bad_record", "近一年有重大事故、严重违法失信记录或列入经营异常名录，不能评价。"))
    if result.passed:
        return gaps
    scores = result.scores
    if scores.staff == 0:
        need = staff_gap(data.tech_staff, data.employees, Fraction(10, 100))
        gaps.append(
            Gap("tech_staff", "科技人员还差 %d 人才达到职工总数的 10%%（科技人员指标须得分）。" % need, str(need), "人")
        )
    total = scores.staff + scores.rd + scores.ip
    if total >= tech_sme.PASS_MARK:
        return gaps
    missing = tech_sme.PASS_MARK - total
    gaps.append(Gap("total", "评价得分 %d 分，还差 %d 分才达到 60 分。" % (total, missing), str(missing), "分"))
    # the next band of R&D over sales
    for lower, points in reversed(tech_sme.RD_SALES_BANDS):
        if points > scores.rd and data.sales_revenue > 0:
            need_money = _money_up(lower * Fraction(data.sales_revenue)) - data.rd_expense
            if need_money > 0:
                gaps.append(
                    Gap(
                        "rd_expense",
                        "研发费用还差 %s 元才达到销售收入的 %s（研发投入指标可得 %d 分）。"
                        % (_yuan(need_money), _pct(lower), points),
                        str(need_money),
                        "元",
                    )
                )
            break
    for lower, points in reversed(tech_sme.STAFF_BANDS):
        if points > scores.staff and scores.staff > 0:
            need = staff_gap(data.tech_staff, data.employees, lower)
            gaps.append(
                Gap(
                    "tech_staff_band",
                    "科技人员再增加 %d 人可达职工总数的 %s（科技人员指标可得 %d 分）。" % (need, _pct(lower), points),
                    str(need),
                    "人",
                )
            )
            break
    if scores.ip < 30:
        gaps.append(Gap("ip", "取得 1 件Ⅰ类知识产权（如发明专利）可使科技成果指标得满分 30 分。", "1", "件"))
    return gaps


def hnte_gaps(data: hnte.HnteInput, result: hnte.HnteResult) -> list[Gap]:
    """What keeps a 高企 application from the eight conditions, each with the exact shortfall."""
    gaps: list[Gap] = []
    cond = result.conditions
    if cond.get("registered_one_year") == "not_met":
        days = (data.application_date - data.registration_date).days
        left = hnte.ONE_YEAR_DAYS - days
        gaps.append(Gap("registered_one_year", "注册成立未满一年，还差 %d 天。" % left, str(left), "天"))
    if cond.get("core_ip") == "not_met":
        gaps.append(Gap("core_ip", "尚无对主要产品（服务）发挥核心支持作用的知识产权，至少需要 1 件。", "1", "件"))
    if cond.get("field_in_catalogue") == "not_met":
        gaps.append(Gap("field_in_catalogue", "核心技术须属于《国家重点支持的高新技术领域》。"))
    if cond.get("tech_staff_ratio") == "not_met":
        need = staff_gap(data.tech_staff, data.employees, hnte.STAFF_MIN)
        gaps.append(Gap("tech_staff_ratio", "科技人员还差 %d 人才达到职工总数的 10%%。" % need, str(need), "人"))
    if cond.get("rd_ratio") == "not_met":
        years = data.years
        sales: Decimal = sum(data.sales[-years:], Decimal(0))
        rd: Decimal = sum(data.rd_expense[-years:], Decimal(0))
        in_china: Decimal = sum(data.rd_expense_in_china[-years:], Decimal(0))
        threshold = result.rd_threshold
        need_rd = _money_up(threshold * Fraction(sales)) - rd
        if need_rd > 0:
            gaps.append(
                Gap(
                    "rd_ratio",
                    "研发费用还差 %s 元才达到 %s（近%d年研发费用合计 %s 元，销售收入合计 %s 元）。"
                    % (_yuan(need_rd), _pct(threshold), years, _yuan(rd), _yuan(sales)),
                    str(need_rd),
                    "元",
                )
            )
        need_china = _money_up(hnte.RD_CHINA_MIN * Fraction(rd)) - in_china
        if need_china > 0:
            gaps.append(
                Gap(
                    "rd_in_china",
                    "境内研发费用还差 %s 元才达到研发费用总额的 60%%。" % _yuan(need_china),
                    str(need_china),
                    "元",
                )
            )
    if cond.get("high_tech_revenue_ratio") == "not_met":
        need_ht = max(_money_up(hnte.HIGH_TECH_MIN * Fraction(data.total_revenue)) - data.high_tech_revenue, Decimal(0))
        gaps.append(
            Gap(
                "high_tech_revenue_ratio",
                "高新技术产品（服务）收入还差 %s 元才达到总收入的 60%%。" % _yuan(need_ht),
                str(need_ht),
                "元",
            )
        )
    inno = result.innovation
    if cond.get("innovation_score") == "not_met":
        need = hnte.PASS_ABOVE + 1 - inno.max
        gaps.append(
            Gap(
                "innovation_score",
                "创新能力评价最高 %d 分，还差 %d 分才超过 70 分。" % (inno.max, need),
                str(need),
                "分",
            )
        )
    elif cond.get("innovation_score") == "expert":
        gaps.append(
            Gap(
                "innovation_score",
                "创新能力评价在 %d–%d 分之间，须经专家评分确定是否超过 70 分。" % (inno.min, inno.max),
            )
        )
    if cond.get("no_bad_record") == "not_met":
        gaps.append(Gap("no_bad_record", "申请前一年内有重大安全、质量事故或严重环境违法行为，不能申请。"))
    return gaps


#: Money fields of each engine's IN record (lists for the three-year figures).
MONEY_FIELDS: dict[str, tuple[str, ...]] = {
    "tech-sme": ("sales_revenue", "total_assets", "rd_expense", "cost_total"),
    "hnte": ("sales", "rd_expense", "rd_expense_in_china", "high_tech_revenue", "total_revenue", "net_assets"),
}


def exponent_problems(kind: str, item: object, index: int = 0) -> list[tech_sme.Problem]:
    """Money written in exponent notation (``"1e5"``, or a JSON number ``1e5``) is refused: a bureau
    figure is written out in full, and an exponent usually means a spreadsheet mangled the value."""
    if not isinstance(item, dict):
        return []
    raw_id = item.get("id")
    record = "记录“%s”" % raw_id if isinstance(raw_id, (str, int)) and str(raw_id) else "第 %d 条记录" % (index + 1)
    labels = tech_sme.FIELDS if kind == "tech-sme" else hnte.FIELDS
    problems = []
    for name in MONEY_FIELDS[kind]:
        value = item.get(name)
        values = value if isinstance(value, list) else [value]
        for v in values:
            if isinstance(v, (str, Decimal, float)) and not isinstance(v, bool) and "e" in str(v).lower():
                problems.append(
                    tech_sme.Problem(
                        record,
                        "%s（%s）" % (name, labels.get(name, name)),
                        "金额不能用科学计数法书写，实际为“%s”，请写出完整数字。" % v,
                    )
                )
                break
    return problems


def _precheck(kind: str, raw: dict[str, Any]) -> None:
    problems = exponent_problems(kind, raw)
    if problems:
        raise tech_sme.InputError(problems)


def evaluate_tech_sme(raw: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """Run the 科小 engine on one JSON record: (OUT record, gaps). Raises the engine's ``InputError``."""
    _precheck("tech-sme", raw)
    data = tech_sme.from_json(raw)
    result = tech_sme.evaluate(data)
    return tech_sme.to_json(result), [g.as_dict() for g in tech_sme_gaps(data, result)]


def evaluate_hnte(raw: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """Run the 高企 engine on one JSON record: (OUT record, gaps). Raises the engine's ``InputError``."""
    _precheck("hnte", raw)
    data = hnte.from_json(raw)
    result = hnte.evaluate(data)
    return hnte.to_json(result), [g.as_dict() for g in hnte_gaps(data, result)]
