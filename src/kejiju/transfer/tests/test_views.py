"""Transfer pages and API: the four-actor matrix, forms with bad input, the public listing, exports."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.urls import reverse

from kejiju.core.testing.matrix import Endpoint, matrix_cases, run_matrix_case
from kejiju.transfer import services
from kejiju.transfer.models import TechContract, TechDemand
from kejiju.transfer.tests.factories import achievement, demand, maker, org

pytestmark = pytest.mark.django_db


def _demand(code: str):
    actor = maker(code)
    return demand(actor, org(actor, "矩阵企业" + code, code=code), title="矩阵需求" + code)


def _achievement(code: str):
    actor = maker(code)
    return achievement(actor, org(actor, "矩阵院校" + code, code=code, org_type="university"), title="矩阵成果" + code)


def _contract(code: str):
    return services.contract_register(
        actor=maker(code),
        region=code,
        data={
            "contract_type": "service",
            "title": "矩阵合同" + code,
            "registration_no": "MX" + code,
            "registered_on": date.today(),
            "seller_name": "甲",
            "buyer_name": "乙",
            "amount": "1.00",
        },
    )


def _match(code: str):
    actor = maker(code)
    d = demand(actor, org(actor, code=code), title="矩阵对接" + code)
    a = achievement(actor, org(actor, code=code, org_type="university"))
    return services.match_propose(actor=actor, demand=d, achievement=a)


ENDPOINTS = [
    Endpoint(
        "demand list",
        "transfer.view_techdemand",
        _demand,
        lambda o: reverse("transfer:demand_list"),
        detail=False,
        marker=lambda o: o.title,
    ),
    Endpoint(
        "demand detail", "transfer.view_techdemand", _demand, lambda o: reverse("transfer:demand_detail", args=[o.pk])
    ),
    Endpoint(
        "achievement list",
        "transfer.view_achievement",
        _achievement,
        lambda o: reverse("transfer:achievement_list"),
        detail=False,
        marker=lambda o: o.title,
    ),
    Endpoint(
        "achievement detail",
        "transfer.view_achievement",
        _achievement,
        lambda o: reverse("transfer:achievement_detail", args=[o.pk]),
    ),
    Endpoint(
        "match list",
        "transfer.view_match",
        _match,
        lambda o: reverse("transfer:match_list"),
        detail=False,
        marker=lambda o: o.demand.title,
    ),
    Endpoint(
        "contract list",
        "transfer.view_techcontract",
        _contract,
        lambda o: reverse("transfer:contract_list"),
        detail=False,
        marker=lambda o: o.title,
    ),
    Endpoint(
        "demand api list",
        "transfer.view_techdemand",
        _demand,
        lambda o: "/api/v1/transfer/demands/",
        kind="api",
        detail=False,
        marker=lambda o: o.title,
    ),
    Endpoint(
        "demand api detail",
        "transfer.view_techdemand",
        _demand,
        lambda o: f"/api/v1/transfer/demands/{o.pk}/",
        kind="api",
    ),
    Endpoint(
        "suggestions api",
        "transfer.view_techdemand",
        _demand,
        lambda o: f"/api/v1/transfer/demands/{o.pk}/suggestions/",
        kind="api",
    ),
    Endpoint(
        "achievement api detail",
        "transfer.view_achievement",
        _achievement,
        lambda o: f"/api/v1/transfer/achievements/{o.pk}/",
        kind="api",
    ),
    Endpoint(
        "contract api list",
        "transfer.view_techcontract",
        _contract,
        lambda o: "/api/v1/transfer/contracts/",
        kind="api",
        detail=False,
        marker=lambda o: o.title,
    ),
    Endpoint(
        "contract api detail",
        "transfer.view_techcontract",
        _contract,
        lambda o: f"/api/v1/transfer/contracts/{o.pk}/",
        kind="api",
    ),
]


@pytest.mark.parametrize("case", matrix_cases(ENDPOINTS), ids=str)
def test_permission_matrix(case, client, db):
    run_matrix_case(case, client)


def test_public_listing_needs_no_login(client, regions):
    a = _achievement("341181")
    hidden = _achievement("341181")
    hidden.is_public = False
    hidden.save()
    page = client.get(reverse("transfer:public_list") + "?q=矩阵")
    assert page.status_code == 200 and a.title in page.content.decode()
    assert client.get(reverse("transfer:public_detail", args=[a.pk])).status_code == 200
    assert client.get(reverse("transfer:public_detail", args=[hidden.pk])).status_code == 404


def test_demand_form_and_suggestions_page(client, regions, make_user):
    staff = make_user("bureau_staff", "341181")
    enterprise = org(staff, "天长市禾丰米业有限公司")
    achievement(staff, org(staff, "农科院", org_type="institute"))
    client.force_login(staff)
    url = reverse("transfer:demand_create")
    bad = client.post(
        url,
        {
            "organization": enterprise.pk,
            "title": "育秧基质",
            "problem": "板结",
            "field": "agriculture",
            "budget": "10.999",
        },
    )
    assert bad.status_code == 400 and "两位小数" in bad.content.decode() and not TechDemand.objects.exists()
    ok = client.post(
        url,
        {
            "organization": enterprise.pk,
            "title": "水稻育秧基质板结",
            "problem": "育秧基质板结，出苗率低",
            "field": "agriculture",
            "budget": "5000",
        },
    )
    assert ok.status_code == 302
    d = TechDemand.objects.get()
    page = client.get(ok["Location"]).content.decode()
    assert "新型水稻育秧基质" in page and "共同关键词" in page
    a_pk = page.split('name="key" value="')[1].split('"')[0]
    assert (
        client.post(reverse("transfer:demand_detail", args=[d.pk]), {"kind": "achievement", "key": a_pk}).status_code
        == 302
    )
    m = d.matches.get()
    client.post(reverse("transfer:match_transition", args=[m.pk, "confirm"]))
    m.refresh_from_db()
    assert m.status == "confirmed"
    export = client.get(reverse("transfer:demand_list") + "?export=xlsx")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_contract_api_bad_amount(client, regions, make_user):
    staff = make_user("bureau_staff", "341181")
    client.force_login(staff)
    body = {
        "contract_type": "transfer",
        "title": "API 合同",
        "registration_no": "API000001",
        "registered_on": date.today().isoformat(),
        "seller_name": "甲",
        "buyer_name": "乙",
        "amount": "12.345",
        "region": "341181",
    }
    response = client.post("/api/v1/transfer/contracts/", json.dumps(body), content_type="application/json")
    assert response.status_code == 400 and "两位小数" in response.content.decode()
    assert not TechContract.objects.exists()
    body["amount"] = "12.34"
    response = client.post("/api/v1/transfer/contracts/", json.dumps(body), content_type="application/json")
    assert response.status_code == 201 and response.json()["amount"] == "12.34"
    for weird in ("/api/v1/transfer/demands/99999999999999999999/", "/api/v1/transfer/contracts/abc/"):
        assert client.get(weird).status_code == 404
