"""Declared status graphs: allowed steps, reasons, and the transition row written with the change."""

from __future__ import annotations

from typing import Any

import pytest

from kejiju.core.errors import BusinessError
from kejiju.core.workflow import Action, Workflow, apply_transition, transition_fields

FLOW = Workflow(
    [
        Action("submit", "提交", ("draft", "returned"), "submitted"),
        Action("return", "退回修改", ("submitted",), "returned", reason_required=True, style="warning"),
        Action("pass", "通过", ("submitted",), "passed", style="success"),
    ],
    {"draft": "草稿", "submitted": "已提交", "returned": "已退回", "passed": "已通过"},
)


class Record:
    def __init__(self, status: str) -> None:
        self.status = status
        self.saved: list[list[str]] = []

    def save(self, update_fields: list[str]) -> None:
        self.saved.append(update_fields)


class Row:
    rows: list[dict[str, Any]] = []

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs

    def save(self) -> None:
        Row.rows.append(self.kwargs)


def test_available_drives_the_buttons() -> None:
    assert [a.name for a in FLOW.available("submitted")] == ["return", "pass"]
    assert [a.name for a in FLOW.available("passed")] == []
    assert FLOW.allowed("submit", "returned") and not FLOW.allowed("pass", "draft")


def test_apply_writes_the_row_and_status() -> None:
    Row.rows.clear()
    record = Record("submitted")
    apply_transition(
        obj=record,
        workflow=FLOW,
        action="return",
        actor=None,
        transition_model=Row,
        fk_name="record",
        reason=" 缺附件 ",
    )
    assert record.status == "returned"
    assert record.saved == [["status"]]
    assert Row.rows == [
        {
            "record": record,
            "from_status": "submitted",
            "to_status": "returned",
            "action": "return",
            "actor": None,
            "reason": "缺附件",
            "extra": {},
        }
    ]


def test_wrong_state_and_missing_reason_change_nothing() -> None:
    Row.rows.clear()
    record = Record("draft")
    with pytest.raises(BusinessError) as wrong:
        apply_transition(obj=record, workflow=FLOW, action="pass", actor=None, transition_model=Row, fk_name="r")
    assert wrong.value.code == "bad_transition" and "草稿" in wrong.value.message and "通过" in wrong.value.message
    record.status = "submitted"
    with pytest.raises(BusinessError) as reason:
        apply_transition(obj=record, workflow=FLOW, action="return", actor=None, transition_model=Row, fk_name="r")
    assert reason.value.field == "reason"
    with pytest.raises(BusinessError) as unknown:
        FLOW.check("approve", "submitted")
    assert unknown.value.code == "unknown_action"
    assert record.status == "submitted" and record.saved == [] and Row.rows == []


def test_transition_fields_cover_the_row() -> None:
    assert set(transition_fields("x.Y")) == {"from_status", "to_status", "action", "actor", "reason", "extra", "at"}
