"""The API never answers 500: garbage bodies and ids on every write endpoint answer 400/403/404 with a
Chinese reason and change nothing."""

from __future__ import annotations

import pytest

from kejiju.programs.models import Application, Payment
from kejiju.programs.tests import factories as f

pytestmark = pytest.mark.django_db

GARBAGE = [
    None,
    [],
    "x",
    12,
    {"requested_amount": 1e309},
    {"requested_amount": "1" * 40},
    {"requested_amount": "1.005"},
    {"title": "\x00"},
    {"fields": []},
    {"fields": {"summary": {"a": 1}}},
    {"members": {"a": 1}},
    {"members": [{"name": "张三", "id_number": "1" * 18}]},
    {"members": [None]},
    {"budget": [{"category": "nope", "amount": "1"}]},
    {"budget": [{"category": "equipment", "amount": "-1"}]},
    {"budget": "x"},
    {"call": 2**70, "organization": -1},
    {"call": "abc"},
    {"action": "\x00"},
    {"action": ["a"]},
    {"score": "NaN", "opinion": "x"},
    {"score": "1e999", "opinion": "x"},
    {"amount": "1e5", "paid_on": "2026-13-01"},
    {"amount": "0.001", "paid_on": "2026-10-01"},
    {"disbursement": 2**65},
]


def test_garbage_never_500(client, w):
    app = f.filled_application(w)
    project = f.signed_project(f.county_world())
    before = (Application.objects.count(), Payment.objects.count())
    targets = [
        (w.applicant, "post", "/api/v1/programs/my/applications/"),
        (w.applicant, "patch", "/api/v1/programs/my/applications/%s/" % app.pk),
        (w.applicant, "post", "/api/v1/programs/my/applications/%s/withdraw/" % app.pk),
        (w.city, "post", "/api/v1/programs/applications/%s/transition/" % app.pk),
        (w.city, "post", "/api/v1/programs/applications/%s/review/" % app.pk),
    ]
    from kejiju.core.testing.factories import role_user

    payer = role_user("bureau_staff", "341181")
    targets.append((payer, "post", "/api/v1/programs/projects/%s/payments/" % project.pk))
    for user, method, url in targets:
        client.force_login(user)
        for body in GARBAGE:
            response = getattr(client, method)(url, body, content_type="application/json")
            # a PATCH whose body has only unknown keys saves nothing and answers 200
            allowed = (200, 400, 403, 404) if method == "patch" else (400, 403, 404)
            assert response.status_code in allowed, (url, body, response.status_code, response.content[:300])
            if response.status_code == 400:
                assert response.json()["detail"]
        for raw in (b"{", b"\xff\xfe", b"[1,2"):
            response = getattr(client, method)(url, raw, content_type="application/json")
            assert response.status_code in (400, 404), (url, raw, response.status_code)
    for bad in ("0", "-1", "99999999999999999999", "abc", "1%00"):
        client.force_login(w.city)
        assert client.get("/api/v1/programs/applications/%s/" % bad).status_code == 404
        assert client.get("/api/v1/programs/projects/%s/payments/" % bad).status_code == 404
    assert (Application.objects.count(), Payment.objects.count()) == before
