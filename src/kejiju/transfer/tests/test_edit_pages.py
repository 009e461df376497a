"""Edit pages of match events, technology contracts and co-operation agreements, the co-operation page,
and the write endpoints of the API (achievements, demands, contracts): errors on their fields, nothing
stored on failure, region scope and the enterprise account's own records only."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from kejiju.core.models import OperationLog
from kejiju.orgs.services import organization_member_add
from kejiju.transfer import services
from kejiju.transfer.models import Achievement, Cooperation, MatchEventPair, TechContract
from kejiju.transfer.tests.factories import achievement, demand, maker, org

pytestmark = pytest.mark.django_db

TOMORROW = date.today() + timedelta(days=1)


def _contract(staff, number="2024341181000200", **data):
    values = {
        "contract_type": "transfer",
        "title": "育秧基质技术转让",
        "registration_no": number,
        "registered_on": date.today(),
        "seller_name": "农科院",
        "buyer_name": "禾丰米业",
        "amount": "50000.00",
    }
    return services.contract_register(actor=staff, region="341181", data={**values, **data})


def _leader(make_user):
    leader = Client()
    leader.force_login(make_user("bureau_leader", "341181"))
    return leader


def test_contract_edit_page(client, regions, make_user):
    staff = make_user("bureau_staff", "341181")
    _contract(staff, "3411810009")
    contract = _contract(staff)
    client.force_login(staff)
    detail_url = reverse("transfer:contract_detail", args=[contract.pk])
    edit_url = reverse("transfer:contract_edit", args=[contract.pk])
    assert edit_url in client.get(detail_url).content.decode()
    form = client.get(edit_url).content.decode()
    assert "2024341181000200" in form and "50000.00" in form
    body = {
        "contract_type": "transfer",
        "title": "育秧基质技术转让（变更）",
        "registration_no": "2024341181000200",
        "registered_on": date.today().isoformat(),
        "seller_name": "农科院",
        "buyer_name": "禾丰米业",
        "amount": "60000.00",
        "region": "341181",
        "match": "",
    }
    for overrides, fld, reason in (
        ({"amount": "60000.125"}, "amount", "两位小数"),
        ({"signed_on": TOMORROW.isoformat()}, "signed_on", "签订日期不能晚于今天"),
        ({"registration_no": "3411810009"}, "registration_no", "已登记"),
    ):
        bad = client.post(edit_url, {**body, **overrides})
        page = bad.content.decode()
        assert bad.status_code == 400 and f'data-testid="error-{fld}"' in page and reason in page
    contract.refresh_from_db()
    assert contract.title == "育秧基质技术转让" and contract.amount == Decimal("50000.00")
    assert not OperationLog.objects.filter(action="transfer.contract_update").exists()
    assert client.post(edit_url, body)["Location"] == detail_url
    contract.refresh_from_db()
    assert contract.title == "育秧基质技术转让（变更）" and contract.amount == Decimal("60000.00")
    assert OperationLog.objects.filter(action="transfer.contract_update", target_id=str(contract.pk)).count() == 1
    leader = _leader(make_user)
    seen = leader.get(detail_url).content.decode()
    history_url = reverse("core:history_detail", kwargs={"model": "techcontract", "pk": contract.pk})
    assert history_url in seen and edit_url not in seen
    assert "育秧基质技术转让（变更）" in leader.get(history_url).content.decode()
    assert leader.post(edit_url, body).status_code == 403


def test_event_edit_page_adds_pairs_and_keeps_the_recorded_ones(client, regions, make_user):
    staff = make_user("bureau_staff", "341181")
    matches = []
    for title in ("水稻育秧基质板结问题", "稻米加工"):
        m = services.match_propose(
            actor=staff,
            demand=demand(staff, org(staff), title=title),
            achievement=achievement(staff, org(staff, org_type="university")),
        )
        matches.append(services.match_transition(actor=staff, match=m, action="confirm"))
    first, second = matches
    event = services.event_save(
        actor=staff, region="341181", data={"title": "对接会", "held_on": date.today()}, pairs=[(first, "intent", "")]
    )
    client.force_login(staff)
    detail_url = reverse("transfer:event_detail", args=[event.pk])
    edit_url = reverse("transfer:event_edit", args=[event.pk])
    assert edit_url in client.get(detail_url).content.decode()
    form = client.get(edit_url).content.decode()
    assert 'data-testid="event-existing-pairs"' in form
    assert f'name="outcome_{second.pk}"' in form and f'name="outcome_{first.pk}"' not in form
    body = {"title": "2026 年校地对接会", "held_on": date.today().isoformat(), "participant_count": "50"}
    body["region"] = "341181"
    bad = client.post(edit_url, {**body, "held_on": TOMORROW.isoformat(), f"outcome_{second.pk}": "agreement"})
    assert bad.status_code == 400 and 'data-testid="error-held_on"' in bad.content.decode()
    event.refresh_from_db()
    second.refresh_from_db()
    assert event.title == "对接会" and second.status == "confirmed" and event.pairs.count() == 1
    ok = client.post(edit_url, {**body, f"outcome_{second.pk}": "agreement", f"note_{second.pk}": "签约"})
    assert ok["Location"] == detail_url
    event.refresh_from_db()
    second.refresh_from_db()
    assert event.title == "2026 年校地对接会" and event.participant_count == 50 and second.status == "agreed"
    assert MatchEventPair.objects.get(event=event, match=second).note == "签约"
    assert second.demand.enterprise in event.organizations.all()
    leader = _leader(make_user)
    seen = leader.get(detail_url).content.decode()
    history_url = reverse("core:history_detail", kwargs={"model": "matchevent", "pk": event.pk})
    assert history_url in seen and edit_url not in seen
    assert "2026 年校地对接会" in leader.get(history_url).content.decode()
    assert leader.get(edit_url).status_code == 403


def test_cooperation_page_and_edit(client, regions, make_user):
    staff = make_user("bureau_staff", "341181")
    client.force_login(staff)
    created = client.post(
        reverse("transfer:cooperation_create"),
        {
            "title": "校地合作协议",
            "partner_name": "安徽农业大学",
            "signed_on": "2024-03-01",
            "projects": "programs.project:12\n稻虾共养示范",
            "region": "341181",
        },
    )
    c = Cooperation.objects.get()
    detail_url = reverse("transfer:cooperation_detail", args=[c.pk])
    assert created["Location"] == detail_url
    assert detail_url in client.get(reverse("transfer:cooperation_list")).content.decode()
    page = client.get(detail_url).content.decode()
    assert "安徽农业大学" in page and "2024-03-01" in page and "<code>programs.project:12</code>" in page
    assert "稻虾共养示范" in page
    edit_url = reverse("transfer:cooperation_edit", args=[c.pk])
    assert edit_url in page
    form = client.get(edit_url).content.decode()
    assert "programs.project:12\n稻虾共养示范" in form
    body = {
        "title": "校地全面合作协议",
        "partner_name": "安徽农业大学",
        "signed_on": "2024-03-01",
        "ends_on": "2023-12-31",
        "projects": "稻虾共养示范",
        "region": "341181",
    }
    bad = client.post(edit_url, body)
    assert bad.status_code == 400 and 'data-testid="error-ends_on"' in bad.content.decode()
    c.refresh_from_db()
    assert c.title == "校地合作协议" and len(c.projects) == 2
    assert client.post(edit_url, {**body, "ends_on": "2029-02-28"})["Location"] == detail_url
    c.refresh_from_db()
    assert c.title == "校地全面合作协议" and c.ends_on == date(2029, 2, 28) and c.projects == ["稻虾共养示范"]
    assert OperationLog.objects.filter(action="transfer.cooperation_save", target_id=str(c.pk)).count() == 2
    leader = _leader(make_user)
    seen = leader.get(detail_url).content.decode()
    history_url = reverse("core:history_detail", kwargs={"model": "cooperation", "pk": c.pk})
    assert history_url in seen and edit_url not in seen
    assert leader.get(history_url).status_code == 200
    assert leader.post(edit_url, body).status_code == 403


def _api(client, method, url, body):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


ACHIEVEMENT = {
    "title": "秸秆菌渣育秧基质",
    "summary": "以秸秆和菌渣为原料的育秧基质。",
    "field": "agriculture",
    "maturity": "industrial",
    "transfer_form": "license",
    "price_min": "100000",
    "price_max": "300000.50",
    "contact_name": "王工",
    "contact_phone": "13905501234",
}


def test_achievement_api_create_and_update(client, regions, make_user):
    from kejiju.orgs.services import ip_save
    from kejiju.orgs.testing import make_patent_number

    staff = make_user("bureau_staff", "341181")
    owner = org(staff, "农科院", org_type="institute")
    number = make_patent_number(2024, "1", 123)
    patent = ip_save(
        actor=staff,
        organization=owner,
        ip_type="invention",
        title="育秧基质",
        number=number,
        applied_on=date(2024, 3, 1),
    )
    client.force_login(staff)
    url = "/api/v1/transfer/achievements/"
    bad = _api(client, "post", url, {**ACHIEVEMENT, "owner": owner.pk, "price_max": "300000.505"})
    assert bad.status_code == 400 and "price_max" in bad.json()["errors"] and "两位小数" in bad.json()["detail"]
    bad = _api(client, "post", url, {**ACHIEVEMENT, "owner": owner.pk, "related_ip": ["2024ABC"]})
    assert bad.status_code == 400 and "2024ABC" in bad.json()["errors"]["related_ip"][0]
    bad = _api(client, "post", url, {**ACHIEVEMENT, "owner": org(maker("341182"), code="341182").pk})
    assert bad.status_code == 400 and "成果单位不存在" in bad.json()["errors"]["owner"][0]
    bad = _api(client, "post", url, {**ACHIEVEMENT, "owner": owner.pk, "maturity": "dream"})
    assert bad.status_code == 400 and bad.json()["detail"].startswith("成熟度")
    assert not Achievement.objects.exists()
    created = _api(client, "post", url, {**ACHIEVEMENT, "owner": owner.pk, "related_ip": ["ZL" + number]})
    assert created.status_code == 201 and created.json()["price_max"] == "300000.50"
    a = Achievement.objects.get()
    assert list(a.related_ip.all()) == [patent]
    detail = f"{url}{a.pk}/"
    bad = _api(client, "patch", detail, {"price_min": "400000"})
    assert bad.status_code == 400 and "price_max" in bad.json()["errors"]
    assert _api(client, "patch", detail, {"unknown": 1}).status_code == 400
    a.refresh_from_db()
    assert a.price_min == Decimal("100000")
    ok = _api(client, "patch", detail, {"title": "秸秆菌渣育秧基质（二代）", "is_public": False})
    assert ok.status_code == 200 and ok.json()["title"] == "秸秆菌渣育秧基质（二代）"
    a.refresh_from_db()
    assert not a.is_public and a.price_max == Decimal("300000.50") and list(a.related_ip.all()) == [patent]
    assert "二代" in a.match_tokens
    assert OperationLog.objects.filter(action="transfer.achievement_save", target_id=str(a.pk)).count() == 2
    other = Client()
    other.force_login(make_user("bureau_staff", "341182"))
    assert _api(other, "patch", detail, {"title": "别区"}).status_code == 404
    assert _api(client, "patch", f"{url}abc/", {"title": "x"}).status_code == 404


def test_enterprise_account_api_reaches_only_its_own_records(client, regions, make_user):
    staff = make_user("bureau_staff", "341181")
    mine, other = org(staff, "禾丰米业"), org(staff, "别家企业")
    account = make_user("org_user", "341181")
    organization_member_add(actor=staff, organization=mine, user=account)
    theirs_demand = demand(staff, other, title="别家需求")
    theirs_achievement = achievement(staff, other, title="别家成果")
    client.force_login(account)
    created = _api(client, "post", "/api/v1/transfer/achievements/", {**ACHIEVEMENT, "owner": mine.pk})
    assert created.status_code == 201
    refused = _api(client, "post", "/api/v1/transfer/achievements/", {**ACHIEVEMENT, "owner": other.pk})
    assert refused.status_code == 400 and "owner" in refused.json()["errors"]
    own_url = f"/api/v1/transfer/achievements/{created.json()['id']}/"
    own = _api(client, "patch", own_url, {"keywords": "育秧"})
    assert own.status_code == 200 and own.json()["keywords"] == "育秧"
    assert client.get(own_url).json()["keywords"] == "育秧"
    assert client.get(f"/api/v1/transfer/achievements/{theirs_achievement.pk}/").status_code == 404
    assert (
        _api(client, "patch", f"/api/v1/transfer/achievements/{theirs_achievement.pk}/", {"title": "x"}).status_code
        == 404
    )
    assert _api(client, "patch", f"/api/v1/transfer/demands/{theirs_demand.pk}/", {"title": "x"}).status_code == 404
    d = demand(account, mine)
    url = f"/api/v1/transfer/demands/{d.pk}/"
    bad = _api(client, "patch", url, {"budget": "1.005", "contact_phone": "123"})
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"budget", "contact_phone"}
    blank = _api(client, "patch", url, {"title": ""})
    assert blank.status_code == 400 and blank.json()["detail"].startswith("需求名称")
    moved = _api(client, "patch", url, {"enterprise": other.pk})
    assert moved.status_code == 400 and "需求单位" in moved.json()["errors"]["enterprise"][0]
    d.refresh_from_db()
    assert d.budget == Decimal("50000") and d.enterprise == mine
    ok = _api(client, "patch", url, {"budget": "80000.50", "contact_phone": "13905501234"})
    assert ok.status_code == 200 and ok.json()["budget"] == "80000.50"
    services.demand_close(actor=account, demand=d)
    closed = _api(client, "patch", url, {"title": "再改"})
    assert closed.status_code == 400 and "已关闭" in closed.json()["detail"]
    theirs_demand.refresh_from_db()
    theirs_achievement.refresh_from_db()
    assert theirs_demand.title == "别家需求" and theirs_achievement.title == "别家成果"


def test_contract_api_update(client, regions, make_user):
    staff = make_user("bureau_staff", "341181")
    _contract(staff, "3411810009")
    contract = _contract(staff)
    client.force_login(staff)
    url = f"/api/v1/transfer/contracts/{contract.pk}/"
    for body, fld, reason in (
        ({"amount": "50000.001"}, "amount", "两位小数"),
        ({"signed_on": TOMORROW.isoformat()}, "signed_on", "签订日期不能晚于今天"),
        ({"registration_no": "3411810009"}, "registration_no", "已登记"),
        ({"region": "341182"}, "region", "管辖范围"),
    ):
        bad = _api(client, "patch", url, {**body, "title": "改"})
        assert bad.status_code == 400 and reason in " ".join(bad.json()["errors"][fld])
    contract.refresh_from_db()
    assert contract.title == "育秧基质技术转让" and contract.amount == Decimal("50000.00")
    ok = _api(client, "patch", url, {"amount": "52000.10", "signed_on": date.today().isoformat()})
    assert ok.status_code == 200 and ok.json()["amount"] == "52000.10"
    contract.refresh_from_db()
    assert contract.amount == Decimal("52000.10") and contract.title == "育秧基质技术转让"
    log = OperationLog.objects.get(action="transfer.contract_update", target_id=str(contract.pk))
    assert set(log.extra["fields"]) == {"amount", "signed_on"}
    viewer = Client()
    viewer.force_login(make_user("bureau_leader", "341181"))
    assert _api(viewer, "patch", url, {"title": "x"}).status_code == 403
    assert TechContract.objects.get(pk=contract.pk).title == "育秧基质技术转让"
