"""Test helpers of the people app: valid ID numbers, persons, categories and selection rounds."""

from __future__ import annotations

from datetime import date
from itertools import count
from typing import Any

from kejiju.engines.idcodes import make_id_number
from kejiju.people.models import Person, SelectionRound, TalentCategory
from kejiju.people.services import person_create, round_create

_seq = count(1)


def id_number(birth: date = date(1985, 6, 15), sequence: int | None = None, region6: str = "341181") -> str:
    """A valid resident ID number (a new sequence each call unless given)."""
    return make_id_number(region6, birth, next(_seq) % 1000 if sequence is None else sequence)


def person_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "张明",
        "id_type": "resident",
        "id_number": id_number(),
        "region": "341181",
        "phone": "13805501234",
        "title": "高级农艺师",
        "title_level": "vice_senior",
        "education": "bachelor",
        "subjects": ["210", "230"],
    }
    data.update(overrides)
    return data


def make_person(actor: Any, **overrides: Any) -> Person:
    return person_create(actor=actor, data=person_data(**overrides))


def category(code: str = "top") -> TalentCategory:
    """A default category (seeded by migration 0003; created here when tests run without migrations)."""
    from kejiju.people.choices import DEFAULT_CATEGORIES

    for order, (c, name, description) in enumerate(DEFAULT_CATEGORIES, start=1):
        TalentCategory.objects.get_or_create(
            code=c, defaults={"name": name, "description": description, "order": order * 10}
        )
    return TalentCategory.objects.get(code=code)


def make_round(actor: Any, **overrides: Any) -> SelectionRound:
    category()
    data: dict[str, Any] = {
        "title": "2026 年度拔尖人才评选",
        "category": "top",
        "year": "2026",
        "quota": "3",
        "region": "341181",
    }
    data.update(overrides)
    return round_create(actor=actor, data=data)
