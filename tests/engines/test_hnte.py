"""高新技术企业 engine (rule 2016-32): the spec's worked examples H1–H9, brackets, growth, input checks."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kejiju.engines import hnte
from kejiju.engines.hnte import (
    RULE_VERSION,
    VERSIONS,
    ExpertScores,
    HnteInput,
    ItemRange,
    conversion_band,
    evaluate,
    from_json,
    growth_band,
    growth_rate,
    ip_quantity_band,
    rd_threshold,
    to_json,
)
from kejiju.engines.tech_sme import InputError

WAN = Decimal(10_000)


def wan(*values: str | int) -> tuple[Decimal, Decimal, Decimal]:
    a, b, c = (Decimal(v) * WAN for v in values)
    return a, b, c


def application(**overrides: object) -> HnteInput:
    """An application meeting every hard condition (H1's figures); innovation still up to the experts."""
    base = HnteInput(
        id="G1",
        application_date=date(2026, 6, 1),
        registration_date=date(2020, 3, 1),
        core_ip_owned=True,
        ip_class1=1,
        ip_class2=0,
        ip_self_developed=True,
        field_in_catalogue=True,
        employees=100,
        tech_staff=20,
        sales=wan(3000, 4000, 5000),
        rd_expense=wan(200, 200, 200),
        rd_expense_in_china=wan(200, 200, 200),
        high_tech_revenue=4000 * WAN,
        total_revenue=5000 * WAN,
        net_assets=wan(1000, 1300, 1690),
        conversions=12,
        operating_years=5,
        bad_record=False,
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def experts(**overrides: int | None) -> ExpertScores:
    values: dict[str, int | None] = {
        "ip_advanced": 6,
        "ip_core_support": 6,
        "ip_acquisition": 5,
        "ip_standard": 1,
        "conversion": 20,
        "rd_management": 15,
    }
    values.update(overrides)
    return ExpertScores(**values)  # type: ignore[arg-type]


def record(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "id": "G01",
        "application_date": "2026-06-01",
        "registration_date": "2020-03-01",
        "core_ip_owned": True,
        "ip_class1": 1,
        "ip_class2": 0,
        "ip_self_developed": True,
        "field_in_catalogue": True,
        "employees": 100,
        "tech_staff": 20,
        "sales": ["30000000", "40000000", "50000000"],
        "rd_expense": [2000000, 2000000, 2000000],
        "rd_expense_in_china": ["2000000", "2000000", "2000000.00"],
        "high_tech_revenue": "40000000",
        "total_revenue": 50000000,
        "net_assets": ["10000000", "13000000", "16900000"],
        "conversions": 12,
        "operating_years": 5,
        "bad_record": False,
    }
    data.update(overrides)
    return data


# --- worked examples ------------------------------------------------------------------------------------------


def test_h1_5000_wan_is_in_the_5_percent_bracket():
    result = evaluate(application())
    assert result.rd_threshold == Fraction(5, 100) and result.rd_ratio == Fraction(5, 100)
    assert result.conditions["rd_ratio"] == "met"
    out = to_json(result)
    assert out["rd_ratio"] == "0.0500" and out["rd_threshold"] == "0.0500"
    short = evaluate(application(rd_expense=wan(200, 200, 199), rd_expense_in_china=wan(200, 200, 199)))
    assert short.conditions["rd_ratio"] == "not_met" and not short.eligible and short.passed is False
    assert to_json(short)["rd_ratio"] == "0.0499"


def test_h2_just_above_5000_wan_needs_4_percent_inclusive():
    sales = wan(3000, 4000, "5000.01")
    rd = (Decimal("160.01") * WAN, 160 * WAN, 160 * WAN)  # 480.01万 ≥ 4 % of 12000.01万 = 480.0004万
    result = evaluate(application(sales=sales, rd_expense=rd, rd_expense_in_china=rd))
    assert result.rd_threshold == Fraction(4, 100)
    assert result.rd_ratio is not None and result.rd_ratio >= Fraction(4, 100)
    assert result.conditions["rd_ratio"] == "met"
    assert to_json(result)["rd_ratio"] == "0.0400"
    # The spec's 480.04万 also meets; 480.00万 falls just short of 4 %.
    rd = (Decimal("160.04") * WAN, 160 * WAN, 160 * WAN)
    assert evaluate(application(sales=sales, rd_expense=rd, rd_expense_in_china=rd)).conditions["rd_ratio"] == "met"
    rd = wan(160, 160, 160)
    assert evaluate(application(sales=sales, rd_expense=rd, rd_expense_in_china=rd)).conditions["rd_ratio"] == "not_met"


def test_h3_growth_bands():
    result = evaluate(application(net_assets=wan(1000, 1300, 1690), sales=wan(2000, 2200, 2420)))
    assert growth_rate(wan(1000, 1300, 1690)) == Fraction(3, 10)  # float gives 0.30000000000000004
    assert result.innovation.items["net_asset_growth"] == ItemRange(7, 8, "B")
    assert result.innovation.items["sales_growth"] == ItemRange(3, 4, "D")


def test_h4_exactly_35_percent_is_a_and_zero_growth_is_f():
    net = (Decimal(100), Decimal(135), Decimal("182.25"))
    assert growth_rate(net) == Fraction(35, 100)
    result = evaluate(application(net_assets=net, sales=wan(1000, 1000, 1000)))
    assert result.innovation.items["net_asset_growth"] == ItemRange(9, 10, "A")
    assert result.innovation.items["sales_growth"] == ItemRange(0, 0, "F")


def test_h5_year_one_zero_and_year_two_zero():
    assert growth_rate((Decimal(0), Decimal(500), Decimal(600))) == Fraction(1, 5)
    assert growth_band(growth_rate((Decimal(0), Decimal(500), Decimal(600)))) == ItemRange(5, 6, "C")
    assert growth_band(growth_rate((Decimal(500), Decimal(0), Decimal(600)))) == ItemRange(0, 0, "F")


def test_h5_negative_growth_scores_zero():
    assert growth_band(growth_rate((Decimal(1000), Decimal(800), Decimal(700)))) == ItemRange(0, 0, "F")


@pytest.mark.parametrize(("total", "band"), [(12, ItemRange(19, 24, "B")), (14, ItemRange(19, 24, "B"))])
def test_h6_conversions_b(total, band):
    assert conversion_band(total, 3) == band


def test_h6_conversions_a_and_lower_bands():
    assert conversion_band(15, 3) == ItemRange(25, 30, "A")
    assert conversion_band(9, 3) == ItemRange(13, 18, "C")
    assert conversion_band(6, 3) == ItemRange(7, 12, "D")
    assert conversion_band(3, 3) == ItemRange(1, 6, "E")
    assert conversion_band(2, 3) == ItemRange(0, 0, "F")
    assert conversion_band(8, 2) == ItemRange(19, 24, "B")  # two operating years: 8 ÷ 2


def test_h7_ip_quantity():
    assert ip_quantity_band(0, 5) == ItemRange(5, 6, "B")
    assert ip_quantity_band(0, 4) == ItemRange(3, 4, "C")
    assert ip_quantity_band(1, 0) == ItemRange(7, 8, "A")
    assert ip_quantity_band(0, 2) == ItemRange(1, 2, "D")
    assert ip_quantity_band(0, 0) == ItemRange(0, 0, "E")


def _totalling(total: int) -> HnteInput:
    # Net assets and sales flat → growth F (0); IP A (7–8) pinned at 8; conversion B pinned in 19–24.
    fixed = {"ip_advanced": 8, "ip_core_support": 8, "ip_acquisition": 6, "ip_standard": 0, "ip_quantity": 8}
    rest = total - 30  # IP section 30; conversion (19–24) and R&D management (0–20) make up the rest
    conversion = max(19, min(24, rest))
    return application(
        net_assets=wan(1000, 1000, 1000),
        sales=wan(5000, 5000, 5000),
        rd_expense=wan(250, 250, 250),
        rd_expense_in_china=wan(250, 250, 250),
        expert_scores=experts(**fixed, conversion=conversion, rd_management=rest - conversion),
    )


def test_h8_seventy_fails_seventy_one_passes():
    at = evaluate(_totalling(70))
    assert at.innovation.min == at.innovation.max == 70
    assert at.conditions["innovation_score"] == "not_met" and at.passed is False
    above = evaluate(_totalling(71))
    assert above.innovation.min == above.innovation.max == 71
    assert above.conditions["innovation_score"] == "met" and above.passed is True


def test_h9_staff_and_high_tech_ratios_inclusive():
    result = evaluate(
        application(tech_staff=10, employees=100, high_tech_revenue=Decimal(600), total_revenue=Decimal(1000))
    )
    assert result.conditions["tech_staff_ratio"] == "met"
    assert result.conditions["high_tech_revenue_ratio"] == "met"
    below = evaluate(application(tech_staff=9, high_tech_revenue=Decimal("599.99"), total_revenue=Decimal(1000)))
    assert below.conditions["tech_staff_ratio"] == "not_met"
    assert below.conditions["high_tech_revenue_ratio"] == "not_met"


# --- other conditions -----------------------------------------------------------------------------------------


def test_without_expert_scores_the_result_is_pending():
    result = evaluate(application())
    assert result.eligible and result.passed is None
    assert result.conditions["innovation_score"] == "expert"
    assert result.innovation.min < 71 <= result.innovation.max
    out = to_json(result)
    assert out["passed"] is None and out["conditions"]["innovation_score"] == "expert"


def test_ip_section_capped_at_30():
    scores = experts(ip_advanced=8, ip_core_support=8, ip_acquisition=6, ip_standard=2, ip_quantity=8)
    result = evaluate(application(expert_scores=scores))
    ip = sum(result.innovation.items[k].max for k in ("ip_advanced", "ip_core_support", "ip_quantity"))
    assert ip + 6 + 2 == 32
    growth = result.innovation.items["sales_growth"].max + result.innovation.items["net_asset_growth"].max
    assert result.innovation.max == 30 + 20 + 15 + growth


def test_range_decides_without_experts_when_it_can():
    # No IP at all, nothing converted, no growth: the best case is 2 + 20 = 22 → not met whatever experts say.
    poor = evaluate(
        application(ip_class1=0, ip_class2=0, conversions=0, net_assets=wan(1, 1, 1), sales=wan(10, 10, 10))
    )
    assert poor.innovation.max == 22 and poor.conditions["innovation_score"] == "not_met"
    assert poor.conditions["core_ip"] == "not_met" and poor.passed is False


@pytest.mark.parametrize(
    ("overrides", "condition"),
    [
        ({"registration_date": date(2025, 6, 2)}, "registered_one_year"),  # 364 days
        ({"core_ip_owned": False}, "core_ip"),
        ({"ip_class1": 0, "ip_class2": 0, "expert_scores": None}, "core_ip"),
        ({"field_in_catalogue": False}, "field_in_catalogue"),
        ({"bad_record": True}, "no_bad_record"),
        ({"rd_expense_in_china": wan(100, 100, 159)}, "rd_ratio"),  # 359/600 < 60 % in China
    ],
)
def test_each_hard_condition_can_fail(overrides, condition):
    result = evaluate(application(**{"expert_scores": experts(), **overrides}))
    assert result.conditions[condition] == "not_met"
    assert not result.eligible and result.passed is False
    assert any(r.startswith("（") and "不符合" in r for r in result.reasons)


def test_one_year_is_365_days_inclusive():
    assert evaluate(application(registration_date=date(2025, 6, 1))).conditions["registered_one_year"] == "met"


def test_rd_in_china_60_percent_inclusive():
    result = evaluate(application(rd_expense_in_china=wan(120, 120, 120)))
    assert result.conditions["rd_ratio"] == "met"


@given(fen=st.integers(min_value=-1000, max_value=1000))
def test_sales_brackets_at_5000_wan_and_2_yi(fen):
    delta = Decimal(fen).scaleb(-2)
    assert rd_threshold(5000 * WAN + delta) == (Fraction(5, 100) if fen <= 0 else Fraction(4, 100))
    assert rd_threshold(20000 * WAN + delta) == (Fraction(4, 100) if fen <= 0 else Fraction(3, 100))


@given(total=st.integers(min_value=49, max_value=74))
def test_pass_strictly_above_70(total):
    result = evaluate(_totalling(total))
    assert result.innovation.min == result.innovation.max == total
    assert result.passed is (total > 70)


GROWTH_EDGES = [(35, "A", "B"), (25, "B", "C"), (15, "C", "D"), (5, "D", "E")]


@pytest.mark.parametrize(("percent", "at", "below"), GROWTH_EDGES)
@given(base=st.integers(min_value=1, max_value=10**8))
def test_growth_band_edges_exact(percent, at, below, base):
    # Two equal yearly ratios r: ½(r + r) − 1 = r − 1 exactly, so the edge is hit on the nose.
    r = Fraction(100 + percent, 100)
    v1 = Fraction(base * 10_000)
    values = (v1, v1 * r, v1 * r * r)
    assert all(v.denominator == 1 for v in values)
    decimals = tuple(Decimal(int(v)) for v in values)
    assert growth_rate(decimals) == Fraction(percent, 100)
    assert growth_band(growth_rate(decimals)).band == at
    assert growth_band(Fraction(percent, 100) - Fraction(1, 10**12)).band == below


def test_float_trap_lands_in_the_right_band():
    # 0.5×(600/500 + 600/500) − 1 = 0.19999999999999996 in float; exactly 20 % → C.
    assert growth_band(growth_rate((Decimal(500), Decimal(600), Decimal(720)))).band == "C"
    assert 0.5 * (600 / 500 + 720 / 600) - 1 < 0.2  # the float the engine must not use
    assert growth_rate((Decimal(1000), Decimal(1300), Decimal(1690))) == Fraction(3, 10)


def test_short_operating_period():
    two = application(operating_years=2, sales=wan(0, 4000, 5000), net_assets=wan(0, 1000, 1350))
    result = evaluate(two)
    assert result.innovation.items["net_asset_growth"] == ItemRange(9, 10, "A")  # 1350/1000 − 1 = 35 %
    assert result.rd_ratio == Fraction(400, 9000)  # only the two operating years count
    one = evaluate(application(operating_years=1))
    assert one.innovation.items["sales_growth"] == ItemRange(0, 0, "F")
    assert one.rd_ratio == Fraction(200, 5000)


# --- JSON in and out ------------------------------------------------------------------------------------------


def test_json_round_trip_shape():
    data = from_json(record())
    out = to_json(evaluate(data))
    assert list(out) == [
        "id",
        "rule_version",
        "eligible",
        "conditions",
        "rd_ratio",
        "rd_threshold",
        "innovation",
        "passed",
        "reasons",
    ]
    assert list(out["conditions"]) == [
        "registered_one_year",
        "core_ip",
        "field_in_catalogue",
        "tech_staff_ratio",
        "rd_ratio",
        "high_tech_revenue_ratio",
        "innovation_score",
        "no_bad_record",
    ]
    assert list(out["innovation"]) == ["min", "max", "items"]
    assert all(isinstance(out["innovation"][k], int) for k in ("min", "max"))
    assert out["rule_version"] == "2016-32"


def test_expert_scores_read_and_made_exact():
    scores = {
        "ip_advanced": 7,
        "ip_core_support": 7,
        "ip_acquisition": 6,
        "ip_standard": 2,
        "conversion": 22,
        "rd_management": 16,
        "ip_quantity": 8,
        "sales_growth": 8,
        "net_asset_growth": 7,
    }
    result = evaluate(from_json(record(expert_scores=scores)))
    assert result.innovation.min == result.innovation.max == 30 + 22 + 16 + 8 + 7
    assert result.passed is True


@pytest.mark.parametrize(
    ("scores", "field", "reason"),
    [
        ({"conversion": 30}, "expert_scores.conversion", "第 B 档的分值范围为 19–24 分"),
        ({"ip_acquisition": 0}, "expert_scores.ip_acquisition", "1–6 分"),
        ({"rd_management": 21}, "expert_scores.rd_management", "最高 20 分"),
        ({"ip_advanced": -1}, "expert_scores.ip_advanced", "非负整数"),
        ({"ip_standard": "2"}, "expert_scores.ip_standard", "非负整数"),
        ({"sales_growth": 9}, "expert_scores.sales_growth", "第 B 档"),
        ({"bonus": 3}, "expert_scores.bonus", "不是可识别"),
    ],
)
def test_bad_expert_scores(scores, field, reason):
    base = {
        "ip_advanced": 6,
        "ip_core_support": 6,
        "ip_acquisition": 5,
        "ip_standard": 1,
        "conversion": 20,
        "rd_management": 15,
    }
    with pytest.raises(InputError) as caught:
        from_json(record(expert_scores={**base, **scores}))
    message = str(caught.value)
    assert "记录“G01”" in message and field in message and reason in message


def test_missing_required_expert_score():
    with pytest.raises(InputError, match="expert_scores.rd_management.*不能缺少"):
        from_json(record(expert_scores={"ip_advanced": 6}))


@pytest.mark.parametrize(
    ("overrides", "field", "reason"),
    [
        ({"sales": ["1", "2"]}, "sales（近三年销售收入（元））", "3 个年度金额"),
        ({"sales": "100"}, "sales", "数组"),
        ({"net_assets": ["-5", "x", "1"]}, "net_assets[1]", "不是有效的金额"),
        ({"rd_expense": [1, 2, "3.001"]}, "rd_expense[2]", "两位小数"),
        ({"application_date": "2026/06/01"}, "application_date", "YYYY-MM-DD"),
        ({"registration_date": "2027-01-01"}, "registration_date", "不能晚于申请日期"),
        ({"rd_expense_in_china": [2000001, 0, 0]}, "rd_expense_in_china[0]", "不能大于"),
        ({"high_tech_revenue": "60000000"}, "high_tech_revenue", "不能大于总收入"),
        ({"expert_scores": [1, 2]}, "expert_scores", "应为对象"),
    ],
)
def test_bad_values_name_record_and_field(overrides, field, reason):
    with pytest.raises(InputError) as caught:
        from_json(record(**overrides))
    message = str(caught.value)
    assert "记录“G01”" in message and field in message and reason in message


def test_negative_net_assets_accepted():
    assert from_json(record(net_assets=["-100", "50", "80"])).net_assets[0] == Decimal(-100)


def test_versions_registry():
    assert RULE_VERSION == "2016-32" and set(VERSIONS) == {"2016-32"}
    with pytest.raises(ValueError, match="未知的高新技术企业认定规则版本"):
        evaluate(application(), version="2030-1")


def test_evaluate_rejects_expert_scores_outside_band():
    with pytest.raises(InputError, match="expert_scores.conversion"):
        evaluate(application(expert_scores=experts(conversion=30)))


# --- the batch command's text path ----------------------------------------------------------------------------

ODD_IDS = ['G"1', "G\\1", "G\n1", "高\u2028企", "\x7f", 7, 0, 10**20]


@pytest.mark.parametrize("record_id", ["G01", *ODD_IDS])
def test_text_path_is_the_encoded_out_record(record_id):
    item = record(id=record_id)
    out = hnte.evaluate_json(item)
    assert out is not None
    assert hnte.evaluate_json_text(item) == (str(record_id), out["passed"], hnte.encode_out(out))
    assert json.loads(hnte.evaluate_json_text(item)[2]) == json.loads(json.dumps(out))


@given(
    registered=st.sampled_from(["2020-03-01", "2025-06-01", "2025-06-02", "2026-06-01"]),
    flags=st.lists(st.booleans(), min_size=4, max_size=4),
    ip=st.tuples(st.integers(0, 2), st.integers(0, 7)),
    staff=st.tuples(st.integers(0, 300), st.integers(0, 300)),
    money=st.lists(st.integers(0, 10**11), min_size=11, max_size=11),
    net=st.lists(st.integers(-(10**10), 10**10), min_size=3, max_size=3),
    conversions=st.integers(0, 40),
    years=st.integers(0, 6),
)
def test_text_path_matches_the_dict_path(registered, flags, ip, staff, money, net, conversions, years):
    """Any plain record: the text is the encoder's text of ``evaluate_json`` (pieces come from caches)."""
    employees, tech = max(staff), min(staff)
    rd = money[3:6]
    item = record(
        registration_date=registered,
        core_ip_owned=flags[0],
        ip_self_developed=flags[1],
        field_in_catalogue=flags[2],
        bad_record=flags[3],
        ip_class1=ip[0],
        ip_class2=ip[1],
        employees=employees,
        tech_staff=tech,
        sales=["%d.%02d" % divmod(v, 100) for v in money[0:3]],
        rd_expense=[str(v // 100) for v in rd],
        rd_expense_in_china=[v // 200 for v in rd],
        high_tech_revenue=Decimal(min(money[6:8])) / 100,
        total_revenue=Decimal(max(money[6:8])) / 100,
        net_assets=[str(v) for v in net],
        conversions=conversions,
        operating_years=years,
    )
    out = hnte.evaluate_json(item)
    assert out is not None
    assert hnte.evaluate_json_text(item) == ("G01", out["passed"], hnte.encode_out(out))


@pytest.mark.parametrize(
    "item",
    [
        record(expert_scores={"ip_advanced": 6}),
        record(tech_staff=101),
        record(sales=["1", "2"]),
        record(id=" "),
        record(id=True),
        [1, 2],
    ],
)
def test_text_path_declines_what_the_full_reader_decides(item):
    assert hnte.evaluate_json(item) is None and hnte.evaluate_json_text(item) is None
    assert hnte.evaluate_json_text(record(), version="2030-1") is None
