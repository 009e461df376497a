"""The service demo contributor: experts, rota, articles and a year of consistent requests."""

from __future__ import annotations

import uuid

import pytest

from kejiju.core.demo import DemoContext
from kejiju.core.testing.factories import region
from kejiju.service import demo, selectors
from kejiju.service.models import Callback, DutySlot, KnowledgeArticle, ServiceRequest
from kejiju.service.tests.factories import staff

pytestmark = pytest.mark.django_db


def test_demo_contributor(monkeypatch):
    towns = ["341181100", "341181101"]
    villages = [t + "201" for t in towns] + [t + "202" for t in towns]
    for code in villages:
        region(code)
    user = staff()
    ctx = DemoContext(
        scale="county",
        seed=7,
        log=lambda s: None,
        batch_id=uuid.uuid4(),
        county_codes=["341181"],
        town_codes=towns,
        village_codes=villages,
        users={"county_staff": user},
    )
    monkeypatch.setitem(demo.REQUESTS, "county", 300)
    demo.service_demo(ctx)
    assert ServiceRequest.objects.count() == 300
    assert KnowledgeArticle.objects.count() == len(demo.TOPICS)
    assert DutySlot.objects.exists()
    closed = ServiceRequest.objects.filter(status="closed")
    assert closed.exists() and not closed.filter(closed_at__isnull=True).exists()
    assert not ServiceRequest.objects.filter(visited_at__lt=models_f("received_at")).exists()
    assert (
        Callback.objects.filter(loss_status="checked").count()
        == ServiceRequest.objects.filter(loss_avoided__isnull=False).count()
    )
    assert ServiceRequest.history.count() == 300
    assert selectors.kb_search(user=None, query="稻瘟", public=True).hits
    # a second run adds nothing
    counts = (ServiceRequest.objects.count(), KnowledgeArticle.objects.count(), DutySlot.objects.count())
    demo.service_demo(ctx)
    assert (ServiceRequest.objects.count(), KnowledgeArticle.objects.count(), DutySlot.objects.count()) == counts
    # a new request after the bulk load gets the next number
    from kejiju.service.tests.factories import make_request

    last = ServiceRequest.objects.order_by("-pk").values_list("pk", flat=True).first()
    new = make_request(actor=user)
    # the sequence may sit above the bulk load (an earlier flush keeps SQLite's counter)
    assert new.pk > last and new.number.endswith("%06d" % new.pk)


def models_f(name):
    from django.db.models import F

    return F(name)
