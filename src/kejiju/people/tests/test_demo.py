"""Demo talent pool: valid ID numbers, categories, honours, a round in publicity; idempotent."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from kejiju.engines.idcodes import check_id_number
from kejiju.people.models import Honour, Person, SelectionRound, TalentMembership

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def only_people_demo(monkeypatch):
    """Run the core, organizations and people contributors only (the others have their own tests)."""
    from kejiju.core import demo

    demo.discover_demos()
    kept = {k: v for k, v in demo._REGISTRY.items() if k in ("core", "orgs", "people")}
    monkeypatch.setattr(demo, "_REGISTRY", kept)


def test_county_demo_people(capsys, only_people_demo):
    call_command("demo", "--scale", "county", "--seed", "7")
    persons = Person.objects.filter(region__code__startswith="341181")
    assert persons.count() == 300
    assert all(check_id_number(n).ok for n in persons.values_list("id_number", flat=True))
    assert Person.history.filter(history_type="+").count() >= 300
    codes = set(TalentMembership.objects.values_list("category__code", flat=True))
    assert {"top", "rural", "young"} <= codes
    assert Honour.objects.exists()
    rounds = dict(SelectionRound.objects.values_list("status", "title"))
    assert "publicity" in rounds and "granted" in rounds
    granted = SelectionRound.objects.get(status="granted")
    assert TalentMembership.objects.filter(selection_round=granted).count() == 5
    call_command("demo", "--scale", "county", "--seed", "7")
    assert Person.objects.count() == 300 and SelectionRound.objects.count() == 2
