"""The same figures on SQLite and PostgreSQL: one fixed data set with period boundaries (1 January,
30 June / 1 July, 31 December), region prefixes and exact decimals, and its expected figures. The suite runs
this on SQLite by default and on PostgreSQL with ``DATABASE_URL``; the last test runs only there."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from kejiju.stats.figures import compute_figure, compute_figures
from kejiju.stats.periods import parse_period
from kejiju.stats.tests import factories as f

EXPECTED = {
    ("testorgs.hnte_new", "341181", "2026"): (Decimal(4), 4),
    ("testorgs.hnte_new", "341181", "2026H1"): (Decimal(2), 2),
    ("testorgs.hnte_new", "341181", "2026H2"): (Decimal(2), 2),
    ("testorgs.hnte_new", "341181100", "2026"): (Decimal(1), 1),
    ("testorgs.hnte_new", "3411", "2026"): (Decimal(5), 5),
    ("testorgs.hnte_new", "34", "2025"): (Decimal(1), 1),
    ("testorgs.tech_sme_new", "3411", "2026Q1"): (Decimal(1), 1),
    ("entered.rd_share", "341181", "2026"): (Decimal("2.35"), 1),
    ("entered.rd_share", "341182", "2026"): (None, None),
}


def _data(staff: Any) -> None:
    f.qualification("341181", "hnte", date(2026, 1, 1))
    f.qualification("341181", "hnte", date(2026, 6, 30))
    f.qualification("341181", "hnte", date(2026, 7, 1))
    f.qualification("341181100", "hnte", date(2026, 11, 30))
    f.qualification("341182", "hnte", date(2026, 3, 3))
    f.qualification("341181", "hnte", date(2025, 12, 31))
    f.qualification("341182", "tech_sme", date(2026, 3, 31))
    f.entered_indicator()
    f.entered_value(staff, "341181", "2.35")


def _figures() -> dict[tuple[str, str, str], tuple[Decimal | None, int | None]]:
    result = {}
    for code, region, period in EXPECTED:
        fig = compute_figure(code, region, parse_period(period))
        result[(code, region, period)] = (fig.value, fig.record_count)
    return result


def _figures_together() -> dict[tuple[str, str, str], tuple[Decimal | None, int | None]]:
    """The same figures through the grouped path (one conditional-aggregation query per table)."""
    result = {}
    for code, region, period in EXPECTED:
        figs = compute_figures([c for c, _r, _p in EXPECTED], region, [parse_period(period)])
        fig = figs[(code, parse_period(period).key)]
        result[(code, region, period)] = (fig.value, fig.record_count)
    return result


def test_same_figures_on_this_backend(regions: Any, staff: Any, test_indicators: list[str]) -> None:
    _data(staff)
    assert _figures() == EXPECTED
    assert _figures_together() == EXPECTED


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL: set DATABASE_URL to run"
)
def test_same_figures_on_postgresql(regions: Any, staff: Any, test_indicators: list[str]) -> None:
    assert connection.vendor == "postgresql"
    _data(staff)
    assert _figures() == EXPECTED
    assert _figures_together() == EXPECTED
