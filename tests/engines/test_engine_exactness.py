"""The integer rules and the JSON → JSON path of ``kejiju evaluate`` give, byte for byte, what the engines gave
when every comparison built ``Fraction``s (kept as ``_fraction_tech_sme.py`` / ``_fraction_hnte.py`` beside
this file): generated records, and values exactly at, one fen / one person under and over every threshold."""

from __future__ import annotations

import importlib.util
import json
import random
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kejiju.cultivation.gaps import exponent_problems
from kejiju.cultivation.management.commands.evaluate import _text_chunk
from kejiju.engines import hnte, tech_sme
from kejiju.engines.tech_sme import InputError


def _load(name: str) -> Any:
    path = Path(__file__).with_name("_fraction_%s.py" % name)
    spec = importlib.util.spec_from_file_location("kejiju_reference_%s" % name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


REFERENCE = {"tech-sme": _load("tech_sme"), "hnte": _load("hnte")}
VERSION = {"tech-sme": tech_sme.RULE_VERSION, "hnte": hnte.RULE_VERSION}


def _reference(kind: str, item: Any) -> tuple[str | None, list[str], str | None]:
    """What the command produced for one record before: (id, problems, OUT record as JSON text)."""
    engine = REFERENCE[kind]
    problems = exponent_problems(kind, item, 0)
    if problems:
        return None, [str(p) for p in problems], None
    errors = (InputError, REFERENCE["tech-sme"].InputError)  # the reference 科小 module has its own class
    try:
        record = engine.from_json(item, 0)
    except errors as exc:
        return None, [str(p) for p in exc.problems], None
    try:
        out = engine.to_json(engine.evaluate(record))
    except errors as exc:
        return str(record.id), [str(p) for p in exc.problems], None
    return str(record.id), [], json.dumps(out, ensure_ascii=False)


def _now(kind: str, item: Any) -> tuple[str | None, list[str], str | None]:
    """What the command writes for the record now: its OUT line (JSON text) or its problems."""
    chunk = _text_chunk(kind, VERSION[kind], 0, [item])
    (key,) = chunk.keys
    problems = [str(p) for _offset, found in chunk.problems for p in found]
    return key, problems, None if problems else chunk.body.decode("utf-8")


def _check(kind: str, item: dict[str, Any]) -> None:
    expected = _reference(kind, item)
    assert _now(kind, item) == expected, item
    # the full reader on the same record agrees too (the JSON path returns None when it does not apply)
    if expected[2] is not None:
        engine = tech_sme if kind == "tech-sme" else hnte
        slow = json.dumps(engine.to_json(engine.evaluate(engine.from_json(item, 0))), ensure_ascii=False)
        assert slow == expected[2], item


def _money_forms(cents: int, rng: random.Random) -> object:
    """The same amount written the ways a JSON file writes it (string, integer, parsed decimal, odd forms)."""
    whole, fen = divmod(abs(cents), 100)
    sign = "-" if cents < 0 else ""
    text = "%s%d.%02d" % (sign, whole, fen)
    forms: list[object] = [text, Decimal(text)]
    if fen == 0:
        forms += [int(cents // 100), "%s%d" % (sign, whole), Decimal("%s%d" % (sign, whole))]
    elif fen % 10 == 0:
        forms += ["%s%d.%d" % (sign, whole, fen // 10), Decimal("%s%d.%d" % (sign, whole, fen // 10))]
    if rng.random() < 0.03:  # valid, but only for the full reader: must come out the same
        return rng.choice([text + "0", " " + text])
    return rng.choice(forms)


# ----------------------------------------------------------------------------------------------- tech-sme

TECH_SALES_EDGES = [0, 1, 200_000_000_00 - 1, 200_000_000_00, 200_000_000_00 + 1]


def tech_record(rng: random.Random, n: int) -> dict[str, Any]:
    employees = rng.choice([0, 1, 5, 6, 7, 10, 33, 99, 100, 500, 501, rng.randrange(1, 700)])
    percent = rng.choice([10, 15, 20, 25, 30])
    exact = percent * employees // 100
    tech = min(employees, max(0, exact + rng.choice([-1, 0, 0, 1])))
    sales = rng.choice(TECH_SALES_EDGES + [rng.randrange(0, 300_000_000_00)] * 3)
    assets = rng.choice(TECH_SALES_EDGES + [rng.randrange(0, 300_000_000_00)])
    costs = rng.choice([0, rng.randrange(1, 300_000_000_00), sales])
    # R&D exactly at a band edge of one of the two options, or one fen either side; or near 10万
    base, table = rng.choice([(sales, (2, 3, 4, 5, 6)), (costs, (10, 15, 20, 25, 30))])
    p = rng.choice(table)
    rd = rng.choice([base * p // 100, -(-base * p // 100), 10_000_000, 10_000_000 - 1, rng.randrange(0, 10**9)])
    rd = max(0, rd + rng.choice([-1, 0, 0, 1]))
    return {
        "id": rng.choice(["T%05d" % n, n + 1]),
        "registered_in_mainland": rng.random() > 0.05,
        "restricted_industry": rng.random() < 0.05,
        "bad_record": rng.random() < 0.05,
        "employees": employees,
        "tech_staff": tech,
        "sales_revenue": _money_forms(sales, rng),
        "total_assets": _money_forms(assets, rng),
        "rd_expense": _money_forms(rd, rng),
        "cost_total": _money_forms(costs, rng),
        "ip_class1": rng.choice([0, 0, 1, 2]),
        "ip_class2": rng.choice([0, 1, 2, 3, 4, 5, 9]),
        "hnte_valid": rng.random() < 0.1,
        "national_award_top3": rng.random() < 0.05,
        "provincial_rd_institution": rng.random() < 0.1,
        "led_standard": rng.random() < 0.05,
        "first_filing": rng.random() < 0.4,
    }


def test_tech_sme_edge_records_match_reference():
    rng = random.Random(115)
    fast = 0
    for n in range(2500):
        item = tech_record(rng, n)
        _check("tech-sme", item)
        fast += tech_sme.evaluate_json(item) is not None
    assert fast > 2000  # most went through the JSON → JSON path, the rest through the full reader


def test_tech_sme_every_staff_band_edge():
    rng = random.Random(1)
    for employees in range(0, 120):
        for tech in range(0, employees + 1):
            item = tech_record(rng, tech)
            item.update(employees=employees, tech_staff=tech)
            _check("tech-sme", item)


BAD_VALUES = [-1, True, None, "1e5", "1E+5", Decimal("1E+5"), "10.001", Decimal("10.001"), "abc", [], 1.5]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32), field=st.sampled_from(sorted(tech_sme.FIELDS)), bad=st.sampled_from(BAD_VALUES))
def test_tech_sme_bad_values_match_reference(seed, field, bad):
    item = tech_record(random.Random(seed), seed % 1000)
    item[field] = bad
    _check("tech-sme", item)
    item.pop(field)
    _check("tech-sme", item)
    item.update({field: bad, "unknown": 1})
    _check("tech-sme", item)


@settings(max_examples=600, deadline=None)
@given(
    employees=st.integers(0, 10**6),
    tech=st.integers(0, 10**6),
    money=st.lists(st.integers(0, 10**13), min_size=4, max_size=4),
    seed=st.integers(0, 2**32),
)
def test_tech_sme_any_figures_match_reference(employees, tech, money, seed):
    rng = random.Random(seed)
    item = tech_record(rng, 0)
    item.update(employees=employees, tech_staff=min(tech, employees))
    for key, cents in zip(("sales_revenue", "total_assets", "rd_expense", "cost_total"), money, strict=True):
        item[key] = _money_forms(cents, rng)
    _check("tech-sme", item)


# ----------------------------------------------------------------------------------------------- hnte


def _near(value: int, rng: random.Random) -> int:
    return max(0, value + rng.choice([-1, 0, 0, 1]))


def hnte_record(rng: random.Random, n: int) -> dict[str, Any]:
    employees = rng.choice([0, 1, 9, 10, 11, 100, rng.randrange(1, 3000)])
    tech = min(employees, _near(employees // 10 + rng.choice([0, 1]) * (employees % 10 != 0), rng))
    latest = rng.choice(
        [50_000_000_00, 50_000_000_00 + 1, 200_000_000_00, 200_000_000_00 + 1, rng.randrange(0, 10**12)]
    )
    sales = [rng.choice([0, rng.randrange(0, 10**12)]) for _ in range(2)] + [latest]
    years = rng.choice([0, 1, 2, 3, 5])
    counted = min(3, max(1, years))
    total_sales = sum(sales[3 - counted :])
    p = rng.choice([3, 4, 5])
    rd_total = _near(-(-total_sales * p // 100), rng)
    rd = (
        [rd_total // 3, rd_total // 3, rd_total - 2 * (rd_total // 3)]
        if counted == 3
        else [rng.randrange(0, 10**9), 0, 0]
    )
    if counted == 2:
        rd = [rng.randrange(0, 10**9), rd_total // 2, rd_total - rd_total // 2]
    elif counted == 1:
        rd[2] = rd_total
    china = [min(r, _near(-(-r * 60 // 100), rng)) for r in rd]
    total = rng.choice([0, rng.randrange(1, 10**12)])
    high = min(total, _near(-(-total * 60 // 100), rng))
    base = rng.choice([1, 100, 10**6, rng.randrange(1, 10**9)])
    growth = rng.choice([0, 5, 15, 25, 35, -10, 100])
    net = [base, base * (100 + growth) // 100, base * (100 + growth) ** 2 // 10_000]
    net = [rng.choice([v, -v, 0, v + 1]) for v in net]
    item: dict[str, Any] = {
        "id": rng.choice(["H%05d" % n, n + 1]),
        "application_date": "2026-06-01",
        "registration_date": rng.choice(["2025-06-01", "2025-06-02", "2025-05-31", "2024-02-29", "2026-06-01"]),
        "core_ip_owned": rng.random() > 0.1,
        "ip_class1": rng.choice([0, 0, 1]),
        "ip_class2": rng.choice([0, 1, 2, 3, 4, 5, 6]),
        "ip_self_developed": rng.random() > 0.3,
        "field_in_catalogue": rng.random() > 0.1,
        "employees": employees,
        "tech_staff": tech,
        "sales": [_money_forms(v, rng) for v in sales],
        "rd_expense": [_money_forms(v, rng) for v in rd],
        "rd_expense_in_china": [_money_forms(v, rng) for v in china],
        "high_tech_revenue": _money_forms(high, rng),
        "total_revenue": _money_forms(total, rng),
        "net_assets": [_money_forms(v, rng) for v in net],
        "conversions": rng.choice([0, 1, 2, 3, 4, 5, 6, 9, 10, 12, 14, 15, 16, 30]),
        "operating_years": years,
        "bad_record": rng.random() < 0.05,
    }
    if rng.random() < 0.15:
        item["expert_scores"] = {
            "ip_advanced": rng.randrange(0, 9),
            "ip_core_support": rng.randrange(0, 9),
            "ip_acquisition": rng.randrange(0, 7),
            "ip_standard": rng.randrange(0, 3),
            "conversion": rng.randrange(0, 31),
            "rd_management": rng.randrange(0, 21),
        }
    return item


def test_hnte_edge_records_match_reference():
    rng = random.Random(32)
    fast = 0
    for n in range(3000):
        item = hnte_record(rng, n)
        _check("hnte", item)
        fast += hnte.evaluate_json(item) is not None
    assert fast > 1200  # expert scores, unusual forms and contradictions take the full reader


@pytest.mark.parametrize("growth", [0, 1, 4, 5, 6, 14, 15, 16, 24, 25, 26, 34, 35, 36, -1])
def test_hnte_growth_band_edges(growth):
    rng = random.Random(growth)
    for base in (1, 20, 100, 12_345, 10**8):
        for years in (1, 2, 3):
            item = hnte_record(rng, base)
            item.pop("expert_scores", None)
            up = base * (100 + growth) // 100
            item["operating_years"] = years
            item["sales"] = [str(base), str(up), str(up * (100 + growth) // 100)]
            item["net_assets"] = [str(0), str(base), str(up)]
            item["rd_expense"] = item["rd_expense_in_china"] = ["0", "0", "0"]
            _check("hnte", item)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32), field=st.sampled_from(sorted(hnte.FIELDS)), bad=st.sampled_from(BAD_VALUES))
def test_hnte_bad_values_match_reference(seed, field, bad):
    item = hnte_record(random.Random(seed), seed % 1000)
    item[field] = bad
    _check("hnte", item)
    item.pop(field)
    _check("hnte", item)


@settings(max_examples=600, deadline=None)
@given(
    sales=st.lists(st.integers(-(10**6), 10**13), min_size=3, max_size=3),
    net=st.lists(st.integers(-(10**13), 10**13), min_size=3, max_size=3),
    years=st.integers(0, 6),
    seed=st.integers(0, 2**32),
)
def test_hnte_any_figures_match_reference(sales, net, years, seed):
    rng = random.Random(seed)
    item = hnte_record(rng, 0)
    item["sales"] = [_money_forms(v, rng) for v in sales]
    item["net_assets"] = [_money_forms(v, rng) for v in net]
    item["operating_years"] = years
    _check("hnte", item)
