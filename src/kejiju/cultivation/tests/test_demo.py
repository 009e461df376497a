"""The cultivation demo contributor: consistent records through the services, idempotent."""

from __future__ import annotations

import uuid

import pytest

from kejiju.core.demo import DemoContext
from kejiju.cultivation.demo import cultivation_demo
from kejiju.cultivation.models import PipelineEntry, RdReserveFiling, SubsidyAward, SubsidyPolicyVersion
from kejiju.cultivation.tests.factories import enterprise
from kejiju.orgs.selectors import organization_qualifications

pytestmark = pytest.mark.django_db


def test_demo_contributors(regions, make_user):
    orgs = [enterprise("341181") for _ in range(24)]
    ctx = DemoContext(scale="county", seed=7, log=lambda s: None, batch_id=uuid.uuid4(), county_codes=["341181"])
    ctx.users["county_staff"] = make_user("bureau_staff", "341181")
    cultivation_demo(ctx)
    entries = PipelineEntry.objects.all()
    assert entries.count() == 14
    assert SubsidyPolicyVersion.objects.filter(policy__code="hnte_new").count() == 2
    assert RdReserveFiling.objects.count() == 7
    for entry in entries.filter(stage="recognised"):
        assert [q.pk for q in organization_qualifications(organization=entry.organization)] == [entry.qualification_id]
    assert SubsidyAward.objects.exists()
    assert all(a.amount >= 0 for a in SubsidyAward.objects.all())
    counts = (entries.count(), SubsidyAward.objects.count())
    cultivation_demo(ctx)
    assert (PipelineEntry.objects.count(), SubsidyAward.objects.count()) == counts
    assert orgs
