"""Assessment scoring: template rules, each item kind, bands, veto, rounding, ranking."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kejiju.engines.assessment import (
    ItemInput,
    ScoreError,
    TemplateError,
    check_score,
    parse_template,
    rank,
    score,
)

D = Decimal

TEMPLATE = {
    "items": [
        {
            "code": "Q1",
            "name": "领导重视",
            "kind": "qualitative",
            "weight": 30,
            "rubric": [
                {"label": "好", "low": 24, "high": 30},
                {"label": "较好", "low": 15, "high": 23.99},
                {"label": "一般", "low": 0, "high": 14.99},
            ],
        },
        {"code": "N1", "name": "培训农民人次", "kind": "quantitative", "weight": 40, "unit": "人次"},
        {"code": "N2", "name": "新认定高企", "kind": "quantitative", "weight": 30, "cap": "1.2", "unit": "家"},
        {"code": "B1", "name": "获省级以上奖励", "kind": "bonus", "per_unit": 2, "max_points": 5},
        {"code": "D1", "name": "安全事故", "kind": "deduction", "per_unit": 3, "max_points": 10},
        {"code": "V1", "name": "重大科研失信", "kind": "veto"},
    ],
    "bands": [["优秀", 90], ["良好", 80], ["合格", 60], ["不合格", 0]],
}


def test_full_sheet() -> None:
    template = parse_template(TEMPLATE)
    result = score(
        template,
        {
            "Q1": ItemInput(scores=[D(28), D(26), D("27.5")]),
            "N1": ItemInput(actual=D(900), target=D(1000)),
            "N2": ItemInput(actual=D(15), target=D(10)),
            "B1": ItemInput(actual=D(4)),
            "D1": ItemInput(count=1),
        },
    )
    items = {s.code: s for s in result.items}
    assert items["Q1"].score == D("27.17")  # (28 + 26 + 27.5) / 3 = 27.1666… → 27.17
    assert items["N1"].score == D("36.00")
    assert items["N2"].score == D("36.00")  # capped at 120 %
    assert items["B1"].score == D("5.00")  # 8 points capped at 5
    assert items["D1"].score == D("3.00")
    assert result.base == D("99.17") and result.total == D("101.17") and result.grade == "优秀"
    assert "完成 900 / 目标 1000" in items["N1"].explanation


def test_veto_forces_lowest_grade() -> None:
    template = parse_template(TEMPLATE)
    result = score(template, {"N1": ItemInput(actual=D(1000), target=D(1000)), "V1": ItemInput(triggered=True)})
    assert result.vetoed_by == ("V1",) and result.grade == "不合格"


def test_grade_boundaries_are_inclusive() -> None:
    template = parse_template(TEMPLATE)
    assert template.grade_for(D(90)) == "优秀" and template.grade_for(D("89.99")) == "良好"
    assert template.grade_for(D(60)) == "合格" and template.grade_for(D("59.99")) == "不合格"


def test_total_never_below_zero_and_zero_target_scores_full() -> None:
    template = parse_template(TEMPLATE)
    result = score(template, {"D1": ItemInput(count=10)})
    assert result.deduction == D("10.00") and result.total == D(0)
    full = score(template, {"N2": ItemInput(actual=D(0), target=D(0))})
    assert {s.code: s.score for s in full.items}["N2"] == D("30.00")


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"items": []}, "至少要有一个指标"),
        ({"items": [{**TEMPLATE["items"][0], "weight": 20}, *TEMPLATE["items"][1:]]}, "合计应为 100 分，现为 90 分"),
        ({"items": [*TEMPLATE["items"], {"code": "N1", "name": "x", "kind": "veto"}]}, "重复"),
        ({"items": [*TEMPLATE["items"], {"code": "X", "name": "x", "kind": "other"}]}, "指标类型"),
        ({"items": [*TEMPLATE["items"], {"code": "X", "name": "x", "kind": "bonus"}]}, "最高分"),
        ({"items": [{**TEMPLATE["items"][1], "weight": "1e2"}]}, "不是有效的数字"),
        ({"bands": [["优秀", 90], ["合格", 95], ["不合格", 0]]}, "从高到低"),
        ({"bands": [["优秀", 90], ["合格", 60]]}, "最低分应为 0"),
    ],
)
def test_bad_templates(change: dict, fragment: str) -> None:
    with pytest.raises(TemplateError) as error:
        parse_template({**TEMPLATE, **change})
    assert fragment in str(error.value)


def test_scores_outside_the_rubric_or_range_are_refused() -> None:
    template = parse_template(TEMPLATE)
    item = template.item("Q1")
    assert item is not None
    assert "0 至 30" in (check_score(item, D(31)) or "")
    assert "两位小数" in (check_score(item, D("25.001")) or "")
    assert check_score(item, D(24)) is None
    with pytest.raises(ScoreError):
        score(template, {"Q1": ItemInput(scores=[D(-1)])})
    with pytest.raises(ScoreError) as unknown:
        score(template, {"ZZ": ItemInput()})
    assert unknown.value.problems == [("ZZ", "考核细则中没有该指标。")]
    with pytest.raises(ScoreError):
        score(template, {"N1": ItemInput(actual=D(-5), target=D(10))})


def test_rank_is_competition_ranking() -> None:
    assert rank([("a", D(90)), ("b", D(95)), ("c", D(90)), ("d", D(80))]) == {"b": 1, "a": 2, "c": 2, "d": 4}


@given(
    actual=st.decimals(min_value=0, max_value=10**6, places=2),
    target=st.decimals(min_value=D("0.01"), max_value=10**6, places=2),
)
def test_quantitative_score_stays_within_weight_times_cap(actual: Decimal, target: Decimal) -> None:
    template = parse_template(TEMPLATE)
    result = score(
        template, {"N1": ItemInput(actual=actual, target=target), "N2": ItemInput(actual=actual, target=target)}
    )
    items = {s.code: s.score for s in result.items}
    assert D(0) <= items["N1"] <= D(40)
    assert D(0) <= items["N2"] <= D(36)
    if actual >= target:
        assert items["N1"] == D("40.00")
