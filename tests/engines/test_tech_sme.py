"""科技型中小企业 engine (rule 2017-115): the spec's worked examples S1–S6, band edges, input checks."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kejiju.engines import tech_sme
from kejiju.engines.tech_sme import (
    RULE_VERSION,
    VERSIONS,
    InputError,
    TechSmeInput,
    evaluate,
    from_json,
    ip_score,
    parse_money,
    rd_scores,
    staff_score,
    to_json,
)

WAN = Decimal(10_000)


def company(**overrides: object) -> TechSmeInput:
    """A plain eligible company: 100 staff, 30 in R&D, 5000万 sales, 300万 R&D, one invention patent."""
    base = TechSmeInput(
        id="T1",
        registered_in_mainland=True,
        restricted_industry=False,
        bad_record=False,
        employees=100,
        tech_staff=30,
        sales_revenue=5000 * WAN,
        total_assets=3000 * WAN,
        rd_expense=300 * WAN,
        cost_total=4000 * WAN,
        ip_class1=1,
        ip_class2=0,
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def record(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "id": "A01",
        "registered_in_mainland": True,
        "restricted_industry": False,
        "bad_record": False,
        "employees": 100,
        "tech_staff": 30,
        "sales_revenue": "50000000",
        "total_assets": "30000000.00",
        "rd_expense": 3000000,
        "cost_total": "40000000",
        "ip_class1": 1,
        "ip_class2": 0,
        "hnte_valid": False,
        "national_award_top3": False,
        "provincial_rd_institution": False,
        "led_standard": False,
        "first_filing": False,
    }
    data.update(overrides)
    return data


# --- worked examples ------------------------------------------------------------------------------------------


def test_s1_all_bands_inclusive_full_marks():
    result = evaluate(company())
    s = result.scores
    assert (s.staff, s.rd, s.rd_option, s.ip, s.total) == (20, 50, "sales", 30, 100)
    assert result.eligible and result.passed and result.route == "score"
    assert result.rule_version == "2017-115"


def test_s2_staff_score_zero_fails_despite_total_80():
    result = evaluate(company(tech_staff=9, rd_expense=400 * WAN, ip_class1=2))
    assert result.scores.staff == 0 and result.scores.total == 80
    assert result.eligible and not result.passed and result.route is None
    assert any("科技人员指标得 0 分" in r for r in result.reasons)


def test_s3_both_rd_options_shown_and_better_one_chosen():
    base = company(
        employees=200, tech_staff=20, rd_expense=Decimal("499.8") * WAN, cost_total=2000 * WAN, ip_class1=0, ip_class2=3
    )
    # Sales so large that option ① gives nothing: option ② 24.99 % → C → 30.
    result = evaluate(replace(base, sales_revenue=20000 * WAN))
    s = result.scores
    assert (s.staff, s.rd_cost, s.rd, s.rd_option, s.ip, s.total) == (4, 30, 30, "cost", 18, 52)
    assert not result.passed
    # Same company with R&D / sales exactly 5.00 %: option ① gives 40 → 62 → pass.
    result = evaluate(replace(base, sales_revenue=Decimal("9996") * WAN))
    s = result.scores
    assert (s.rd_sales, s.rd_cost, s.rd, s.rd_option, s.total) == (40, 30, 40, "sales", 62)
    assert result.passed and result.route == "score"
    rd_reason = next(r for r in result.reasons if r.startswith("研发投入指标"))
    assert "5.00%" in rd_reason and "24.99%" in rd_reason


def test_s4_scale_limits_inclusive_and_501_ineligible():
    base = company(
        employees=500,
        tech_staff=125,
        sales_revenue=20000 * WAN,
        total_assets=20000 * WAN,
        rd_expense=600 * WAN,
        cost_total=Decimal(10**12),
        ip_class1=0,
    )
    result = evaluate(base)
    assert result.eligible
    assert (result.scores.staff, result.scores.rd, result.scores.ip, result.scores.total) == (16, 20, 0, 36)
    assert not result.passed
    over = evaluate(replace(base, employees=501))
    assert not over.eligible and not over.passed
    assert any("501" in r and "超过 500 人" in r for r in over.reasons)


def test_s5_direct_confirmation_still_needs_scale():
    big = evaluate(company(hnte_valid=True, employees=600, tech_staff=0))
    assert not big.eligible and not big.passed and big.route is None
    small = evaluate(company(hnte_valid=True, employees=300, tech_staff=0, rd_expense=Decimal(0), ip_class1=0))
    assert small.eligible and small.passed and small.route == "direct"
    assert small.scores.total == 0  # no score needed
    assert any("直接确认" in r and "高新技术企业证书" in r for r in small.reasons)


def test_s6_passes_but_flags_every_inspection_trigger():
    result = evaluate(
        company(
            employees=4,
            tech_staff=2,
            rd_expense=8 * WAN,
            sales_revenue=100 * WAN,
            cost_total=100 * WAN,
            ip_class1=0,
            first_filing=True,
        )
    )
    assert (result.scores.staff, result.scores.rd, result.scores.ip, result.scores.total) == (20, 50, 0, 70)
    assert result.passed and result.route == "score"
    assert result.inspection_triggers == ["employees_le_5", "no_ip", "rd_below_100k", "first_filing"]
    assert any("实地核查" in r for r in result.reasons)


@pytest.mark.parametrize("item", ["hnte_valid", "national_award_top3", "provincial_rd_institution", "led_standard"])
def test_each_direct_item_confirms(item):
    result = evaluate(company(tech_staff=0, **{item: True}))
    assert result.route == "direct" and result.passed


@pytest.mark.parametrize(
    ("overrides", "article"),
    [
        ({"registered_in_mainland": False}, "第六条（一）"),
        ({"sales_revenue": 20000 * WAN + Decimal("0.01")}, "第六条（二）"),
        ({"total_assets": 20000 * WAN + Decimal("0.01")}, "第六条（二）"),
        ({"restricted_industry": True}, "第六条（三）"),
        ({"bad_record": True}, "第六条（四）"),
    ],
)
def test_each_exclusion_makes_ineligible(overrides, article):
    result = evaluate(company(hnte_valid=True, **overrides))
    assert not result.eligible and not result.passed and result.route is None
    assert any(article in r for r in result.reasons)


def test_pass_mark_60_inclusive():
    # 4 (10 %) + 50 + 6 = 60 passes; one Class II fewer → 54 fails.
    at = evaluate(company(tech_staff=10, ip_class1=0, ip_class2=1))
    assert at.scores.total == 60 and at.passed
    below = evaluate(company(tech_staff=10, ip_class1=0, ip_class2=0))
    assert below.scores.total == 54 and not below.passed


# --- band edges (hypothesis) ----------------------------------------------------------------------------------

STAFF_EDGES = [(30, 20, 16), (25, 16, 12), (20, 12, 8), (15, 8, 4), (10, 4, 0)]


@pytest.mark.parametrize(("percent", "at", "below"), STAFF_EDGES)
@given(employees=st.integers(min_value=1, max_value=100_000))
def test_staff_band_edges(percent, at, below, employees):
    scaled = employees * 100  # a headcount where the edge is an exact integer
    assert staff_score(scaled * percent // 100, scaled) == at
    assert staff_score(scaled * percent // 100 - 1, scaled) == below


RD_SALES_EDGES = [(6, 50, 40), (5, 40, 30), (4, 30, 20), (3, 20, 10), (2, 10, 0)]
RD_COST_EDGES = [(30, 50, 40), (25, 40, 30), (20, 30, 20), (15, 20, 10), (10, 10, 0)]


@pytest.mark.parametrize(("percent", "at", "below"), RD_SALES_EDGES)
@given(sales_fen=st.integers(min_value=100, max_value=10**12))
def test_rd_sales_edges_exact_to_the_fen(percent, at, below, sales_fen):
    sales = Decimal(sales_fen * 100).scaleb(-2)  # a multiple of 1 yuan
    rd = sales * percent / 100
    assert rd_scores(rd, sales, Decimal(0))[0] == at
    assert rd_scores(rd - Decimal("0.01"), sales, Decimal(0))[0] == below


@pytest.mark.parametrize(("percent", "at", "below"), RD_COST_EDGES)
@given(cost_yuan=st.integers(min_value=1, max_value=10**10))
def test_rd_cost_edges(percent, at, below, cost_yuan):
    cost = Decimal(cost_yuan * 10)
    rd = cost * percent / 100
    assert rd_scores(rd, Decimal(0), cost)[1] == at
    assert rd_scores(rd - Decimal("0.01"), Decimal(0), cost)[1] == below


@given(
    rd=st.integers(min_value=0, max_value=10**9),
    sales=st.integers(min_value=0, max_value=10**10),
    cost=st.integers(min_value=0, max_value=10**10),
)
def test_better_rd_option_is_chosen(rd, sales, cost):
    data = company(rd_expense=Decimal(rd), sales_revenue=Decimal(sales), cost_total=Decimal(cost))
    s = evaluate(data).scores
    assert s.rd == max(s.rd_sales, s.rd_cost)
    assert s.rd == (s.rd_sales if s.rd_option == "sales" else s.rd_cost)
    assert s.rd_option == "sales" or s.rd_cost > s.rd_sales


@given(st.integers(min_value=0, max_value=50), st.integers(min_value=0, max_value=50))
def test_ip_best_band(class1, class2):
    expected = 30 if class1 else {0: 0, 1: 6, 2: 12, 3: 18}.get(class2, 24)
    assert ip_score(class1, class2) == expected


@given(employees=st.integers(min_value=495, max_value=505), extra_fen=st.integers(min_value=-100, max_value=100))
def test_scale_limits_inclusive(employees, extra_fen):
    sales = 20000 * WAN + Decimal(extra_fen).scaleb(-2)
    result = evaluate(company(employees=employees, tech_staff=0, sales_revenue=sales))
    assert result.eligible == (employees <= 500 and extra_fen <= 0)


def test_staff_ratio_never_uses_float():
    # 0.29 * 100 == 28.999999999999996 in float; exact arithmetic keeps 29/100 in band B.
    assert staff_score(29, 100) == 16
    assert tech_sme.ratio(3, 10) == Fraction(3, 10)


# --- JSON in and out ------------------------------------------------------------------------------------------


def test_from_json_round_trip_and_exact_money():
    data = from_json(record(cost_total=Decimal("12.5"), total_assets=12.5))
    assert data.cost_total == Decimal("12.5") and data.total_assets == Decimal("12.5")
    assert data.sales_revenue == Decimal(50_000_000) and data.id == "A01"
    out = to_json(evaluate(data))
    assert list(out) == [
        "id",
        "rule_version",
        "eligible",
        "passed",
        "route",
        "scores",
        "inspection_triggers",
        "reasons",
    ]
    assert list(out["scores"]) == ["staff", "rd", "rd_option", "ip", "total"]
    assert all(isinstance(out["scores"][k], int) for k in ("staff", "rd", "ip", "total"))


def test_integer_ids_are_kept():
    assert to_json(evaluate(from_json(record(id=7))))["id"] == 7


@pytest.mark.parametrize(
    ("overrides", "field", "reason"),
    [
        ({"employees": "100"}, "employees（职工总数）", "非负整数"),
        ({"employees": -1}, "employees（职工总数）", "非负整数"),
        ({"ip_class1": True}, "ip_class1", "非负整数"),
        ({"first_filing": "否"}, "first_filing", "true 或 false"),
        ({"sales_revenue": "abc"}, "sales_revenue", "不是有效的金额"),
        ({"sales_revenue": "NaN"}, "sales_revenue", "不是有效的金额"),
        ({"rd_expense": "1.005"}, "rd_expense", "两位小数"),
        ({"total_assets": "-1"}, "total_assets", "不能为负数"),
        ({"cost_total": None}, "cost_total", "金额"),
        ({"tech_staff": 101}, "tech_staff", "不能大于职工总数"),
        ({"colour": "red"}, "colour", "不是可识别的字段"),
    ],
)
def test_bad_values_name_record_and_field(overrides, field, reason):
    with pytest.raises(InputError) as caught:
        from_json(record(**overrides))
    message = str(caught.value)
    assert "记录“A01”" in message and field in message and reason in message


def test_missing_fields_and_bad_id():
    data = record()
    del data["hnte_valid"]
    with pytest.raises(InputError, match="记录“A01”的字段“hnte_valid（持有有效的高新技术企业证书）”：缺少此字段"):
        from_json(data)
    with pytest.raises(InputError, match="第 3 条记录的字段“id（记录编号）”"):
        from_json(record(id=None), 2)
    with pytest.raises(InputError, match="第 1 条记录.*应为对象"):
        from_json(["not", "an", "object"])


def test_every_problem_is_listed():
    with pytest.raises(InputError) as caught:
        from_json(record(employees="x", ip_class2=-3, led_standard=1))
    assert len(caught.value.problems) == 3


def test_parse_money_accepts_ints_strings_and_decimal_floats():
    assert parse_money(5) == Decimal(5)
    assert parse_money(" 12.50 ") == Decimal("12.50")
    assert parse_money(0.1) == Decimal("0.1")  # str() of the float, not its binary value
    with pytest.raises(ValueError):
        parse_money(False)


def test_versions_registry():
    assert RULE_VERSION == "2017-115" and set(VERSIONS) == {"2017-115"}
    assert evaluate(company(), version="2017-115").rule_version == "2017-115"
    with pytest.raises(ValueError, match="未知的科技型中小企业评价规则版本“2099-1”"):
        evaluate(company(), version="2099-1")


# --- the batch command's text path ----------------------------------------------------------------------------


@pytest.mark.parametrize("record_id", ["A01", 'A"1', "A\\1", "A\t1", "科\u2029小", 3, 10**20])
def test_text_path_is_the_encoded_out_record(record_id):
    item = record(id=record_id)
    out = tech_sme.evaluate_json(item)
    assert out is not None
    assert tech_sme.evaluate_json_text(item) == (str(record_id), out["passed"], tech_sme.encode_out(out))
    assert json.loads(tech_sme.evaluate_json_text(item)[2]) == json.loads(json.dumps(out))


@given(
    flags=st.lists(st.booleans(), min_size=8, max_size=8),
    staff=st.tuples(st.integers(0, 700), st.integers(0, 700)),
    money=st.lists(st.integers(0, 3 * 10**10), min_size=4, max_size=4),
    ip=st.tuples(st.integers(0, 2), st.integers(0, 6)),
)
def test_text_path_matches_the_dict_path(flags, staff, money, ip):
    """Any plain record (every route, trigger list and money form): the text is the encoder's text."""
    item = record(
        registered_in_mainland=flags[0],
        restricted_industry=flags[1],
        bad_record=flags[2],
        hnte_valid=flags[3],
        national_award_top3=flags[4],
        provincial_rd_institution=flags[5],
        led_standard=flags[6],
        first_filing=flags[7],
        employees=max(staff),
        tech_staff=min(staff),
        sales_revenue="%d.%02d" % divmod(money[0], 100),
        total_assets=money[1] // 100,
        rd_expense=str(money[2] // 100),
        cost_total=Decimal(money[3]) / 100,
        ip_class1=ip[0],
        ip_class2=ip[1],
    )
    out = tech_sme.evaluate_json(item)
    assert out is not None
    assert tech_sme.evaluate_json_text(item) == ("A01", out["passed"], tech_sme.encode_out(out))


@pytest.mark.parametrize(
    "item", [record(tech_staff=101), record(rd_expense="1e5"), record(id=""), record(extra=1), "A01"]
)
def test_text_path_declines_what_the_full_reader_decides(item):
    assert tech_sme.evaluate_json(item) is None and tech_sme.evaluate_json_text(item) is None
    assert tech_sme.evaluate_json_text(record(), version="2030-1") is None


@pytest.mark.parametrize(
    ("value", "cents"),
    [("0", 0), ("007", 700), ("12.5", 1250), ("12.05", 1205), (12, 1200), (Decimal("1.10"), 110)],
)
def test_fast_cents_plain_forms(value, cents):
    assert tech_sme.fast_cents(value) == cents


@pytest.mark.parametrize("value", ["", "١٢", "²", "-1", "1.", ".5", "1.001", " 1", "1e5", -1, True, 1.5])
def test_fast_cents_leaves_other_forms_to_the_full_reader(value):
    assert tech_sme.fast_cents(value) is None


@given(st.lists(st.text(alphabet=st.characters(max_codepoint=0x3000, exclude_categories=["Cs"]), max_size=12)))
def test_json_strings_is_the_encoders_array_body(texts):
    assert "[%s]" % tech_sme.json_strings(texts) == json.dumps(texts, ensure_ascii=False)


def test_json_strings_escapes_like_the_encoder():
    texts = ['引号"', "反斜杠\\", "换行\n", "\x00\x1f", "\x7f", "\u2028", ""]
    assert "[%s]" % tech_sme.json_strings(texts) == json.dumps(texts, ensure_ascii=False)
    assert tech_sme.json_strings([]) == "" and tech_sme.json_strings(["甲", "乙"]) == '"甲", "乙"'
