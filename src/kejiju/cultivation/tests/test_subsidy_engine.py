"""The pure subsidy formulas (kejiju.engines.subsidy): exact amounts, caps, and errors naming the field."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kejiju.engines.subsidy import SubsidyError, calculate, validate_params


def test_fixed():
    assert calculate("fixed", {"amount": 100000}, {}).amount == Decimal("100000.00")


def test_rate_of_increase_rounds_down_and_caps():
    calc = calculate("rate_of_increase", {"rate": "0.15", "cap": "300000"}, {"current": "1000000.07", "previous": "0"})
    assert calc.amount == Decimal("150000.01")  # 150000.0105 → down to the fen
    capped = calculate("rate_of_increase", {"rate": "0.15", "cap": "300000"}, {"current": "5000000", "previous": "0"})
    assert capped.amount == Decimal("300000.00") and capped.capped
    none = calculate("rate_of_increase", {"rate": "0.15"}, {"current": "10", "previous": "20"})
    assert none.amount == 0 and "无增量" in none.explanation


def test_by_level_and_per_unit():
    table = {"national": 1000000, "provincial": 300000, "city": 100000}
    assert calculate("by_level", {"table": table}, {"level": "provincial"}).amount == 300000
    with pytest.raises(SubsidyError) as exc:
        calculate("by_level", {"table": table}, {"level": "county"})
    assert exc.value.field == "inputs.level"
    per = {"table": {"invention": 5000, "utility": "1000.50"}, "cap": 20000}
    assert calculate("per_unit", per, {"invention": 2, "utility": 2}).amount == Decimal("12001.00")
    assert calculate("per_unit", per, {"invention": 10}).amount == Decimal("20000.00")


@pytest.mark.parametrize(
    "kind,params,inputs,fld",
    [
        ("fixed", {"amount": 1}, {"x": 1}, "inputs.x"),
        ("per_unit", {"table": {"invention": 1}}, {"invention": -1}, "inputs.invention"),
        ("per_unit", {"table": {"invention": 1}}, {"design": 1}, "inputs.design"),
        ("per_unit", {"table": {"invention": 1}}, {"invention": 1.5}, "inputs.invention"),
        ("rate_of_increase", {"rate": "0.1"}, {"current": 1.5, "previous": 0}, "inputs.current"),
        ("rate_of_increase", {"rate": "0.1"}, {"current": "1E5", "previous": 0}, "inputs.current"),
        ("rate_of_increase", {"rate": "0"}, {"current": 1, "previous": 0}, "params.rate"),
        ("by_level", {"table": {"a": "1.001"}}, {"level": "a"}, "params.table.a"),
    ],
)
def test_errors_name_the_field(kind, params, inputs, fld):
    with pytest.raises(SubsidyError) as exc:
        calculate(kind, params, inputs)
    assert exc.value.field == fld and exc.value.message.endswith("。")


def test_validate_params_normalises():
    assert validate_params("rate_of_increase", {"rate": "0.1", "cap": 5}) == {"rate": "0.1", "cap": "5.00"}


@given(
    current=st.integers(min_value=0, max_value=10**10),
    previous=st.integers(min_value=0, max_value=10**10),
    rate_pct=st.integers(min_value=1, max_value=100),
    cap=st.integers(min_value=0, max_value=10**9),
)
def test_rate_of_increase_boundaries(current, previous, rate_pct, cap):
    """Never above the cap, never above rate × increase, never more than a fen below it, never negative."""
    rate = Decimal(rate_pct) / 100
    calc = calculate(
        "rate_of_increase",
        {"rate": str(rate), "cap": cap},
        {"current": Decimal(current) / 100, "previous": Decimal(previous) / 100},
    )
    exact = max(Decimal(0), (Decimal(current) - Decimal(previous)) / 100 * rate)
    assert Decimal(0) <= calc.amount <= min(exact, Decimal(cap))
    assert calc.amount == min(Decimal(cap), exact) or exact - calc.amount < Decimal("0.01")
