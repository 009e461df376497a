"""Demo commissioners and activities: consistent with the rules, deterministic, idempotent."""

from __future__ import annotations

import pytest

from kejiju.core.audit import new_batch_id
from kejiju.core.demo import SCALE_SCOPE, DemoContext, core_demo
from kejiju.outreach.demo import outreach_demo
from kejiju.outreach.models import Activity, Assessment, Commissioner, ServiceDiary

pytestmark = pytest.mark.django_db


def test_county_demo():
    ctx = DemoContext(
        scale="county", seed=7, log=lambda s: None, batch_id=new_batch_id(), scope_code=SCALE_SCOPE["county"]
    )
    core_demo(ctx)
    outreach_demo(ctx)
    commissioners = Commissioner.objects.filter(region_id="341181")
    assert 6 <= commissioners.count() <= 11
    mine = commissioners.get(user__username="commissioner_demo")
    assert mine.person.name == "郑红梅" and mine.diaries.exists()
    assert ServiceDiary.objects.count() >= 6 * commissioners.count()
    assert Assessment.objects.count() == commissioners.count()
    held = Activity.objects.filter(status="held")
    assert held.exists() and all(a.attendance and a.attendance > 0 for a in held)
    assert all(a.end_on >= a.start_on for a in held)
    counts = (Commissioner.objects.count(), ServiceDiary.objects.count(), Activity.objects.count())
    outreach_demo(ctx)  # a county that has commissioners is left alone
    assert (Commissioner.objects.count(), ServiceDiary.objects.count(), Activity.objects.count()) == counts
