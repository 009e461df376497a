"""Corrections of match events, technology contracts and co-operation agreements: the same rules as
registration, the permission and region checks, the operation-log rows, nothing stored on any error."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.models import OperationLog
from kejiju.core.testing.factories import grant_perms
from kejiju.transfer import services
from kejiju.transfer.models import MatchEventPair
from kejiju.transfer.tests.factories import achievement, demand, maker, org

pytestmark = pytest.mark.django_db

CONTRACT = {
    "contract_type": "development",
    "title": "育秧基质开发合同",
    "registration_no": "2024341181000100",
    "registered_on": date.today(),
    "signed_on": date.today() - timedelta(days=3),
    "seller_name": "农科院",
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


def test_contract_correction_and_its_log_row(staff):
    contract = services.contract_register(actor=staff, region="341181", data=CONTRACT)
    changed = services.contract_register(
        actor=staff,
        region="341181",
        data={**CONTRACT, "amount": "120000.50", "title": "育秧基质开发合同（补充）"},
        contract=contract,
    )
    contract.refresh_from_db()
    assert changed.pk == contract.pk and contract.amount == Decimal("120000.50")
    assert contract.registration_no == "2024341181000100"  # its own number is no duplicate
    log = OperationLog.objects.get(action="transfer.contract_update", target_id=str(contract.pk))
    assert log.extra["amount"] == "120000.50" and set(log.extra["fields"]) == {"amount", "title"}
    assert contract.history.count() == 2


def test_contract_correction_rules_change_nothing(staff):
    services.contract_register(actor=staff, region="341181", data={**CONTRACT, "registration_no": "OTHER00001"})
    contract = services.contract_register(actor=staff, region="341181", data=CONTRACT)
    cases = [
        ({"amount": "100000.005"}, "amount", "两位小数"),
        ({"signed_on": date.today() + timedelta(days=1)}, "signed_on", "签订日期不能晚于今天"),
        ({"registered_on": date.today() + timedelta(days=1)}, "registered_on", "登记日期不能晚于今天"),
        ({"registration_no": "other00001"}, "registration_no", "已登记"),
        ({"title": ""}, "title", "请填写合同名称"),
    ]
    for overrides, fld, message in cases:
        with pytest.raises(RowErrors) as exc:
            services.contract_register(
                actor=staff, region="341181", data={**CONTRACT, **overrides, "buyer_name": "改了"}, contract=contract
            )
        assert fld in exc.value.errors and message in " ".join(exc.value.errors[fld])
    with pytest.raises(RowErrors, match="管辖范围"):
        services.contract_register(actor=staff, region="341182", data=CONTRACT, contract=contract)
    contract.refresh_from_db()
    assert contract.buyer_name == "禾丰米业" and contract.amount == Decimal("100000.00")
    assert not OperationLog.objects.filter(action="transfer.contract_update").exists()


def test_contract_correction_needs_the_change_permission_in_the_region(staff, make_user):
    contract = services.contract_register(actor=staff, region="341181", data=CONTRACT)
    adder = grant_perms(make_user("org_user", "341181"), "transfer.add_techcontract", "transfer.view_techcontract")
    stranger = maker("341182")
    for actor in (adder, stranger):
        with pytest.raises(BusinessError, match="权限"):
            services.contract_register(
                actor=actor, region="341181", data={**CONTRACT, "amount": "1.00"}, contract=contract
            )
    contract.refresh_from_db()
    assert contract.amount == Decimal("100000.00")


def test_contract_correction_from_a_new_match_agrees_it(staff):
    contract = services.contract_register(actor=staff, region="341181", data=CONTRACT)
    m = _confirmed_match(staff)
    services.contract_register(actor=staff, region="341181", data=CONTRACT, match=m, contract=contract)
    contract.refresh_from_db()
    m.refresh_from_db()
    assert contract.match == m and m.status == "agreed"
    assert contract.seller == m.achievement.owner and contract.buyer == m.demand.enterprise


def test_event_correction_keeps_pairs_and_adds_new_ones(staff):
    first = _confirmed_match(staff)
    event = services.event_save(
        actor=staff,
        region="341181",
        data={"title": "对接会", "held_on": date.today() - timedelta(days=2), "participant_count": 40},
        pairs=[(first, "agreement", "")],
    )
    second = _confirmed_match(staff, title="稻米加工")
    services.event_save(
        actor=staff,
        region="341181",
        data={"title": "2026 年校地对接会", "held_on": date.today() - timedelta(days=1), "participant_count": 60},
        pairs=[(second, "none", "价格未谈拢")],
        organizations=[second.demand.enterprise],
        event=event,
    )
    event.refresh_from_db()
    second.refresh_from_db()
    assert event.title == "2026 年校地对接会" and event.participant_count == 60
    assert MatchEventPair.objects.filter(event=event).count() == 2 and second.status == "declined"
    assert list(event.organizations.all()) == [second.demand.enterprise]
    logs = OperationLog.objects.filter(action="transfer.event_save", target_id=str(event.pk)).order_by("pk")
    assert [row.extra.get("edit", False) for row in logs] == [False, True]
    assert event.history.count() == 2


def test_event_correction_rules_change_nothing(staff, make_user):
    m = _confirmed_match(staff)
    event = services.event_save(
        actor=staff, region="341181", data={"title": "对接会", "held_on": date.today()}, pairs=[(m, "intent", "")]
    )
    for data, pairs, fld in (
        ({"title": "改名", "held_on": date.today() + timedelta(days=1)}, [], "held_on"),
        ({"title": "", "held_on": date.today()}, [], "title"),
        ({"title": "改名", "held_on": date.today(), "participant_count": -1}, [], "participant_count"),
        ({"title": "改名", "held_on": date.today()}, [(m, "agreement", "")], "pairs"),  # already listed
    ):
        with pytest.raises(RowErrors) as exc:
            services.event_save(actor=staff, region="341181", data=data, pairs=pairs, event=event)
        assert fld in exc.value.errors
    leader = make_user("bureau_leader", "341181")
    with pytest.raises(BusinessError, match="权限"):
        services.event_save(actor=leader, region="341181", data={"title": "改名", "held_on": date.today()}, event=event)
    with pytest.raises(BusinessError, match="权限"):
        services.event_save(
            actor=maker("341182"), region="341182", data={"title": "改名", "held_on": date.today()}, event=event
        )
    event.refresh_from_db()
    m.refresh_from_db()
    assert event.title == "对接会" and event.pairs.count() == 1 and m.status == "confirmed"
    assert OperationLog.objects.filter(action="transfer.event_save").count() == 1


def test_cooperation_correction(staff, make_user):
    data = {
        "title": "校地合作协议",
        "partner_name": "安徽农业大学",
        "signed_on": date(2024, 3, 1),
        "projects": "稻虾共养",
    }
    c = services.cooperation_save(actor=staff, region="341181", data=data)
    with pytest.raises(RowErrors, match="早于签订日期"):
        services.cooperation_save(
            actor=staff, region="341181", data={**data, "title": "改", "ends_on": date(2023, 1, 1)}, cooperation=c
        )
    adder = grant_perms(make_user("org_user", "341181"), "transfer.add_cooperation", "transfer.view_cooperation")
    for actor in (adder, maker("341182")):
        with pytest.raises(BusinessError, match="权限"):
            services.cooperation_save(actor=actor, region="341181", data={**data, "title": "改"}, cooperation=c)
    c.refresh_from_db()
    assert c.title == "校地合作协议" and c.ends_on is None
    services.cooperation_save(
        actor=staff,
        region="341181",
        data={**data, "ends_on": date(2029, 2, 28), "projects": "稻虾共养\nprograms.project:12"},
        cooperation=c,
    )
    c.refresh_from_db()
    assert c.ends_on == date(2029, 2, 28) and c.projects == ["稻虾共养", "programs.project:12"]
    assert OperationLog.objects.filter(action="transfer.cooperation_save", target_id=str(c.pk)).count() == 2
