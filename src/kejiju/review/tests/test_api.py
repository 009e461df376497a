from __future__ import annotations

from typing import Any

import pytest

from kejiju.review import services
from kejiju.review.models import Assignment, Expert
from kejiju.review.tests.factories import batch_data, id_number, make_expert

pytestmark = pytest.mark.django_db


def test_expert_api_create_and_bad_input(client: Any, staff: Any) -> None:
    client.force_login(staff)
    url = "/api/v1/review/experts/"
    bad = client.post(
        url, {"name": "张", "id_number": "1", "region": "341181", "subjects": ["520"]}, content_type="application/json"
    )
    assert bad.status_code == 400 and "id_number" in bad.json().get("errors", {})
    assert client.post(url, [1, 2], content_type="application/json").status_code == 400
    assert client.post(url, {"x": 1}, content_type="application/json").status_code == 400
    ok = client.post(
        url,
        {"name": "张三", "id_number": id_number(), "region": "341181", "subjects": ["520"], "bank_account_no": "12a"},
        content_type="application/json",
    )
    assert ok.status_code == 400
    ok = client.post(
        url,
        {"name": "张三", "id_number": id_number(), "region": "341181", "subjects": ["520"]},
        content_type="application/json",
    )
    assert ok.status_code == 201, ok.content
    pk = ok.json()["id"]
    assert client.patch("%s%s/" % (url, pk), {"title": "研究员"}, content_type="application/json").status_code == 200
    assert client.get("%s999999999999999999999/" % url).status_code == 404
    assert client.get("%sabc/" % url).status_code == 404


def test_expert_scores_through_the_api(client: Any, staff: Any, source: Any) -> None:
    source.add(1)
    experts = [make_expert(staff) for _ in range(5)]
    for e in experts:
        services.expert_account_create(actor=staff, expert=e)
    batch = services.batch_create(actor=staff, data=batch_data(source, reserves_per_item=1))
    services.batch_draw(actor=staff, batch=batch, nonce="7777", supervisor="李", witnesses="王")
    a = Assignment.objects.filter(batch=batch, panel=True).select_related("expert__user").first()
    reserve = Assignment.objects.filter(batch=batch, panel=False).select_related("expert__user").first()
    client.force_login(a.expert.user)
    # the accounts' first passwords were set by the bureau: nothing but the password page until changed
    assert client.get("/api/v1/review/my/assignments/").status_code == 403
    type(a.expert.user).objects.filter(pk__in=[e.user_id for e in Expert.objects.all()]).update(
        must_change_password=False
    )
    listed = client.get("/api/v1/review/my/assignments/").json()
    assert [r["id"] for r in listed["results"]] == [a.pk]
    base = "/api/v1/review/my/assignments/%s/" % a.pk
    assert client.post(base + "respond/", {"accept": True}, content_type="application/json").status_code == 400
    assert (
        client.post(
            base + "respond/", {"accept": True, "declare_no_conflict": True}, content_type="application/json"
        ).status_code
        == 200
    )
    crit = list(batch.criteria.all())
    body = {"scores": {str(c.pk): c.weight for c in crit}, "comment": "好", "recommendation": "support", "submit": True}
    bad = dict(body, scores={str(crit[0].pk): 1000})
    assert client.post(base + "score/", bad, content_type="application/json").status_code == 400
    assert client.post(base + "score/", {"scores": {"x": "NaN"}}, content_type="application/json").status_code == 400
    response = client.post(base + "score/", body, content_type="application/json")
    assert response.status_code == 200 and response.json()["total"] == "100.00"
    assert client.post(base + "score/", body, content_type="application/json").status_code == 400
    # another expert: 404; staff without take_review: 403
    client.force_login(reserve.expert.user)
    assert client.get(base).status_code == 404
    client.force_login(staff)
    assert client.get(base).status_code == 403
    batch_json = client.get("/api/v1/review/batches/%s/" % batch.pk).json()
    assert batch_json["items"][0]["score_mean"] == "100.00"
