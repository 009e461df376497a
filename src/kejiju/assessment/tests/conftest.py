"""Fixtures of the assessment tests: a county bureau assessing its two towns."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from kejiju.core.testing.factories import region

TEMPLATE: dict[str, Any] = {
    "items": [
        {
            "code": "Q1",
            "name": "领导重视、机构健全",
            "kind": "qualitative",
            "weight": 40,
            "rubric": [
                {"label": "好", "low": 32, "high": 40},
                {"label": "较好", "low": 24, "high": 31.99},
                {"label": "一般", "low": 0, "high": 23.99},
            ],
        },
        {
            "code": "N1",
            "name": "培训农民",
            "kind": "quantitative",
            "weight": 60,
            "unit": "人次",
            "evidence_required": True,
        },
        {"code": "B1", "name": "获奖加分", "kind": "bonus", "max_points": 5},
        {"code": "D1", "name": "安全事故", "kind": "deduction", "per_unit": 5, "max_points": 10},
        {"code": "V1", "name": "科研失信", "kind": "veto"},
    ]
}


@pytest.fixture
def world(regions: Any, make_user: Any) -> dict[str, Any]:
    second_town = region("341181101", "新街镇")
    staff = make_user("bureau_staff", "341181")
    leader = make_user("bureau_leader", "341181")
    town = make_user("town_station", "341181100")
    town_assessor = make_user("town_station", "341181101")
    from kejiju.core.testing.factories import grant_perms

    grant_perms(town_assessor, "assessment.score_assessment")
    return {
        "staff": staff,
        "leader": leader,
        "town": town,
        "town_assessor": town_assessor,
        "second_town": second_town,
        "other_staff": make_user("bureau_staff", "341182"),
        "due": timezone.now() + timedelta(days=10),
    }
