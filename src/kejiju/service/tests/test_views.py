from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from kejiju.core.testing.matrix import Endpoint, matrix_cases, run_matrix_case
from kejiju.service import services
from kejiju.service.models import ServiceRequest
from kejiju.service.tests.factories import make_request, request_data, staff
from kejiju.service.tests.test_services import PNG

pytestmark = pytest.mark.django_db


def _req(code: str):
    return make_request(code=code + "100201")


def _article(code: str):
    return services.article_save(
        actor=staff(code),
        data={
            "title": "内部文章%s" % code,
            "body": "稻瘟病",
            "subject": "crop",
            "visibility": "internal",
            "region": code,
        },
    )


ENDPOINTS = [
    Endpoint(
        "request list",
        "service.view_servicerequest",
        _req,
        lambda o: reverse("service:request_list"),
        detail=False,
        marker=lambda o: o.number,
    ),
    Endpoint(
        "request detail", "service.view_servicerequest", _req, lambda o: reverse("service:request_detail", args=[o.pk])
    ),
    Endpoint(
        "visit page",
        ("service.view_servicerequest", "service.change_servicerequest"),
        _req,
        lambda o: reverse("service:visit_create", args=[o.pk]),
    ),
    Endpoint(
        "article detail",
        "service.view_knowledgearticle",
        _article,
        lambda o: reverse("service:article_detail", args=[o.pk]),
    ),
    Endpoint("stats", "service.view_service_stats", _req, lambda o: reverse("service:stats"), detail=False),
    Endpoint(
        "api requests",
        "service.view_servicerequest",
        _req,
        lambda o: "/api/v1/service/requests/",
        kind="api",
        detail=False,
        marker=lambda o: o.number,
    ),
    Endpoint(
        "api request", "service.view_servicerequest", _req, lambda o: "/api/v1/service/requests/%s/" % o.pk, kind="api"
    ),
]


@pytest.mark.parametrize("case", matrix_cases(ENDPOINTS), ids=str)
def test_permission_matrix(case, client):
    run_matrix_case(case, client)


def test_operator_intake_and_history(client):
    actor = staff()
    client.force_login(actor)
    make_request(actor=actor)
    r = client.get(reverse("service:caller_history"), {"caller_phone": "13912345678"})
    assert "FW" in r.content.decode()
    r = client.post(reverse("service:request_create"), request_data(caller_phone="123"))
    assert r.status_code == 400 and "不是有效的手机号" in r.content.decode()
    assert ServiceRequest.objects.count() == 1
    r = client.post(
        reverse("service:request_create"), {**request_data(), "photos": [_upload("x.jpg", b"MZ\x90\x00binary")]}
    )
    assert r.status_code == 400 and "不是图片" in r.content.decode()
    r = client.post(reverse("service:request_create"), {**request_data(), "photos": [_upload("leaf.png", PNG)]})
    assert r.status_code == 302
    assert ServiceRequest.objects.count() == 2


def _upload(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_visit_and_callback_pages_bad_input(client):
    actor = staff()
    client.force_login(actor)
    req = make_request(actor=actor)
    from kejiju.service.tests.factories import person

    services.request_dispatch(actor=actor, request=req, person=person().pk, town=req.town_id)
    client.post(reverse("service:request_action", args=[req.pk, "accept"]))
    r = client.post(
        reverse("service:visit_create", args=[req.pk]),
        {"visited_on": "2000-01-01", "people": "a", "diagnosis": "b", "measures": "c"},
    )
    assert r.status_code == 400 and "早于受理日期" in r.content.decode()
    day = timezone.localdate().isoformat()
    r = client.post(
        reverse("service:visit_create", args=[req.pk]),
        {"visited_on": day, "people": "a", "diagnosis": "b", "measures": "c"},
    )
    assert r.status_code == 302
    r = client.post(reverse("service:callback_create", args=[req.pk]), {"resolved": "1", "satisfaction": "7"})
    assert r.status_code == 400 and "1 到 5" in r.content.decode()
    r = client.post(
        reverse("service:callback_create", args=[req.pk]),
        {"resolved": "1", "satisfaction": "5", "loss_method": "direct", "loss_amount": "-5"},
    )
    assert r.status_code == 400 and "须大于 0" in r.content.decode()
    r = client.post(
        reverse("service:callback_create", args=[req.pk]),
        {"resolved": "1", "satisfaction": "5", "loss_method": "head", "head_count": "10", "price": "800"},
    )
    assert r.status_code == 302
    page = client.get(reverse("service:request_detail", args=[req.pk])).content.decode()
    assert "10 头（只）× 800 元 = 8000.00 元" in page


def test_public_pages(client):
    actor = staff()
    services.article_save(
        actor=actor, data={"title": "稻瘟病防治", "body": "三环唑", "subject": "crop", "region": "341181"}
    )
    r = client.get(reverse("service:public_kb"), {"q": "稻瘟"})
    assert r.status_code == 200 and "<mark>稻瘟</mark>" in r.content.decode()
    assert "找到 1 篇" in r.content.decode()
    for i in range(5):
        r = client.post(reverse("service:public_request"), request_data(caller_phone="1391234567%d" % i))
        assert r.status_code == 200, r.content.decode()[:500]
    r = client.post(reverse("service:public_request"), request_data())
    assert r.status_code == 429
    assert ServiceRequest.objects.filter(channel="web").count() == 5


def _count(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_constant(client):
    actor = staff()
    client.force_login(actor)
    make_request(actor=actor)
    before = {u: _count(client, u) for u in (reverse("service:stats"), reverse("service:request_list"))}
    from kejiju.service.tests.factories import person

    for i in range(6):
        req = make_request(actor=actor, code="34118110%d201" % (i % 3), caller_phone="1390000000%d" % i)
        services.request_dispatch(actor=actor, request=req, person=person().pk, town=req.town_id)
    after = {u: _count(client, u) for u in before}
    assert before == after
    assert max(after.values()) <= 20


def test_public_request_with_photos(client):
    """The public form takes up to three images; a non-image or a fourth photo stores nothing."""
    from django.core.cache import cache

    from kejiju.core.models import Attachment

    cache.clear()  # the hourly limit per address counts across tests
    r = client.post(
        reverse("service:public_request"),
        {**request_data(caller_phone="13912345670"), "photos": [_upload("x.png", b"%PDF-1.4 not an image")]},
    )
    assert r.status_code == 400 and "不是图片" in r.content.decode()
    r = client.post(
        reverse("service:public_request"),
        {**request_data(caller_phone="13912345671"), "photos": [_upload("p%d.png" % i, PNG) for i in range(4)]},
    )
    assert r.status_code == 400 and "最多上传 3 张" in r.content.decode()
    assert not ServiceRequest.objects.exists() and not Attachment.objects.exists()
    r = client.post(
        reverse("service:public_request"),
        {**request_data(caller_phone="13912345672"), "photos": [_upload("稻叶.png", PNG)]},
    )
    assert r.status_code == 200 and 'data-testid="public-done"' in r.content.decode()
    req = ServiceRequest.objects.get()
    assert req.channel == "web" and req.taker is None
    photo = Attachment.objects.get()
    assert photo.original_name == "稻叶.png" and photo.owner_id == str(req.pk) and photo.purpose == "求助照片"
