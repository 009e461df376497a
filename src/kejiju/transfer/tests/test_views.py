"""Transfer pages and API: the four-actor matrix, forms with bad input, the public listing, exports."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from kejiju.core.models import OperationLog
from kejiju.core.testing.matrix import Endpoint, matrix_cases, run_matrix_case
from kejiju.orgs.services import organization_member_add
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


def _event(code: str):
    return services.event_save(
        actor=maker(code), region=code, data={"title": "矩阵活动" + code, "held_on": date.today()}
    )


def _cooperation(code: str):
    return services.cooperation_save(
        actor=maker(code),
        region=code,
        data={"title": "矩阵协议" + code, "partner_name": "矩阵大学", "signed_on": date.today()},
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
        "demand edit",
        ("transfer.view_techdemand", "transfer.change_techdemand"),
        _demand,
        lambda o: reverse("transfer:demand_edit", args=[o.pk]),
    ),
    Endpoint(
        "achievement edit",
        ("transfer.view_achievement", "transfer.change_achievement"),
        _achievement,
        lambda o: reverse("transfer:achievement_edit", args=[o.pk]),
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
        "contract detail",
        "transfer.view_techcontract",
        _contract,
        lambda o: reverse("transfer:contract_detail", args=[o.pk]),
    ),
    Endpoint(
        "event detail", "transfer.view_matchevent", _event, lambda o: reverse("transfer:event_detail", args=[o.pk])
    ),
    Endpoint(
        "event edit",
        ("transfer.view_matchevent", "transfer.change_matchevent"),
        _event,
        lambda o: reverse("transfer:event_edit", args=[o.pk]),
    ),
    Endpoint(
        "contract edit",
        ("transfer.view_techcontract", "transfer.change_techcontract"),
        _contract,
        lambda o: reverse("transfer:contract_edit", args=[o.pk]),
    ),
    Endpoint(
        "cooperation list",
        "transfer.view_cooperation",
        _cooperation,
        lambda o: reverse("transfer:cooperation_list"),
        detail=False,
        marker=lambda o: reverse("transfer:cooperation_detail", args=[o.pk]),
    ),
    Endpoint(
        "cooperation detail",
        "transfer.view_cooperation",
        _cooperation,
        lambda o: reverse("transfer:cooperation_detail", args=[o.pk]),
    ),
    Endpoint(
        "cooperation edit",
        ("transfer.view_cooperation", "transfer.change_cooperation"),
        _cooperation,
        lambda o: reverse("transfer:cooperation_edit", args=[o.pk]),
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
        "demand api update",
        ("transfer.view_techdemand", "transfer.change_techdemand"),
        _demand,
        lambda o: f"/api/v1/transfer/demands/{o.pk}/",
        kind="api",
        method="patch",
    ),
    Endpoint(
        "achievement api list",
        "transfer.view_achievement",
        _achievement,
        lambda o: "/api/v1/transfer/achievements/",
        kind="api",
        detail=False,
        marker=lambda o: o.title,
    ),
    Endpoint(
        "achievement api update",
        ("transfer.view_achievement", "transfer.change_achievement"),
        _achievement,
        lambda o: f"/api/v1/transfer/achievements/{o.pk}/",
        kind="api",
        method="patch",
    ),
    Endpoint(
        "contract api update",
        ("transfer.view_techcontract", "transfer.change_techcontract"),
        _contract,
        lambda o: f"/api/v1/transfer/contracts/{o.pk}/",
        kind="api",
        method="patch",
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


def test_contract_page_with_several_matches(client, regions, make_user):
    staff = make_user("bureau_staff", "341181")
    buyer = org(staff, "天长市禾丰米业有限公司")
    seller = org(staff, "农科院", org_type="institute")
    first = services.match_propose(actor=staff, demand=demand(staff, buyer), achievement=achievement(staff, seller))
    second = services.match_propose(
        actor=staff, demand=demand(staff, buyer, title="稻米加工"), achievement=achievement(staff, seller)
    )
    for m in (first, second):
        services.match_transition(actor=staff, match=m, action="confirm")
    client.force_login(staff)
    url = reverse("transfer:contract_create")
    body = {
        "contract_type": "transfer",
        "title": "育秧基质技术转让",
        "registration_no": "3411810001",
        "registered_on": date.today().isoformat(),
        "seller_name": "农科院",
        "buyer_name": "天长市禾丰米业有限公司",
        "amount": "1000.125",
        "region": "341181",
        "match": str(first.pk),
    }
    bad = client.post(url, body)
    assert bad.status_code == 400
    assert 'data-testid="error-amount"' in bad.content.decode() and "两位小数" in bad.content.decode()
    assert not TechContract.objects.exists()
    # the older of the two matches (not the first one listed) and no match at all both register
    assert client.post(url, dict(body, amount="1000.12")).status_code == 302
    contract = TechContract.objects.get()
    assert contract.match == first and contract.amount == Decimal("1000.12")
    assert contract.seller == seller and contract.buyer == buyer  # the parties of the match, not just names
    assert client.post(url, dict(body, amount="5.00", registration_no="3411810002", match="")).status_code == 302
    assert TechContract.objects.get(registration_no="3411810002").match is None
    # the list links to each contract's page: parties, amount, the match it came from
    listing = client.get(reverse("transfer:contract_list")).content.decode()
    detail_url = reverse("transfer:contract_detail", args=[contract.pk])
    assert detail_url in listing
    page = client.get(detail_url).content.decode()
    assert "1,000.12" in page and "农科院" in page and reverse("transfer:demand_detail", args=[first.demand_id]) in page
    leader = Client()
    leader.force_login(make_user("bureau_leader", "341181"))
    history_url = reverse("core:history_detail", kwargs={"model": "techcontract", "pk": contract.pk})
    assert history_url in leader.get(detail_url).content.decode()
    assert leader.get(history_url).status_code == 200


def test_demand_edit_close_and_history(client, regions, make_user):
    staff = make_user("bureau_staff", "341181")
    d = demand(staff, org(staff, "天长市禾丰米业有限公司"))
    client.force_login(staff)
    detail = client.get(reverse("transfer:demand_detail", args=[d.pk])).content.decode()
    edit_url = reverse("transfer:demand_edit", args=[d.pk])
    close_url = reverse("transfer:demand_close", args=[d.pk])
    assert edit_url in detail and close_url in detail and "data-confirm=" in detail
    form = client.get(edit_url)
    assert form.status_code == 200 and "水稻育秧基质板结问题" in form.content.decode()
    body = {
        "organization": d.enterprise_id,
        "title": "水稻育秧基质板结与烂秧问题",
        "problem": d.problem,
        "field": "agriculture",
        "budget": "80000.005",
    }
    bad = client.post(edit_url, body)
    assert bad.status_code == 400 and 'data-testid="error-budget"' in bad.content.decode()
    d.refresh_from_db()
    assert d.title == "水稻育秧基质板结问题" and d.budget == Decimal("50000")
    assert client.post(edit_url, dict(body, budget="80000")).status_code == 302
    d.refresh_from_db()
    assert d.title == "水稻育秧基质板结与烂秧问题" and d.budget == Decimal("80000")
    assert "烂秧" in d.match_tokens
    # those who read the operation log (bureau leaders) follow the link to the field history
    leader = Client()
    leader.force_login(make_user("bureau_leader", "341181"))
    history_url = reverse("core:history_detail", kwargs={"model": "techdemand", "pk": d.pk})
    seen = leader.get(reverse("transfer:demand_detail", args=[d.pk])).content.decode()
    assert history_url in seen and edit_url not in seen and close_url not in seen
    history = leader.get(history_url)
    assert history.status_code == 200 and "水稻育秧基质板结与烂秧问题" in history.content.decode()
    assert leader.post(close_url).status_code == 403 and leader.get(edit_url).status_code == 403
    assert client.get(close_url).status_code == 405
    assert client.post(close_url).status_code == 302
    d.refresh_from_db()
    assert d.status == "closed"
    assert OperationLog.objects.filter(action="transfer.demand_close", target_id=str(d.pk)).exists()
    after = client.post(edit_url, dict(body, title="再改"), follow=True)
    d.refresh_from_db()
    assert d.title == "水稻育秧基质板结与烂秧问题" and "需求已关闭" in after.content.decode()


def test_enterprise_account_edits_only_its_own_demand(client, regions, make_user):
    staff = make_user("bureau_staff", "341181")
    mine = org(staff, "天长市禾丰米业有限公司")
    other = demand(staff, org(staff, "别家企业"), title="别家需求")
    account = make_user("org_user", "341181")
    organization_member_add(actor=staff, organization=mine, user=account)
    own = demand(account, mine)
    client.force_login(account)
    url = reverse("transfer:demand_edit", args=[own.pk])
    body = {"organization": mine.pk, "title": "本单位需求（修改）", "problem": own.problem, "field": "agriculture"}
    assert client.post(url, body).status_code == 302
    own.refresh_from_db()
    assert own.title == "本单位需求（修改）" and own.budget is None
    assert client.get(reverse("transfer:demand_edit", args=[other.pk])).status_code == 404
    assert client.post(reverse("transfer:demand_close", args=[other.pk])).status_code == 404


def test_achievement_edit_related_ip_withdraw_and_restore(client, regions, make_user):
    from kejiju.orgs.services import ip_save
    from kejiju.orgs.testing import make_patent_number

    staff = make_user("bureau_staff", "341181")
    owner = org(staff, "农科院", org_type="institute")
    stranger = org(staff, "别家企业")
    number = make_patent_number(2024, "1", 123)
    patent = ip_save(
        actor=staff,
        organization=owner,
        ip_type="invention",
        title="育秧基质",
        number=number,
        applied_on=date(2024, 3, 1),
    )
    foreign = make_patent_number(2024, "2", 456)
    ip_save(
        actor=staff, organization=stranger, ip_type="utility", title="别家", number=foreign, applied_on=date(2024, 3, 1)
    )
    a = achievement(staff, owner)
    client.force_login(staff)
    detail = client.get(reverse("transfer:achievement_detail", args=[a.pk])).content.decode()
    edit_url = reverse("transfer:achievement_edit", args=[a.pk])
    archive_url = reverse("transfer:achievement_archive", args=[a.pk])
    assert edit_url in detail and archive_url in detail and "data-confirm=" in detail
    body = {
        "organization": owner.pk,
        "title": a.title,
        "summary": a.summary,
        "keywords": a.keywords,
        "field": "agriculture",
        "maturity": "industrial",
        "transfer_form": "license",
        "price_min": "100000",
        "price_max": "300000",
        "contact_name": "王工",
        "contact_phone": "13905501234",
        "is_public": "on",
    }
    for wrong in (foreign, "2024ABC"):
        bad = client.post(edit_url, dict(body, related_ip=number + "\n" + wrong))
        assert bad.status_code == 400 and 'data-testid="error-related_ip"' in bad.content.decode()
        assert wrong in bad.content.decode()
        assert not a.related_ip.exists()
    assert client.post(edit_url, dict(body, related_ip="ZL" + number.replace(".", ""))).status_code == 302
    assert list(a.related_ip.all()) == [patent]
    assert number in client.get(reverse("transfer:public_detail", args=[a.pk])).content.decode()
    assert number in client.get(edit_url).content.decode()
    assert client.post(archive_url, {"archived": "1"}).status_code == 302
    a.refresh_from_db()
    assert a.is_archived
    assert client.get(reverse("transfer:public_detail", args=[a.pk])).status_code == 404
    assert OperationLog.objects.filter(action="transfer.achievement_archive", target_id=str(a.pk)).count() == 1
    assert client.post(archive_url, {"archived": "0"}).status_code == 302
    a.refresh_from_db()
    assert not a.is_archived
    leader = Client()
    leader.force_login(make_user("bureau_leader", "341181"))
    history_url = reverse("core:history_detail", kwargs={"model": "achievement", "pk": a.pk})
    seen = leader.get(reverse("transfer:achievement_detail", args=[a.pk])).content.decode()
    assert history_url in seen and edit_url not in seen and archive_url not in seen
    assert leader.get(history_url).status_code == 200
    assert leader.post(archive_url, {"archived": "1"}).status_code == 403
