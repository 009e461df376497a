"""Stored matcher tokens of persons written by the demo loader (bulk insert and history rows)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from kejiju.people import services as people
from kejiju.people.models import Person

pytestmark = pytest.mark.django_db


def test_people_demo_stores_tokens(regions: Any, make_user: Any) -> None:
    from kejiju.core.demo import COUNTY_CODE, DemoContext
    from kejiju.people.demo import people_demo
    from kejiju.people.tests.factories import category

    category()
    ctx = DemoContext(scale="county", seed=7, log=lambda s: None, batch_id=uuid.uuid4(), county_codes=[COUNTY_CODE])
    ctx.users["county_staff"] = make_user("bureau_staff", COUNTY_CODE)
    people_demo(ctx)
    persons = list(Person.objects.all())
    assert len(persons) >= 300
    assert all(p.match_tokens == people.match_tokens(p) for p in persons)
    assert sum(1 for p in persons if p.match_tokens) >= 290
    history = Person.history.filter(history_type="+").values_list("id", "match_tokens")
    assert dict(history) == {p.pk: p.match_tokens for p in persons}
