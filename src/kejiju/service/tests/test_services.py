from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.models import Notification, OperationLog
from kejiju.core.testing.factories import region
from kejiju.service import selectors, services
from kejiju.service.models import Callback, EarlyWarning, ServiceRequest, Visit
from kejiju.service.tests.factories import OTHER_VILLAGE, TOWN, VILLAGE, make_request, person, request_data, staff

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _flow(actor, expert_user=None):
    req = make_request(actor=actor)
    p = person(user=expert_user)
    services.request_dispatch(actor=actor, request=req, person=p.pk, town=TOWN)
    services.request_accept(actor=expert_user or actor, request=req)
    return req, p


def test_create_sets_number_timers_and_log():
    actor = staff()
    req = make_request(actor=actor)
    assert req.number.startswith("FW") and req.town_id == TOWN and req.taker == actor
    assert req.response_due - req.received_at == timedelta(hours=4)
    assert req.transitions.count() == 1
    assert OperationLog.objects.filter(action="service.request_create").count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [("caller_phone", "1234"), ("caller_phone", "abc"), ("caller_name", ""), ("subject", "nope"), ("description", "")],
)
def test_create_rejects_bad_fields(field, value):
    actor = staff()
    with pytest.raises(RowErrors) as exc:
        services.request_create(actor=actor, data=request_data(**{field: value}))
    assert field in exc.value.errors
    assert ServiceRequest.objects.count() == 0


def test_village_outside_region_rejected():
    actor = staff()
    region(OTHER_VILLAGE)
    with pytest.raises(RowErrors) as exc:
        services.request_create(actor=actor, data=request_data(region=OTHER_VILLAGE))
    assert "不在您的管辖范围内" in exc.value.errors["region"][0]
    assert ServiceRequest.objects.count() == 0


def test_non_image_photo_rejected_nothing_stored():
    actor = staff()
    with pytest.raises(RowErrors) as exc:
        services.request_create(actor=actor, data=request_data(), photos=[("a.png", io.BytesIO(b"%PDF-1.4 hello"))])
    assert "不是图片" in exc.value.errors["photos"][0]
    assert ServiceRequest.objects.count() == 0


def test_image_photo_stored():
    from kejiju.core.models import Attachment

    actor = staff()
    req = services.request_create(actor=actor, data=request_data(), photos=[("leaf.png", io.BytesIO(PNG))])
    assert Attachment.objects.filter(owner_id=str(req.pk)).count() == 1


def test_public_request_without_account():
    region(VILLAGE)
    req = services.request_create(actor=None, data=request_data())
    assert req.channel == "web" and req.taker is None


def test_history_by_phone():
    actor = staff()
    a = make_request(actor=actor)
    b = make_request(actor=actor)
    rows = selectors.requests_by_phone(user=actor, phone="139-1234-5678", exclude=b.pk)
    assert [r.pk for r in rows] == [a.pk]


def test_dispatch_accept_visit_callback_close():
    actor = staff()
    expert = staff("341181", username="expert1")
    req, p = _flow(actor, expert)
    req.refresh_from_db()
    assert req.status == "accepted" and req.first_response_at is not None
    assert Notification.objects.filter(recipient=expert).exists()
    visit = services.visit_record(
        actor=expert,
        request=req,
        data={
            "visited_on": timezone.localdate().isoformat(),
            "people": "王专家",
            "diagnosis": "稻瘟病",
            "measures": "喷三环唑",
        },
    )
    assert isinstance(visit, Visit)
    cb = services.callback_record(
        actor=expert,
        request=req,
        data={
            "resolved": "1",
            "satisfaction": "5",
            "loss_method": "area",
            "area_mu": "20",
            "yield_saved_kg": "50",
            "price": "2.6",
        },
    )
    assert cb.loss_amount == Decimal("2600.00")
    assert "20 亩 × 50 公斤/亩 × 2.6 元/公斤" in cb.loss_formula
    req.refresh_from_db()
    assert req.loss_avoided is None  # not counted until checked
    services.loss_check(actor=actor, callback=cb, approve=True)
    req.refresh_from_db()
    assert req.loss_avoided == Decimal("2600.00")
    services.request_close(actor=actor, request=req)
    req.refresh_from_db()
    assert req.status == "closed"
    assert [t.action for t in req.transitions.all()] == ["create", "dispatch", "accept", "visit", "close"]


def test_visit_before_request_rejected():
    actor = staff()
    req, _ = _flow(actor)
    day = (timezone.localtime(req.received_at) - timedelta(days=1)).date().isoformat()
    with pytest.raises(RowErrors) as exc:
        services.visit_record(
            actor=actor, request=req, data={"visited_on": day, "people": "a", "diagnosis": "b", "measures": "c"}
        )
    assert "早于受理日期" in exc.value.errors["visited_on"][0]
    assert Visit.objects.count() == 0
    req.refresh_from_db()
    assert req.status == "accepted"


def _answered(actor):
    req = make_request(actor=actor)
    return services.request_answer(actor=actor, request=req, answer="喷施三环唑。")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"satisfaction": "7"}, "satisfaction"),
        ({"satisfaction": "0"}, "satisfaction"),
        ({"loss_method": "direct", "loss_amount": "-100"}, "loss_amount"),
        ({"loss_method": "direct", "loss_amount": "100.123"}, "loss_amount"),
        ({"loss_method": "area", "area_mu": "10"}, "yield_saved_kg"),
        ({"loss_amount": "500"}, "loss_method"),
        ({"loss_method": "head", "head_count": "2.5", "price": "100"}, "head_count"),
    ],
)
def test_callback_bad_input(data, field):
    actor = staff()
    req = _answered(actor)
    payload = {"resolved": "1", "satisfaction": "4", **data}
    with pytest.raises(RowErrors) as exc:
        services.callback_record(actor=actor, request=req, data=payload)
    assert field in exc.value.errors
    assert Callback.objects.count() == 0


def test_head_count_formula():
    method, amount, formula, _ = services.loss_estimate({"loss_method": "head", "head_count": "30", "price": "1200"})
    assert amount == Decimal("36000.00") and "30 头（只）× 1200 元" in formula


def test_wait_pauses_timers():
    actor = staff()
    req = make_request(actor=actor)
    due = req.response_due
    services.request_wait(actor=actor, request=req)
    ServiceRequest.objects.filter(pk=req.pk).update(paused_at=timezone.now() - timedelta(hours=2))
    services.request_resume(actor=actor, request=req)
    req.refresh_from_db()
    assert req.status == "received"
    assert req.response_due - due >= timedelta(hours=2) - timedelta(seconds=5)


def test_transfer_keeps_history_and_both_sides_see_it():
    actor = staff()
    req, _ = _flow(actor)
    other = staff("341182", username="mg")
    region("341182100")
    with pytest.raises(BusinessError):
        services.request_dispatch(actor=actor, request=req, person=person().pk, town="341182100")  # no reason
    services.request_dispatch(
        actor=actor, request=req, person=person(code="341182").pk, town="341182100", reason="跨县"
    )
    assert req.dispatches.count() == 2
    assert selectors.request_get(user=other, pk=req.pk).pk == req.pk
    assert selectors.request_get(user=actor, pk=req.pk).pk == req.pk


def test_wrong_transition_changes_nothing():
    actor = staff()
    req = make_request(actor=actor)
    with pytest.raises(BusinessError):
        services.request_close(actor=actor, request=req)
    req.refresh_from_db()
    assert req.status == "received" and req.transitions.count() == 1


def test_permission_required():
    actor = staff()
    req = make_request(actor=actor)
    other = staff("341182")
    with pytest.raises(BusinessError):
        services.request_answer(actor=other, request=req, answer="x")


def test_complaint_reopens_and_counts():
    actor = staff()
    req = _answered(actor)
    services.request_close(actor=actor, request=req)
    services.request_reopen(actor=actor, request=req, reason="农户投诉未解决", complaint=True)
    req.refresh_from_db()
    assert req.status == "received" and req.complaints == 1


def test_sweep_marks_overdue_and_notifies_once():
    actor = staff()
    req = make_request(actor=actor)
    later = timezone.now() + timedelta(hours=5)
    result = services.sweep(now=later)
    assert result["new"] == 1
    req.refresh_from_db()
    assert req.is_overdue
    again = services.sweep(now=later)
    assert again["new"] == 0
    assert Notification.objects.filter(recipient=actor, title__contains="超时").count() == 1


def test_early_warning(settings):
    settings.KEJIJU_SERVICE_WARNING = {"count": 3, "days": 7}
    actor = staff()
    make_request(actor=actor)
    make_request(actor=actor)
    assert EarlyWarning.objects.count() == 0
    make_request(actor=actor)
    w = EarlyWarning.objects.get()
    assert w.count == 3 and w.region_id == TOWN
    make_request(actor=actor)
    assert EarlyWarning.objects.get().count == 4


def test_suggest_by_town_then_load():
    actor = staff()
    req = make_request(actor=actor)
    near, far = person("近"), person("远")
    region("341181101")
    today = timezone.localdate()
    services.duty_save(
        actor=actor, data={"person": far.pk, "on_date": today, "region": "341181101", "subjects": ["crop"]}
    )
    services.duty_save(actor=actor, data={"person": near.pk, "on_date": today, "region": TOWN, "subjects": ["crop"]})
    got = selectors.suggest_assignees(request=req)
    assert [s.person.pk for s in got] == [near.pk, far.pk]
    # the near one now carries load: still first by distance
    services.request_dispatch(actor=actor, request=req, person=near.pk, town=TOWN)
    req2 = make_request(actor=actor)
    services.duty_save(actor=actor, data={"person": far.pk, "on_date": today, "region": TOWN, "subjects": ["crop"]})
    got = selectors.suggest_assignees(request=req2)
    assert got[0].person.pk == far.pk  # same town, less load


def test_article_from_closed_request_scrubs_personal_data():
    actor = staff()
    req = make_request(actor=actor, description="张大爷家 13912345678 的水稻得了稻瘟病")
    services.request_answer(actor=actor, request=req, answer="张大爷请喷三环唑")
    services.request_close(actor=actor, request=req)
    draft = services.article_draft(req)
    assert "张大爷" not in draft["body"] and "13912345678" not in draft["body"]
    art = services.article_from_request(actor=actor, request=req, data={**draft, "body": draft["body"] + " 张大爷"})
    assert "张大爷" not in art.body and art.source_request == req


def test_stats_aggregates():
    actor = staff()
    req = _answered(actor)
    cb = services.callback_record(
        actor=actor,
        request=req,
        data={"resolved": "1", "satisfaction": "4", "loss_method": "direct", "loss_amount": "15000"},
    )
    services.loss_check(actor=actor, callback=cb, approve=True)
    make_request(actor=actor)
    today = timezone.localdate()
    stats = selectors.service_stats(user=actor, start=today.replace(day=1), end=today)
    assert stats.totals["total"] == 2
    assert stats.totals["loss_wan"] == Decimal("1.50")
    assert stats.by_month[0]["total"] == 2
    assert stats.totals["satisfaction"] == Decimal("4.00")
