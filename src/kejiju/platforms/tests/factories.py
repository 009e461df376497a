"""Builders for platforms tests."""

from __future__ import annotations

import itertools
from typing import Any

from kejiju.core.testing.factories import region
from kejiju.engines.idcodes import make_credit_code
from kejiju.orgs.services import organization_create

_seq = itertools.count(1)


def enterprise(region_code: str = "341181", name: str | None = None) -> Any:
    """A host organization in ``region_code`` (created by the system)."""
    region(region_code)
    n = next(_seq)
    return organization_create(
        actor=None,
        data={
            "name": name or "测试平台依托单位%03d" % n,
            "credit_code": make_credit_code("91%sMB%07d" % (region_code[:6], n)),
            "region": region_code,
            "org_type": "enterprise",
        },
    )
