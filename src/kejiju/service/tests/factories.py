"""Factories of the service line (tests and benchmarks only)."""

from __future__ import annotations

import itertools
from typing import Any

from kejiju.core.choices import Role
from kejiju.core.testing.factories import region, role_user

_seq = itertools.count(1)
VILLAGE = "341181100201"
TOWN = "341181100"
OTHER_VILLAGE = "341182100201"


def staff(code: str = "341181", **kwargs: Any) -> Any:
    """A county bureau staff account (service line operator with every service permission)."""
    return role_user(Role.BUREAU_STAFF, code, **kwargs)


def person(name: str = "王专家", code: str = "341181", user: Any = None) -> Any:
    from django.apps import apps

    Person = apps.get_model("people", "Person")
    n = next(_seq)
    p = Person(name=name, id_type="other", id_number="TEST%06d" % n, region=region(code), phone="1390000%04d" % n)
    if user is not None:
        p.user = user
    p.save()
    return p


def request_data(**over: Any) -> dict[str, Any]:
    region(over.get("region", VILLAGE))
    data = {
        "caller_phone": "13912345678",
        "caller_name": "张大爷",
        "region": VILLAGE,
        "subject": "crop",
        "category": "disease",
        "description": "水稻叶片出现褐色病斑，疑似稻瘟病。",
    }
    data.update(over)
    return data


def make_request(code: str = VILLAGE, actor: Any = None, **over: Any) -> Any:
    from kejiju.service import services

    region(code)
    actor = actor or staff(code[:6])
    return services.request_create(actor=actor, data=request_data(region=code, **over))
