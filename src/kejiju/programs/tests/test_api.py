"""The API never answers 500: garbage bodies and ids on every write endpoint answer 400/403/404 with a
Chinese reason and change nothing."""

from __future__ import annotations

import pytest

from kejiju.programs import services
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
            assert response.status_code in (400, 403, 404), (url, body, response.status_code, response.content[:300])
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


@pytest.mark.parametrize(
    "body, field",
    [
        ({"titel": "改名"}, "titel"),
        ({"title": "改名", "approved_amount": "9999999.00"}, "approved_amount"),
        ({"members": [{"name": "王五", "id_number": f.id_number(5), "salary": "1"}]}, "salary"),
        ({"budget": [{"category": "equipment", "amount": "1.00", "vat": "1"}]}, "vat"),
    ],
)
def test_patch_with_unknown_field_is_400_naming_it_and_changes_nothing(client, w, body, field):
    from kejiju.core.models import OperationLog

    app = f.filled_application(w)
    app.refresh_from_db()
    before = (app.title, app.requested_amount, app.members.count(), app.budget_lines.count(), app.updated_at)
    logs = OperationLog.objects.count()
    client.force_login(w.applicant)
    response = client.patch("/api/v1/programs/my/applications/%s/" % app.pk, body, content_type="application/json")
    assert response.status_code == 400, response.content
    detail = response.json()["detail"]
    assert field in detail and "不支持此字段" in detail
    app.refresh_from_db()
    after = (app.title, app.requested_amount, app.members.count(), app.budget_lines.count(), app.updated_at)
    assert after == before
    assert OperationLog.objects.count() == logs


def test_unknown_fields_refused_on_every_write_endpoint(client, w):
    app = f.filled_application(w)
    client.force_login(w.applicant)
    created = client.post(
        "/api/v1/programs/my/applications/",
        {"call": w.call.pk, "organization": w.org.pk, "status": "approved"},
        content_type="application/json",
    )
    assert created.status_code == 400 and "status" in created.json()["detail"]
    services.application_submit(actor=w.applicant, application=app)
    client.force_login(w.county)
    url = "/api/v1/programs/applications/%s/transition/" % app.pk
    refused = client.post(url, {"action": "recommend", "urgent": True}, content_type="application/json")
    assert refused.status_code == 400 and "urgent" in refused.json()["detail"]
    app.refresh_from_db()
    assert app.status == "pending_recommendation"
    services.application_transition(actor=w.county, application=app, action="recommend")
    client.force_login(w.city)
    url = "/api/v1/programs/applications/%s/review/" % app.pk
    refused = client.post(url, {"score": "80", "opinion": "好", "weight": 2}, content_type="application/json")
    assert refused.status_code == 400 and "weight" in refused.json()["detail"]
    assert Application.objects.count() == 1


def test_member_id_numbers_are_masked_in_the_api(client, w):
    app = f.filled_application(w)
    whole = [m.person.id_number for m in app.members.select_related("person")]
    services.application_submit(actor=w.applicant, application=app)
    for user, url in (
        (w.applicant, "/api/v1/programs/my/applications/%s/" % app.pk),
        (w.county, "/api/v1/programs/applications/%s/" % app.pk),
    ):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        text = response.content.decode()
        for number in whole:
            assert number not in text
        shown = [m["id_number"] for m in response.json()["members"]]
        assert shown == [n[:4] + "*" * 10 + n[-4:] for n in whole]


def test_member_id_numbers_are_masked_on_the_staff_page(client, w):
    app = f.filled_application(w)
    services.application_submit(actor=w.applicant, application=app)
    client.force_login(w.county)
    page = client.get("/programs/applications/%s/" % app.pk).content.decode()
    for m in app.members.select_related("person"):
        assert m.person.id_number not in page
        assert m.person.masked_id_number in page


def test_member_id_numbers_are_masked_in_the_version_diff(client, w):
    from kejiju.programs import selectors

    app = f.filled_application(w)
    services.application_submit(actor=w.applicant, application=app)
    services.application_transition(actor=w.county, application=app, action="county_return", reason="补充成员。")
    new_member = f.id_number(7)
    members = [
        {"name": m.person.name, "id_number": m.person.id_number, "role": m.role, "is_leader": m.is_leader}
        for m in app.members.select_related("person")
    ] + [{"name": "王五", "id_number": new_member, "role": "测试"}]
    services.application_save(actor=w.applicant, application=app, data={"members": members})
    services.application_submit(actor=w.applicant, application=app)
    v1, v2 = app.versions.all()
    rows = [r for r in selectors.snapshot_diff(v1.snapshot, v2.snapshot) if r[0] == "成员"]
    assert rows and new_member not in rows[0][2] and selectors.mask_id_number(new_member) in rows[0][2]
    client.force_login(w.applicant)
    page = client.get("/programs/applications/%s/versions/" % app.pk).content.decode()
    assert "王五" in page and new_member not in page
