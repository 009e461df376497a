"""Corrections keep the parties true: the partner organization of a co-operation agreement follows its
typed name, a contract correction never fills a party the user left alone, and a NUL character in any
text (an event pair's note, a title, a project line, a reason) is refused with nothing stored."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.apps import apps
from django.urls import reverse

from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.models import OperationLog
from kejiju.transfer import services
from kejiju.transfer.models import Cooperation, MatchEvent, MatchEventPair, TechContract
from kejiju.transfer.tests.factories import achievement, demand, maker, org

pytestmark = pytest.mark.django_db

COOPERATION = {"title": "校地合作协议", "partner_name": "安徽农业大学", "signed_on": date(2024, 3, 1)}
CONTRACT = {
    "contract_type": "development",
    "title": "育秧基质开发合同",
    "registration_no": "2024341181000300",
    "registered_on": date.today(),
    "seller_name": "某个体研发者",
    "buyer_name": "禾丰米业",
    "amount": "100000.00",
}


@pytest.fixture
def staff(regions):
    return maker()


def _confirmed_match(actor, title="水稻育秧基质板结问题"):
    m = services.match_propose(
        actor=actor,
        demand=demand(actor, org(actor), title=title),
        achievement=achievement(actor, org(actor, org_type="university")),
    )
    return services.match_transition(actor=actor, match=m, action="confirm")


# ------------------------------------------------------------------ co-operation partner


def test_cooperation_partner_link_follows_the_name(staff):
    university = org(staff, "安徽农业大学", org_type="university")
    c = services.cooperation_save(actor=staff, region="341181", data=COOPERATION, partner=university)
    assert c.partner == university
    # the same name (or a former name of the institution) keeps the link
    services.cooperation_save(
        actor=staff, region="341181", data={**COOPERATION, "title": "改"}, partner=c.partner, cooperation=c
    )
    c.refresh_from_db()
    assert c.partner == university
    apps.get_model("orgs", "OrganizationAlias").objects.create(
        organization=university, name="安徽农学院", source="rename"
    )
    services.cooperation_save(
        actor=staff,
        region="341181",
        data={**COOPERATION, "partner_name": "安徽农学院"},
        partner=c.partner,
        cooperation=c,
    )
    c.refresh_from_db()
    assert c.partner == university and c.partner_name == "安徽农学院"
    # another institution: the old link is dropped
    services.cooperation_save(
        actor=staff,
        region="341181",
        data={**COOPERATION, "partner_name": "合肥工业大学"},
        partner=c.partner,
        cooperation=c,
    )
    c.refresh_from_db()
    assert c.partner is None and c.partner_name == "合肥工业大学"
    assert OperationLog.objects.filter(action="transfer.cooperation_save", target_id=str(c.pk)).count() == 4


def test_cooperation_edit_page_drops_the_partner_of_another_name(client, staff):
    university = org(staff, "安徽农业大学", org_type="university")
    c = services.cooperation_save(actor=staff, region="341181", data=COOPERATION, partner=university)
    client.force_login(staff)
    body = {"title": "校地合作协议", "partner_name": "合肥工业大学", "signed_on": "2024-03-01", "region": "341181"}
    response = client.post(reverse("transfer:cooperation_edit", args=[c.pk]), body)
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.partner is None and c.partner_name == "合肥工业大学"


# ------------------------------------------------------------------ contract parties on correction


def _contract_without_seller(staff):
    """A contract from a match whose seller is not an organization of the registry (typed name only)."""
    m = _confirmed_match(staff)
    contract = services.contract_register(actor=staff, region="341181", data=CONTRACT, match=m)
    TechContract.objects.filter(pk=contract.pk).update(seller=None)
    contract.refresh_from_db()
    m.refresh_from_db()
    return contract, m


def test_contract_correction_keeps_an_empty_seller(staff):
    contract, m = _contract_without_seller(staff)
    services.contract_register(
        actor=staff,
        region="341181",
        data={**CONTRACT, "amount": "120000.00"},
        seller=contract.seller,
        buyer=contract.buyer,
        match=m,
        contract=contract,
    )
    contract.refresh_from_db()
    assert contract.seller is None and contract.seller_name == "某个体研发者"
    assert contract.buyer == m.demand.enterprise
    log = OperationLog.objects.get(action="transfer.contract_update", target_id=str(contract.pk))
    assert log.extra["fields"] == ["amount"]


def test_contract_edit_page_and_api_keep_an_empty_seller(client, staff):
    contract, m = _contract_without_seller(staff)
    client.force_login(staff)
    body = {**CONTRACT, "registered_on": date.today().isoformat(), "amount": "110000.00"}
    body.update(region="341181", match=str(m.pk))
    response = client.post(reverse("transfer:contract_edit", args=[contract.pk]), body)
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.seller is None and str(contract.amount) == "110000.00"
    response = client.patch(
        "/api/v1/transfer/contracts/%d/" % contract.pk, {"title": "育秧基质开发合同（补充）"}, "application/json"
    )
    assert response.status_code == 200, response.content
    contract.refresh_from_db()
    assert contract.seller is None and contract.title == "育秧基质开发合同（补充）"


def test_a_newly_chosen_match_still_brings_its_parties(staff):
    contract = services.contract_register(actor=staff, region="341181", data=CONTRACT)
    m = _confirmed_match(staff)
    services.contract_register(actor=staff, region="341181", data=CONTRACT, match=m, contract=contract)
    contract.refresh_from_db()
    assert contract.seller == m.achievement.owner and contract.buyer == m.demand.enterprise


# ------------------------------------------------------------------ NUL characters


def test_nul_in_an_event_pair_note_is_refused(staff):
    m = _confirmed_match(staff)
    with pytest.raises(RowErrors) as exc:
        services.event_save(
            actor=staff,
            region="341181",
            data={"title": "对接会", "held_on": date.today()},
            pairs=[(m, "agreement", "签\x00约")],
        )
    assert "空字符（NUL）" in " ".join(exc.value.errors["pairs"])
    m.refresh_from_db()
    assert m.status == "confirmed" and not MatchEvent.objects.exists() and not MatchEventPair.objects.exists()
    assert not OperationLog.objects.filter(action="transfer.event_save").exists()


def test_nul_in_an_event_pair_note_on_the_page_changes_nothing(client, staff):
    m = _confirmed_match(staff)
    client.force_login(staff)
    body = {"title": "对接会", "held_on": date.today().isoformat(), "participant_count": "5", "region": "341181"}
    response = client.post(
        reverse("transfer:event_create"), {**body, f"outcome_{m.pk}": "agreement", f"note_{m.pk}": "签\x00约"}
    )
    assert response.status_code == 400 and "空字符（NUL）" in response.content.decode()
    m.refresh_from_db()
    assert m.status == "confirmed" and not MatchEvent.objects.exists()


def test_nul_in_text_fields_is_refused(staff):
    with pytest.raises(RowErrors) as exc:
        services.cooperation_save(
            actor=staff,
            region="341181",
            data={**COOPERATION, "title": "校地\x00协议", "projects": "稻虾共养\n智能\x00制造"},
        )
    assert set(exc.value.errors) == {"title", "projects"}
    assert all("空字符（NUL）" in " ".join(v) for v in exc.value.errors.values())
    assert not Cooperation.objects.exists()
    with pytest.raises(RowErrors) as exc:
        services.contract_register(
            actor=staff, region="341181", data={**CONTRACT, "buyer_name": "禾丰\x00米业", "title": "合同\x00"}
        )
    assert set(exc.value.errors) == {"buyer_name", "title"}
    assert not TechContract.objects.exists()
    m = _confirmed_match(staff)
    with pytest.raises(BusinessError) as exc:
        services.match_transition(actor=staff, match=m, action="decline", reason="价格\x00未谈拢")
    assert exc.value.field == "reason" and "空字符（NUL）" in exc.value.message
    m.refresh_from_db()
    assert m.status == "confirmed"
    with pytest.raises(RowErrors) as exc:
        services.event_save(
            actor=staff,
            region="341181",
            data={"title": "对接会", "held_on": date.today() - timedelta(days=1), "summary": "纪\x00要"},
        )
    assert "summary" in exc.value.errors
