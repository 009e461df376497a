"""The shared Excel writer: exact decimals (money, scores) are numbers a bureau can sum, shown with their own
decimals; what a double cannot hold exactly stays text; text that looks like a formula is neutralised."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from kejiju.core.excel import write_workbook


def _cells(data: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(data)).active
    return [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]


def _formats(data: bytes) -> list[str]:
    sheet = load_workbook(io.BytesIO(data)).active
    return [c.number_format for c in next(sheet.iter_rows(min_row=2))]


def test_money_and_scores_are_numbers_with_their_decimals() -> None:
    data = write_workbook(
        "发放表",
        ["专家", "金额（元）", "得分", "件数", "日期"],
        [
            ["赵立新", Decimal("1500.00"), Decimal("88.5"), 3, date(2026, 12, 1)],
            ["合计", Decimal("3000.00"), "", 6, ""],
        ],
    )
    rows = _cells(data)
    assert rows[0][:4] == ["赵立新", 1500, 88.5, 3] and rows[1][1] == 3000
    assert isinstance(rows[0][1], (int, float)) and rows[0][4] == "2026-12-01"
    assert _formats(data)[1:3] == ["#,##0.00", "#,##0.0"]


def test_what_a_double_cannot_hold_stays_text() -> None:
    long = Decimal("12345678901234567.89")
    rows = _cells(write_workbook("表", ["值"], [[long], [Decimal("NaN")], ["=1+1"]]))
    assert rows == [["12345678901234567.89"], ["NaN"], ["'=1+1"]]


@given(st.decimals(min_value=Decimal("-999999999999.99"), max_value=Decimal("999999999999.99"), places=2))
def test_every_money_amount_reads_back_exactly(amount: Decimal) -> None:
    (row,) = _cells(write_workbook("表", ["金额"], [[amount]]))
    assert Decimal(repr(float(row[0]))).quantize(Decimal("0.01")) == amount
