"""Demo talent pool: valid ID numbers and phones, categories, honours, a round in publicity; idempotent;
some talents are also experts, commissioners and attendees of training (one person, many roles)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from kejiju.engines.contact import is_phone
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
    assert all(is_phone(p) for p in persons.values_list("phone", flat=True))
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


@pytest.fixture
def roles_demo(monkeypatch):
    """The talent pool and the two demos that reuse its persons: commissioners and activities, experts."""
    from kejiju.core import demo

    demo.discover_demos()
    wanted = ("core", "orgs", "people", "outreach", "review")
    kept = {k: v for k, v in demo._REGISTRY.items() if k in wanted}
    monkeypatch.setattr(demo, "_REGISTRY", kept)


def test_demo_persons_carry_several_roles(capsys, roles_demo):
    """One person, one record, many roles: some talents of the pool are also experts and commissioners
    (found by their ID number, never registered twice) and attended training classes."""
    from django.apps import apps

    from kejiju.core.models import User
    from kejiju.people.registry import person_roles
    from kejiju.people.selectors import demo_talents, person_activities

    Expert = apps.get_model("review", "Expert")
    Commissioner = apps.get_model("outreach", "Commissioner")
    Attendee = apps.get_model("outreach", "ActivityAttendee")
    call_command("demo", "--scale", "county", "--seed", "7")
    persons = Person.objects.count()
    talents = demo_talents("341181", 6)
    assert len(talents) == 6
    ids = [p.pk for p in talents]
    experts = set(Expert.objects.filter(person__in=ids).values_list("person_id", flat=True))
    commissioners = set(Commissioner.objects.filter(person__in=ids).values_list("person_id", flat=True))
    attended = set(Attendee.objects.filter(person__in=ids, activity__status="held").values_list("person_id", flat=True))
    assert len(experts) == 4 and len(commissioners) == 2 and attended == set(ids)
    many = experts & commissioners & attended
    assert many, "no talent is expert, commissioner and attendee at once"
    person = Person.objects.get(pk=min(many))
    assert TalentMembership.objects.filter(person=person, is_archived=False).exists()
    assert Person.objects.filter(id_number=person.id_number).count() == 1
    staff = User.objects.get(username="county_staff")
    labels = " ".join(r.label for r in person_roles(staff, person))
    assert "专家" in labels and "年选派" in labels and "年入选" in labels, labels
    assert person_activities(person=person)
    # a second run leaves everything alone
    call_command("demo", "--scale", "county", "--seed", "7")
    assert Person.objects.count() == persons
    assert Expert.objects.filter(person__in=ids).count() == 4
    assert Commissioner.objects.filter(person__in=ids).count() == 2
