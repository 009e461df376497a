"""Transfer services: achievements, demands, matches and their transitions, events, contracts,
co-operations — happy paths, each rule, audit rows, nothing stored on failure."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.models import OperationLog
from kejiju.transfer import selectors, services
from kejiju.transfer.models import Achievement, Match, MatchEvent, MatchTransition, TechContract, TechDemand
from kejiju.transfer.tests.factories import achievement, demand, maker, org

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(regions):
    return maker()


def test_parse_money_exact():
    assert services.parse_money("1,234.5", "x") == Decimal("1234.50")
    assert services.parse_money("", "x") is None
    for bad, reason in (("12.345", "两位小数"), ("-1", "负数"), ("abc", "有效金额"), ("NaN", "有效金额")):
        with pytest.raises(ValueError, match=reason):
            services.parse_money(bad, "金额")


@given(st.decimals(min_value=0, max_value=10**9, places=3, allow_nan=False, allow_infinity=False))
def test_money_boundary(value):
    text = format(value, "f")
    if value != value.quantize(Decimal("0.01")):
        with pytest.raises(ValueError):
            services.parse_money(text, "金额")
    else:
        assert services.parse_money(text, "金额") == value


def test_achievement_and_demand_rules(staff):
    owner = org(staff, "安徽农业大学技术转移中心", org_type="university")
    a = achievement(staff, owner)
    assert a.price_max == Decimal("300000.50") and a.region_id == owner.region_id
    assert OperationLog.objects.filter(action="transfer.achievement_save", target_id=str(a.pk)).exists()
    with pytest.raises(RowErrors) as exc:
        achievement(staff, owner, price_min="500000", price_max="100000", contact_phone="123", field="x")
    assert set(exc.value.errors) == {"price_max", "contact_phone", "field"}
    enterprise = org(staff, "天长市禾丰米业有限公司")
    d = demand(staff, enterprise)
    assert d.status == "open" and d.posted_by == staff
    with pytest.raises(RowErrors) as exc:
        demand(staff, enterprise, budget="1000.125", deadline=date.today() - timedelta(days=1), title="")
    assert set(exc.value.errors) == {"budget", "deadline", "title"}
    assert "两位小数" in exc.value.errors["budget"][0]
    assert Achievement.objects.count() == 1 and TechDemand.objects.count() == 1


def test_org_account_posts_only_for_its_own_enterprise(staff, make_user):
    from kejiju.orgs.services import organization_member_add

    mine, other = org(staff, "自己的企业"), org(staff, "别人的企业")
    account = make_user("org_user", "341181", username="orguser")
    organization_member_add(
        actor=make_user("bureau_staff", "341181", username="binder"), organization=mine, user=account
    )
    d = demand(account, mine)
    assert selectors.demand_get(user=account, pk=d.pk) == d
    with pytest.raises(BusinessError, match="权限"):
        demand(account, other)
    assert list(selectors.own_demands(user=account)) == [d]


def test_suggestions_rank_and_explain(staff):
    uni = org(staff, "农科院", org_type="institute")
    rice = achievement(staff, uni)
    achievement(
        staff, uni, title="光伏组件自动清洗机器人", summary="光伏电站组件清洗", keywords="光伏,清洗", field="energy"
    )
    d = demand(staff, org(staff))
    suggestions = selectors.achievement_suggestions(demand=d)
    assert suggestions[0].obj == rice and suggestions[0].field_match
    assert "育秧" in suggestions[0].explanation
    assert all(s.obj.title != "光伏组件自动清洗机器人" for s in suggestions)


def test_expert_suggestions_from_people(staff):
    from kejiju.core.testing.factories import grant_perms
    from kejiju.engines.idcodes import make_id_number
    from kejiju.people.services import person_create

    grant_perms(staff, "people.view_person", "people.add_person")

    def make_person(n: int, **data):
        number = make_id_number("341181", date(1970, 1, n), n)
        return person_create(actor=staff, data={"id_number": number, "region": "341181", **data})

    expert = make_person(1, name="赵育秧", keywords="水稻育秧,基质,栽培", subjects=["210"])
    make_person(2, name="钱电工", keywords="光伏,逆变器", subjects=["470"])
    d = demand(staff, org(staff))
    found = selectors.expert_suggestions(user=staff, demand=d)
    assert found and found[0].obj == expert and found[0].field_match


def test_match_flow_event_and_contract(staff):
    uni = org(staff, "安徽科技学院", org_type="university")
    a = achievement(staff, uni)
    enterprise = org(staff, "禾丰米业")
    d = demand(staff, enterprise)
    m = services.match_propose(actor=staff, demand=d, achievement=a, score=0.8634, explanation="共同关键词：育秧")
    assert m.status == "proposed" and m.score == Decimal("0.8634")
    with pytest.raises(BusinessError, match="已在列表"):
        services.match_propose(actor=staff, demand=d, achievement=a)
    with pytest.raises(BusinessError, match="不能执行"):
        services.match_transition(actor=staff, match=m, action="agree")
    with pytest.raises(BusinessError, match="理由"):
        services.match_transition(actor=staff, match=m, action="decline")
    m = services.match_transition(actor=staff, match=m, action="confirm")
    assert MatchTransition.objects.filter(match=m, to_status="confirmed", actor=staff).exists()
    with pytest.raises(RowErrors, match="尚未确认|举办日期"):
        services.event_save(
            actor=staff, region="341181", data={"title": "x", "held_on": date.today() + timedelta(days=3)}
        )
    event = services.event_save(
        actor=staff,
        region="341181",
        data={"title": "2024 年校地科技成果对接会", "held_on": date.today(), "participant_count": 80},
        organizations=[uni, enterprise],
        pairs=[(m, "agreement", "签订技术许可协议")],
    )
    m.refresh_from_db()
    d.refresh_from_db()
    assert m.status == "agreed" and d.status == "matched" and event.pairs.count() == 1
    contract = services.contract_register(
        actor=staff,
        region="341181",
        match=m,
        data={
            "contract_type": "license",
            "title": "育秧基质技术许可",
            "registration_no": "2024341181000123",
            "registered_on": date.today(),
            "seller_name": uni.name,
            "buyer_name": enterprise.name,
            "amount": "280000.00",
        },
    )
    assert contract.amount == Decimal("280000.00")
    totals = selectors.contract_totals(user=staff, region="3411", year=date.today().year)
    assert {"code": "341181"}.items() <= totals[0].items() and totals[0]["count"] == 1
    assert str(totals[0]["amount_wan"]) == "28.00"
    assert totals[-1]["name"] == "合计" and totals[-1]["count"] == 1 and str(totals[-1]["amount_wan"]) == "28.00"
    assert "本级" not in [t["name"] for t in totals]  # nothing registered at the city itself
    county = selectors.contract_totals(user=staff, region="341181", year=date.today().year)
    assert [t["name"] for t in county if t["count"]] == ["本级", "合计"]
    assert OperationLog.objects.filter(action="transfer.contract_register").count() == 1


def test_contract_bad_input_changes_nothing(staff):
    base = {
        "contract_type": "development",
        "title": "x",
        "registration_no": "2024341181000999",
        "registered_on": date.today(),
        "seller_name": "甲",
        "buyer_name": "乙",
        "amount": "100.00",
    }
    services.contract_register(actor=staff, region="341181", data=base)
    cases = [
        ({"amount": "100.005", "registration_no": "NEW0000001"}, "amount", "两位小数"),
        ({"registration_no": "2024341181000999"}, "registration_no", "已登记"),
        ({"registration_no": "NEW0000002", "signed_on": date.today() + timedelta(days=1)}, "signed_on", "晚于"),
        ({"registration_no": "NEW0000003", "contract_type": "gift"}, "contract_type", "无效"),
        ({"registration_no": "NEW0000004", "amount": "0"}, "amount", "大于 0"),
    ]
    for overrides, fld, message in cases:
        with pytest.raises(RowErrors) as exc:
            services.contract_register(actor=staff, region="341181", data={**base, **overrides})
        assert fld in exc.value.errors and message in " ".join(exc.value.errors[fld])
    with pytest.raises(RowErrors, match="管辖范围"):
        services.contract_register(actor=staff, region="341182", data={**base, "registration_no": "NEW0000005"})
    assert TechContract.objects.count() == 1


def test_cooperation_projects(staff):
    c = services.cooperation_save(
        actor=staff,
        region="341181",
        data={
            "title": "校地合作协议",
            "partner_name": "安徽农业大学",
            "signed_on": date(2024, 3, 1),
            "projects": "programs.project:12\n稻虾共养示范",
        },
    )
    assert c.projects == ["programs.project:12", "稻虾共养示范"]
    with pytest.raises(RowErrors, match="早于签订日期"):
        services.cooperation_save(
            actor=staff,
            region="341181",
            data={"title": "x", "partner_name": "y", "signed_on": date(2024, 3, 1), "ends_on": date(2023, 1, 1)},
        )


def test_without_permission_nothing_happens(regions, make_user):
    outsider = make_user("town_station", "341181100", username="town")
    owner = org(maker(), "某单位")
    with pytest.raises(BusinessError, match="权限"):
        achievement(outsider, owner)
    with pytest.raises(BusinessError, match="权限"):
        services.contract_register(actor=outsider, region="341181", data={})
    assert not Achievement.objects.exists() and not MatchEvent.objects.exists() and not Match.objects.exists()
