"""The awards demo contributor: last year's cycle went through the award committee's meeting vote
before its decision (one vote short of two-thirds: not awarded)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from kejiju.awards.demo import awards_demo
from kejiju.awards.models import Nomination, NominationVote, VoteMeeting
from kejiju.core.demo import COUNTY_CODE, DemoContext
from kejiju.orgs.services import organization_create
from kejiju.orgs.testing import organization_data

pytestmark = pytest.mark.django_db


def test_awards_demo_has_the_committee_vote(regions: Any, make_user: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr("kejiju.reports.services.find_soffice", lambda: None)
    ctx = DemoContext(
        scale="county", seed=7, log=lambda s: None, batch_id=uuid.uuid4(), county_codes=[COUNTY_CODE], town_codes=[]
    )
    ctx.users["county_staff"] = staff = make_user("bureau_staff", COUNTY_CODE)
    for n in range(1, 4):
        organization_create(actor=staff, data=organization_data(n))
    awards_demo(ctx)
    meeting = VoteMeeting.objects.get()
    assert (meeting.members_total, meeting.members_present, meeting.cycle.status) == (11, 9, "closed")
    votes = NominationVote.objects.filter(is_current=True).order_by("nomination__review_rank")
    assert [v.passed for v in votes] == [True, True, True, True, False]
    granted = Nomination.objects.filter(cycle=meeting.cycle).order_by("review_rank")
    assert [n.grade for n in granted] == ["一等奖", "二等奖", "二等奖", "三等奖", ""]
    assert [n.status for n in granted][-1] == "not_awarded"
    # a second run adds nothing
    counts = (Nomination.objects.count(), NominationVote.objects.count(), VoteMeeting.objects.count())
    awards_demo(ctx)
    assert (Nomination.objects.count(), NominationVote.objects.count(), VoteMeeting.objects.count()) == counts
