"""Cultivation services: pipeline, R&D reserve filings, subsidies — rules, audit rows, nothing changed on failure."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.models import Notification, OperationLog
from kejiju.cultivation import selectors
from kejiju.cultivation.choices import DEFAULT_POLICIES
from kejiju.cultivation.models import (
    PipelineEntry,
    RdReserveFiling,
    SubsidyAward,
    SubsidyPolicy,
    SubsidyPolicyVersion,
)
from kejiju.cultivation.services import (
    pipeline_entry_analyse,
    pipeline_entry_create,
    pipeline_entry_transition,
    pipeline_remind,
    rd_filing_save,
    rd_filing_transition,
    subsidy_award_create,
    subsidy_award_transition,
    subsidy_policy_ensure,
)
from kejiju.cultivation.tests.factories import enterprise, hnte_input, recognised_entry, tech_sme_input
from kejiju.orgs.selectors import organization_qualifications

pytestmark = pytest.mark.django_db

#: The policies every installation starts with (created after migrate).
SHIPPED = [code for code, *_rest in DEFAULT_POLICIES]


@pytest.fixture
def staff(regions, make_user):
    return make_user("bureau_staff", "341181")


@pytest.fixture
def leader(regions, make_user):
    return make_user("bureau_leader", "341181")


@pytest.fixture
def org(regions):
    return enterprise()


# ------------------------------------------------------------------ pipeline


def test_entry_create_stores_result_and_version(staff, org):
    entry = pipeline_entry_create(actor=staff, organization=org, year=2025, tech_sme_input=tech_sme_input())
    assert entry.stage == "self_evaluated" and entry.tech_sme_passed and entry.tech_sme_score == 100
    assert entry.tech_sme_rule_version == "2017-115" and entry.region_id == org.region_id
    assert OperationLog.objects.filter(action="cultivation.entry_create", target_id=str(entry.pk)).exists()
    assert entry.transitions.count() == 1


@pytest.mark.parametrize(
    "overrides,fld",
    [
        ({"employees": -1}, "employees"),
        ({"tech_staff": 200}, "tech_staff"),
        ({"sales_revenue": "1e5"}, "sales_revenue"),
        ({"rd_expense": "1.005"}, "rd_expense"),
        ({"unknown_field": 1}, "unknown_field"),
    ],
)
def test_entry_create_bad_input_names_field_and_stores_nothing(staff, org, overrides, fld):
    with pytest.raises(RowErrors) as exc:
        pipeline_entry_create(actor=staff, organization=org, year=2025, tech_sme_input=tech_sme_input(**overrides))
    assert any(fld in key or fld in " ".join(msgs) for key, msgs in exc.value.errors.items())
    assert PipelineEntry.objects.count() == 0
    assert not OperationLog.objects.filter(action="cultivation.entry_create").exists()


def test_entry_create_rules(staff, leader, org, regions):
    pipeline_entry_create(actor=staff, organization=org, year=2025, tech_sme_input=tech_sme_input())
    with pytest.raises(BusinessError, match="已在 2025 年培育库"):
        pipeline_entry_create(actor=staff, organization=org, year=2025, tech_sme_input=tech_sme_input())
    with pytest.raises(BusinessError, match="年度"):
        pipeline_entry_create(actor=staff, organization=org, year=1999, tech_sme_input=tech_sme_input())
    with pytest.raises(BusinessError, match="权限"):
        pipeline_entry_create(actor=leader, organization=org, year=2026, tech_sme_input=tech_sme_input())
    other = enterprise("341182")
    with pytest.raises(BusinessError, match="权限"):
        pipeline_entry_create(actor=staff, organization=other, year=2025, tech_sme_input=tech_sme_input())
    assert PipelineEntry.objects.count() == 1


def test_full_pipeline_records_qualification(staff, org):
    entry = recognised_entry(staff, org)
    assert entry.stage == "recognised"
    assert entry.expires_on == date(2027, 11, 19)
    assert entry.hnte_rule_version == "2016-32" and entry.gap_count == 1
    assert any(g["key"] == "rd_ratio" and g["shortfall"] == "300000.00" for g in entry.hnte_gaps)
    quals = list(organization_qualifications(organization=org))
    assert len(quals) == 1 and quals[0].kind == "hnte" and quals[0].pk == entry.qualification_id
    assert quals[0].expires_on == entry.expires_on
    assert [t.to_status for t in entry.transitions.all()] == [
        "self_evaluated",
        "registered",
        "reserve",
        "applied",
        "recognised",
    ]
    assert OperationLog.objects.filter(action="cultivation.entry_transition").count() == 4


def test_register_requires_number_and_pass(staff, org):
    failing = pipeline_entry_create(
        actor=staff, organization=org, year=2025, tech_sme_input=tech_sme_input(tech_staff=0, ip_class1=0)
    )
    assert not failing.tech_sme_passed
    assert any(g["key"] == "tech_staff" for g in failing.tech_sme_result["gaps"])
    with pytest.raises(BusinessError, match="编号"):
        pipeline_entry_transition(actor=staff, entry=failing, action="register", number=" ")
    with pytest.raises(BusinessError, match="未通过"):
        pipeline_entry_transition(actor=staff, entry=failing, action="register", number="X1")
    with pytest.raises(BusinessError, match="不能执行"):
        pipeline_entry_transition(actor=staff, entry=failing, action="apply")
    failing.refresh_from_db()
    assert failing.stage == "self_evaluated" and failing.transitions.count() == 1


def test_duplicate_number_and_bad_hnte_input(staff, org):
    a = pipeline_entry_create(actor=staff, organization=org, year=2025, tech_sme_input=tech_sme_input())
    b = pipeline_entry_create(actor=staff, organization=enterprise(), year=2025, tech_sme_input=tech_sme_input())
    pipeline_entry_transition(actor=staff, entry=a, action="register", number="N-1")
    with pytest.raises(BusinessError, match="已被使用"):
        pipeline_entry_transition(actor=staff, entry=b, action="register", number="N-1")
    with pytest.raises(RowErrors):
        pipeline_entry_transition(actor=staff, entry=a, action="reserve", hnte_input=hnte_input(sales=["1", "2"]))
    a.refresh_from_db()
    assert a.stage == "registered" and a.hnte_result == {}


def test_reject_and_lapse_need_reason(staff, org):
    entry = recognised_entry(staff, org)
    with pytest.raises(BusinessError, match="理由"):
        pipeline_entry_transition(actor=staff, entry=entry, action="lapse")
    entry = pipeline_entry_transition(actor=staff, entry=entry, action="lapse", reason="未重新认定")
    assert entry.stage == "lapsed"


def test_analyse_reruns_gap(staff, org):
    entry = pipeline_entry_create(actor=staff, organization=org, year=2025, tech_sme_input=tech_sme_input())
    entry = pipeline_entry_transition(actor=staff, entry=entry, action="register", number="A-1")
    entry = pipeline_entry_transition(actor=staff, entry=entry, action="reserve", hnte_input=hnte_input())
    entry = pipeline_entry_analyse(
        actor=staff, entry=entry, hnte_input=hnte_input(rd_expense=["500000"] * 3, rd_expense_in_china=["500000"] * 3)
    )
    assert entry.gap_count == 0


def test_remind_is_idempotent_and_lapses(staff, org, make_user):
    from kejiju.orgs.services import organization_member_add

    member = make_user("org_user", "341181")
    organization_member_add(actor=staff, organization=org, user=member)
    entry = recognised_entry(staff, org)
    near = entry.expires_on - timedelta(days=60)
    first = pipeline_remind(today=near)
    again = pipeline_remind(today=near)
    assert first.reminded == 1 and again.reminded == 0
    assert Notification.objects.filter(recipient=member).count() == 1
    assert Notification.objects.filter(recipient=staff).count() == 1
    assert pipeline_remind(today=entry.expires_on - timedelta(days=10)).reminded == 1  # the 30-day threshold
    result = pipeline_remind(today=entry.expires_on + timedelta(days=1))
    entry.refresh_from_db()
    assert result.lapsed == 1 and entry.stage == "lapsed"


def test_stats_and_closest(staff, org):
    recognised_entry(staff, org)
    e2 = pipeline_entry_create(actor=staff, organization=enterprise(), year=2024, tech_sme_input=tech_sme_input())
    pipeline_entry_create(actor=staff, organization=enterprise(), year=2024, tech_sme_input=tech_sme_input())
    e2 = pipeline_entry_transition(actor=staff, entry=e2, action="register", number="B-2")
    pipeline_entry_transition(actor=staff, entry=e2, action="reserve", hnte_input=hnte_input(tech_staff=5))
    stats = selectors.pipeline_stats(user=staff, year=2024)
    assert stats["total"] == 3
    first = stats["conversions"][0]
    assert (first["base"], first["count"], first["rate"]) == (3, 2, Decimal("66.7"))
    closest = selectors.pipeline_closest(user=staff, year=2024)
    assert [e.pk for e in closest] == [e2.pk]


# ------------------------------------------------------------------ filings


def test_filing_flow_and_totals(staff, org):
    filing = rd_filing_save(actor=staff, organization=org, year=2024, reserve_amount="120000.50", rd_expense="300000")
    assert filing.status == "submitted" and filing.reserve_amount == Decimal("120000.50")
    with pytest.raises(BusinessError, match="理由"):
        rd_filing_transition(actor=staff, filing=filing, action="return")
    filing = rd_filing_transition(actor=staff, filing=filing, action="return", reason="缺少佐证材料")
    filing = rd_filing_save(
        actor=staff, organization=org, year=2024, reserve_amount="130000", rd_expense="300000", filing=filing
    )
    assert filing.status == "submitted"
    filing = rd_filing_transition(actor=staff, filing=filing, action="file")
    assert filing.status == "filed" and filing.filed_on == date.today()
    totals = selectors.filing_totals(user=staff)
    assert totals == {"count": 1, "reserve": Decimal("130000.00"), "rd": Decimal("300000.00")}
    with pytest.raises(BusinessError, match="已备案"):
        rd_filing_save(actor=staff, organization=org, year=2024, reserve_amount="1", rd_expense="1", filing=filing)
    assert OperationLog.objects.filter(action="cultivation.filing_transition").count() == 2


@pytest.mark.parametrize(
    "fld,kwargs,fragment",
    [
        ("reserve_amount", {"reserve_amount": "1e5"}, "不是有效的金额"),
        ("reserve_amount", {"reserve_amount": "10.005"}, "两位小数"),
        ("rd_expense", {"rd_expense": "-5"}, "不是有效的金额"),
        ("year", {"year": "20x4"}, "四位数字"),
    ],
)
def test_filing_bad_input(staff, org, fld, kwargs, fragment):
    args = {"year": 2024, "reserve_amount": "100", "rd_expense": "100", **kwargs}
    with pytest.raises(RowErrors) as exc:
        rd_filing_save(actor=staff, organization=org, **args)
    assert fragment in "".join(exc.value.errors[fld])
    assert RdReserveFiling.objects.count() == 0


def test_filing_one_per_year(staff, org):
    rd_filing_save(actor=staff, organization=org, year=2024, reserve_amount="1", rd_expense="1")
    with pytest.raises(RowErrors, match="已有"):
        rd_filing_save(actor=staff, organization=org, year=2024, reserve_amount="1", rd_expense="1")


# ------------------------------------------------------------------ subsidies


def test_policy_ensure_idempotent_and_versioned(staff):
    v1 = subsidy_policy_ensure(
        actor=staff,
        code="hnte_new",
        name="新认定高企奖励",
        kind="fixed",
        params={"amount": 100000},
        effective_from=date(2023, 1, 1),
    )
    again = subsidy_policy_ensure(
        actor=staff,
        code="hnte_new",
        name="新认定高企奖励",
        kind="fixed",
        params={"amount": "100000.00"},
        effective_from=date(2023, 1, 1),
    )
    assert v1.pk == again.pk and SubsidyPolicyVersion.objects.exclude(policy__code__in=SHIPPED).count() == 1
    with pytest.raises(BusinessError, match="不同的计算规则"):
        subsidy_policy_ensure(
            actor=staff, code="hnte_new", name="x", kind="fixed", params={"amount": 1}, effective_from=date(2023, 1, 1)
        )
    v2 = subsidy_policy_ensure(
        actor=staff, code="hnte_new", name="x", kind="fixed", params={"amount": 200000}, effective_from=date(2025, 1, 1)
    )
    assert v2.policy_id == v1.policy_id
    org = enterprise()
    assert (
        subsidy_award_create(actor=staff, policy_code="hnte_new", organization=org, year=2024, inputs={}).amount
        == 100000
    )
    assert (
        subsidy_award_create(actor=staff, policy_code="hnte_new", organization=org, year=2025, inputs={}).amount
        == 200000
    )
    with pytest.raises(BusinessError, match="没有生效的版本"):
        subsidy_award_create(actor=staff, policy_code="hnte_new", organization=org, year=2022, inputs={})


@pytest.mark.parametrize(
    "kind,params,fld",
    [
        ("fixed", {"amount": "1.005"}, "params.amount"),
        ("fixed", {"amount": "1e5"}, "params.amount"),
        ("rate_of_increase", {"rate": "1.5"}, "params.rate"),
        ("by_level", {"table": {}}, "params.table"),
        ("per_unit", {"table": {"invention": 5000}, "bonus": 1}, "params.bonus"),
        ("magic", {}, "kind"),
    ],
)
def test_policy_bad_params(staff, kind, params, fld):
    with pytest.raises(BusinessError) as exc:
        subsidy_policy_ensure(
            actor=staff, code="p1", name="测试", kind=kind, params=params, effective_from=date(2024, 1, 1)
        )
    assert exc.value.field == fld
    assert SubsidyPolicy.objects.exclude(code__in=SHIPPED).count() == 0


def test_policy_needs_permission(leader):
    with pytest.raises(BusinessError, match="权限"):
        subsidy_policy_ensure(
            actor=leader, code="p1", name="测试", kind="fixed", params={"amount": 1}, effective_from=date(2024, 1, 1)
        )


def test_award_flow_and_ledger(staff, org):
    subsidy_policy_ensure(
        actor=staff,
        code="rd_increment",
        name="研发投入增量奖补",
        kind="rate_of_increase",
        params={"rate": "0.10", "cap": "500000"},
        effective_from=date(2020, 1, 1),
    )
    award = subsidy_award_create(
        actor=staff,
        policy_code="rd_increment",
        organization=org,
        year=2024,
        inputs={"current": "3000000.55", "previous": "1000000"},
        source="cultivation.filing:1",
    )
    assert award.amount == Decimal("200000.05") and award.status == "calculated"
    assert award.inputs == {"current": "3000000.55", "previous": "1000000.00"}
    same = subsidy_award_create(
        actor=staff,
        policy_code="rd_increment",
        organization=org,
        year=2024,
        inputs={"current": "1", "previous": "0"},
        source="cultivation.filing:1",
    )
    assert same.pk == award.pk
    with pytest.raises(BusinessError, match="不能执行"):
        subsidy_award_transition(actor=staff, award=award, action="pay", paid_on=date.today(), voucher_no="V1")
    award = subsidy_award_transition(actor=staff, award=award, action="approve")
    award = subsidy_award_transition(actor=staff, award=award, action="publicize")
    assert list(selectors.publicity_list()) == [award]
    with pytest.raises(BusinessError, match="凭证号"):
        subsidy_award_transition(actor=staff, award=award, action="pay", paid_on=date.today())
    award = subsidy_award_transition(actor=staff, award=award, action="pay", paid_on=date.today(), voucher_no="记-001")
    assert award.status == "paid" and list(selectors.ledger(user=staff)) == [award]
    totals = selectors.award_totals(user=staff, by="policy")
    assert totals[0]["paid"] == Decimal("200000.05") and totals[0]["label"] == "研发投入增量奖补"
    assert selectors.award_totals(user=staff, by="region")[0]["count"] == 1
    assert OperationLog.objects.filter(action="cultivation.award_transition").count() == 3


@pytest.mark.parametrize(
    "inputs,fld",
    [
        ({"current": "1e5", "previous": "0"}, "inputs.current"),
        ({"current": "10.001", "previous": "0"}, "inputs.current"),
        ({"current": "10"}, "inputs.previous"),
        ({"current": "10", "previous": "0", "extra": 1}, "inputs.extra"),
        ({"current": "-10", "previous": "0"}, "inputs.current"),
    ],
)
def test_award_bad_inputs_store_nothing(staff, org, inputs, fld):
    subsidy_policy_ensure(
        actor=staff,
        code="rd_increment",
        name="研发投入增量奖补",
        kind="rate_of_increase",
        params={"rate": "0.10", "cap": None},
        effective_from=date(2020, 1, 1),
    )
    with pytest.raises(BusinessError) as exc:
        subsidy_award_create(actor=staff, policy_code="rd_increment", organization=org, year=2024, inputs=inputs)
    assert exc.value.field == fld
    assert SubsidyAward.objects.count() == 0


def test_award_unknown_policy(staff, org):
    with pytest.raises(BusinessError, match="不存在"):
        subsidy_award_create(actor=staff, policy_code="nope", organization=org, year=2024, inputs={})


def test_award_reject_needs_reason_and_permission(staff, leader, org):
    subsidy_policy_ensure(
        actor=staff, code="f", name="固定", kind="fixed", params={"amount": 10}, effective_from=date(2020, 1, 1)
    )
    award = subsidy_award_create(actor=staff, policy_code="f", organization=org, year=2024, inputs={})
    with pytest.raises(BusinessError, match="权限"):
        subsidy_award_transition(actor=leader, award=award, action="approve")
    with pytest.raises(BusinessError, match="理由"):
        subsidy_award_transition(actor=staff, award=award, action="reject")
    award = subsidy_award_transition(actor=staff, award=award, action="reject", reason="不符合条件")
    assert award.status == "rejected"
    # a rejected award does not block a new calculation from the same source
    assert subsidy_award_create(actor=staff, policy_code="f", organization=org, year=2024, inputs={}).pk != award.pk


# ------------------------------------------------------------------ indicators


def test_indicators_records_are_the_counted_enterprises(staff, org):
    from kejiju.core.indicators import get_indicator

    entry = recognised_entry(staff, org, year=2024, on=date(2024, 11, 20))
    other = pipeline_entry_create(actor=staff, organization=enterprise(), year=2024, tech_sme_input=tech_sme_input())
    pipeline_entry_transition(actor=staff, entry=other, action="register", number="R-9", on=date(2024, 3, 1))
    year = (date(2024, 1, 1), date(2024, 12, 31))

    def records(code, region="341181", period=year):
        ind = get_indicator(code)
        qs = ind.records(region, *period)
        return ind, qs

    ind, qs = records("cultivation.tech_sme_registered")
    assert {e.organization_id for e in qs} == {org.pk, other.organization_id} and ind.value(qs) == 2
    ind, qs = records("cultivation.hnte_new")
    assert list(qs) == [entry]
    ind, qs = records("cultivation.hnte_valid", period=(date(2026, 1, 1), date(2026, 12, 31)))
    assert list(qs) == [entry]
    ind, qs = records("cultivation.hnte_valid", period=(date(2027, 1, 1), date(2027, 12, 31)))
    assert list(qs) == []
    assert records("cultivation.hnte_new", region="341182")[1].count() == 0
    filing = rd_filing_save(actor=staff, organization=org, year=2024, reserve_amount="150000", rd_expense="200000")
    rd_filing_transition(actor=staff, filing=filing, action="file")
    today = (date.today().replace(month=1, day=1), date.today().replace(month=12, day=31))
    ind, qs = records("cultivation.rd_filed_total", period=today)
    assert ind.value(qs) == Decimal("15.0000") and list(qs) == [filing]
    subsidy_policy_ensure(
        actor=staff, code="f", name="固定", kind="fixed", params={"amount": "25000"}, effective_from=date(2020, 1, 1)
    )
    award = subsidy_award_create(actor=staff, policy_code="f", organization=org, year=2024, inputs={})
    for action in ("approve", "publicize"):
        award = subsidy_award_transition(actor=staff, award=award, action=action)
    ind, qs = records("cultivation.subsidies_paid", period=today)
    assert ind.value(qs) == 0
    subsidy_award_transition(actor=staff, award=award, action="pay", paid_on=date.today(), voucher_no="V")
    ind, qs = records("cultivation.subsidies_paid", period=today)
    assert ind.value(qs) == Decimal("2.5") and list(qs) == [award]


def test_remind_command(staff, org):
    from io import StringIO

    from django.core.management import CommandError, call_command

    entry = recognised_entry(staff, org)
    out = StringIO()
    call_command("cultivation", "remind", "--date", (entry.expires_on - timedelta(days=5)).isoformat(), stdout=out)
    assert "已发送到期提醒 1 家" in out.getvalue()
    with pytest.raises(CommandError) as exc:
        call_command("cultivation", "remind", "--date", "2026-13-01")
    assert exc.value.returncode == 2
