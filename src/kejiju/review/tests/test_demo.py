"""The review demo's draw puts the ``expert_demo`` account on a panel, through an ordinary sealed draw."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from kejiju.core.demo import COUNTY_CODE, DemoContext
from kejiju.review import services
from kejiju.review.demo import _demo_nonce
from kejiju.review.models import Assignment
from kejiju.review.tests.factories import batch_data, make_expert

pytestmark = pytest.mark.django_db


def test_demo_nonce_draws_the_demo_expert(staff: Any, source: Any, make_user: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr("kejiju.reports.services.find_soffice", lambda: None)
    ctx = DemoContext(
        scale="county", seed=7, log=lambda s: None, batch_id=uuid.uuid4(), county_codes=[COUNTY_CODE], town_codes=[]
    )
    for n in range(1, 3):
        source.add(n)
    pool = [make_expert(staff) for _ in range(12)]
    demo_user = make_user("expert", COUNTY_CODE, username="expert_demo")
    own = services.expert_link_account(actor=staff, expert=pool[-1], user=demo_user)
    ctx.users["expert_demo"] = demo_user
    batch = services.batch_create(actor=staff, data=batch_data(source, reviewers_per_item=2, reserves_per_item=1))
    nonce = _demo_nonce(ctx, batch)
    assert nonce.startswith("demo-7")
    record = services.batch_draw(actor=staff, batch=batch, nonce=nonce, supervisor="李", witnesses="王")
    assert record.ok and record.nonce == nonce
    assert Assignment.objects.filter(batch=batch, expert=own, panel=True, status="invited").exists()


def test_demo_nonce_without_demo_expert_is_the_plain_one(staff: Any, source: Any) -> None:
    ctx = DemoContext(
        scale="county", seed=7, log=lambda s: None, batch_id=uuid.uuid4(), county_codes=[COUNTY_CODE], town_codes=[]
    )
    source.add(1)
    for _ in range(4):
        make_expert(staff)
    batch = services.batch_create(actor=staff, data=batch_data(source, reserves_per_item=0))
    assert _demo_nonce(ctx, batch) == "demo-7"
