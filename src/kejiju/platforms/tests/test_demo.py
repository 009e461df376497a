"""The platforms demo contributor: platforms with reports and evaluations, idempotent."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from kejiju.core.demo import DemoContext
from kejiju.cultivation.services import subsidy_policy_ensure
from kejiju.platforms.choices import DEFAULT_KINDS
from kejiju.platforms.demo import platforms_demo
from kejiju.platforms.models import IndicatorTemplate, Platform, PlatformKind
from kejiju.platforms.tests.factories import enterprise

pytestmark = pytest.mark.django_db


def test_platforms_demo(regions, make_user):
    for order, (code, name) in enumerate(DEFAULT_KINDS):
        PlatformKind.objects.get_or_create(code=code, defaults={"name": name, "order": order})
    IndicatorTemplate.objects.get_or_create(
        name="通用",
        defaults={"items": [{"key": "a", "name": "服务", "weight": 50}, {"key": "b", "name": "成效", "weight": 50}]},
    )
    subsidy_policy_ensure(
        actor=None,
        code="platform_recognition",
        name="创新平台认定奖励",
        kind="by_level",
        params={"table": {"national": "1000000", "provincial": "300000", "city": "100000", "county": "50000"}},
        effective_from=date(2020, 1, 1),
    )
    for _ in range(8):
        enterprise("341181")
    ctx = DemoContext(scale="county", seed=7, log=lambda s: None, batch_id=uuid.uuid4(), county_codes=["341181"])
    ctx.users["county_staff"] = make_user("bureau_staff", "341181")
    platforms_demo(ctx)
    assert Platform.objects.count() == 6
    assert all(p.reports.exists() or p.recognised_on.year >= date.today().year - 1 for p in Platform.objects.all())
    platforms_demo(ctx)
    assert Platform.objects.count() == 6
