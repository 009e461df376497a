"""The assessment demo contributor: last year published, this year issued with mid-year progress."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from kejiju.assessment.demo import assessment_demo
from kejiju.assessment.models import AssessmentScheme, MidyearProgress
from kejiju.assessment.selectors import midyear_progress
from kejiju.core.demo import COUNTY_CODE, DemoContext
from kejiju.core.testing.factories import region

pytestmark = pytest.mark.django_db


def test_assessment_demo_has_mid_year_progress(regions: Any, make_user: Any) -> None:
    towns = [f"{COUNTY_CODE}{n}" for n in (100, 101, 102, 103, 104)]
    for code in towns:
        region(code, f"示范镇{code[-3:]}")
    ctx = DemoContext(
        scale="county", seed=7, log=lambda s: None, batch_id=uuid.uuid4(), county_codes=[COUNTY_CODE], town_codes=towns
    )
    ctx.users["county_staff"] = staff = make_user("bureau_staff", COUNTY_CODE)
    ctx.users["county_leader"] = make_user("bureau_leader", COUNTY_CODE)
    assessment_demo(ctx)
    current = AssessmentScheme.objects.filter(status="issued").get()
    assert MidyearProgress.objects.filter(target__scheme=current).count() == len(towns) - 2
    assert not MidyearProgress.objects.exclude(target__scheme=current).exists()
    table = midyear_progress(user=staff, scheme=current)
    assert len(table.unreported) == 2 and table.lagging >= 1
    assert ctx.stats["年中进度"] == len(towns) - 2
    # a second run adds nothing
    counts = (AssessmentScheme.objects.count(), MidyearProgress.objects.count())
    assessment_demo(ctx)
    assert (AssessmentScheme.objects.count(), MidyearProgress.objects.count()) == counts
