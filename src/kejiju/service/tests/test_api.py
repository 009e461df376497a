from __future__ import annotations

import pytest

from kejiju.service import services
from kejiju.service.models import ServiceRequest
from kejiju.service.tests.factories import make_request, request_data, staff

pytestmark = pytest.mark.django_db

BASE = "/api/v1/service/"


def test_create_list_detail_transition(client):
    actor = staff()
    client.force_login(actor)
    r = client.post(BASE + "requests/", request_data(), content_type="application/json")
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert r.json()["status"] == "received"
    r = client.get(BASE + "requests/", {"status": "open", "subject": "crop"})
    assert r.status_code == 200 and r.json()["results"][0]["id"] == pk
    r = client.post(BASE + "requests/%s/transitions/" % pk, {"action": "close"}, content_type="application/json")
    assert r.status_code == 400 and "不能执行" in r.json()["detail"]
    r = client.post(BASE + "requests/%s/transitions/" % pk, {"action": "wait"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "waiting"


@pytest.mark.parametrize(
    "body",
    [
        {"caller_phone": "abc"},
        {"region": "341182100201"},
        {"region": "34118110020"},
        {"subject": "x" * 30},
        {"unknown": 1},
        {"description": ""},
    ],
)
def test_create_bad_input_400_nothing_stored(client, body):
    actor = staff()
    client.force_login(actor)
    from kejiju.core.testing.factories import region

    region("341182100201")
    r = client.post(BASE + "requests/", {**request_data(), **body}, content_type="application/json")
    assert r.status_code == 400, r.content
    assert ServiceRequest.objects.count() == 0


@pytest.mark.parametrize("path", ["requests/0/", "requests/99999999999999999999/", "requests/abc/", "requests/%00/"])
def test_bad_ids_404(client, path):
    client.force_login(staff())
    assert client.get(BASE + path).status_code == 404


@pytest.mark.parametrize("query", [{"status": "nope"}, {"start": "2026-13-01"}, {"town": "3" * 13}])
def test_bad_filters_400(client, query):
    client.force_login(staff())
    assert client.get(BASE + "requests/", query).status_code == 400


def test_kb_search_public_and_bad_input(client):
    actor = staff()
    services.article_save(
        actor=actor, data={"title": "稻瘟病防治", "body": "三环唑", "subject": "crop", "region": "341181"}
    )
    r = client.get(BASE + "kb/search/", {"q": "稻瘟"})
    assert r.status_code == 200 and r.json()["results"][0]["title"] == "稻瘟病防治"
    assert "<mark>" in r.json()["results"][0]["title_html"]
    assert client.get(BASE + "kb/search/", {"q": "\x00"}).status_code == 400
    assert client.get(BASE + "kb/search/", {"q": "稻", "limit": "0"}).status_code == 400
    assert client.get(BASE + "kb/search/", {"q": '"*) OR NEAR('}).status_code == 200


def test_transition_other_region_404(client):
    req = make_request()
    client.force_login(staff("341182"))
    r = client.post(BASE + "requests/%s/transitions/" % req.pk, {"action": "wait"}, content_type="application/json")
    assert r.status_code == 404
