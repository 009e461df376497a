"""The demo's 世界知识产权日 promotion is held through the outreach module and linked from the IP record."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.management import call_command

from kejiju.orgs.models import IpCase

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ip_day_demos(monkeypatch):
    from kejiju.core import demo

    demo.discover_demos()
    kept = {
        k: v for k, v in demo._REGISTRY.items() if k in ("core", "orgs", "orgs_ip", "people", "outreach", "orgs_ip_day")
    }
    monkeypatch.setattr(demo, "_REGISTRY", kept)


def test_ip_day_links_the_outreach_activity(ip_day_demos):
    Activity = apps.get_model("outreach", "Activity")
    call_command("demo", "--scale", "county", "--seed", "7")
    case = IpCase.objects.get(kind="promotion", region__code="341181")
    kind, _, pk = case.activity_ref.partition(":")
    activity = Activity.objects.get(pk=int(pk))
    assert kind == "outreach.activity" and activity.status == "held" and activity.title == case.title
    assert activity.start_on == case.occurred_on and activity.attendance == case.participants
    activities = Activity.objects.count()
    call_command("demo", "--scale", "county", "--seed", "7")
    assert Activity.objects.count() == activities  # a second run adds nothing
