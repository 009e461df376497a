"""Demo technology transfer: achievements with their related patents, demands, confirmed matches, a match
event with agreements, the contracts registered for them and co-operation agreements; idempotent."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.management import call_command

from kejiju.transfer.models import Achievement, Cooperation, Match, MatchEvent, TechContract, TechDemand

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def only_transfer_demo(monkeypatch):
    """Run the contributors the transfer demo builds on, and it (the others have their own tests)."""
    from kejiju.core import demo

    demo.discover_demos()
    kept = {k: v for k, v in demo._REGISTRY.items() if k in ("core", "orgs", "orgs_ip", "people", "transfer")}
    monkeypatch.setattr(demo, "_REGISTRY", kept)


def test_county_demo_transfer(capsys, only_transfer_demo):
    call_command("demo", "--scale", "county", "--seed", "7")
    achievements = list(Achievement.objects.prefetch_related("related_ip"))
    assert len(achievements) == 8
    for a in achievements:
        patents = list(a.related_ip.all())
        assert len(patents) == 1 and patents[0].organization_id == a.owner_id
        assert patents[0].status == "granted" and patents[0].granted_on > patents[0].applied_on
    assert TechDemand.objects.count() == 7
    assert Match.objects.filter(status__in=["confirmed", "agreed"]).count() == 5
    assert MatchEvent.objects.count() == 1 and Match.objects.filter(status="agreed").exists()
    assert TechContract.objects.filter(match__status="agreed").count() == TechContract.objects.count() >= 1
    assert Cooperation.objects.count() == 2
    IntellectualProperty = apps.get_model("orgs", "IntellectualProperty")
    patents = IntellectualProperty.objects.count()
    call_command("demo", "--scale", "county", "--seed", "7")
    assert Achievement.objects.count() == 8 and IntellectualProperty.objects.count() == patents
