"""Shipped subsidy policies: 专利资助 (``ip.patent_subsidy``) exists after ``migrate`` and a granted patent's
subsidy is calculated, approved, publicized and paid through it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kejiju.cultivation import selectors
from kejiju.cultivation.apps import ensure_default_policies
from kejiju.cultivation.models import SubsidyAward, SubsidyPolicy, SubsidyPolicyVersion
from kejiju.cultivation.services import subsidy_award_create, subsidy_award_transition, subsidy_policy_ensure
from kejiju.cultivation.tests.factories import enterprise
from kejiju.orgs import services as orgs_services

pytestmark = pytest.mark.django_db

PATENT_POLICY = "ip.patent_subsidy"


@pytest.fixture
def staff(regions, make_user):
    return make_user("bureau_staff", "341181")


def test_fresh_database_has_the_patent_policy():
    assert orgs_services.PATENT_SUBSIDY_POLICY == PATENT_POLICY
    policy = SubsidyPolicy.objects.get(code=PATENT_POLICY)
    assert policy.name == "专利资助" and policy.is_active
    version = policy.versions.get()
    assert version.kind == "per_unit" and version.effective_from == date(2015, 1, 1)
    assert version.params["table"]["invention"] == "5000.00"


def test_ensure_creates_only_what_is_missing(staff):
    policy = SubsidyPolicy.objects.get(code=PATENT_POLICY)
    policy.name, policy.is_active = "本县专利资助", False
    policy.save()
    subsidy_policy_ensure(
        actor=staff,
        code=PATENT_POLICY,
        name="专利资助",
        kind="per_unit",
        params={"table": {"invention": "8000"}, "cap": None},
        effective_from=date(2025, 1, 1),
    )
    ensure_default_policies("default")
    policy.refresh_from_db()
    assert policy.name == "本县专利资助" and not policy.is_active  # the bureau's edits stand
    assert SubsidyPolicyVersion.objects.filter(policy=policy).count() == 2
    SubsidyPolicyVersion.objects.filter(policy=policy).delete()
    policy.delete()
    ensure_default_policies("default")
    assert SubsidyPolicy.objects.get(code=PATENT_POLICY).versions.count() == 1


def test_patent_subsidy_calculated_approved_and_paid(staff):
    assert orgs_services.patent_subsidy_available()
    org = enterprise()
    patent = orgs_services.ip_save(
        actor=staff,
        organization=org,
        ip_type="invention",
        title="一种秸秆还田装置",
        number="202310000017.6",  # a valid CN invention application number
        applied_on=date(2023, 3, 1),
        granted_on=date(2024, 8, 1),
        status="granted",
    )
    award = orgs_services.ip_subsidy_request(actor=staff, ip=patent)
    assert isinstance(award, SubsidyAward)
    assert award.amount == Decimal("5000.00") and award.year == 2024 and award.status == "calculated"
    assert award.policy_version.policy.code == PATENT_POLICY and award.source == "orgs.ip:%d" % patent.pk
    assert award.inputs == {"invention": 1} and "5000" in award.explanation
    assert orgs_services.ip_subsidy_request(actor=staff, ip=patent).pk == award.pk  # once per patent
    award = subsidy_award_transition(actor=staff, award=award, action="approve")
    award = subsidy_award_transition(actor=staff, award=award, action="publicize")
    award = subsidy_award_transition(actor=staff, award=award, action="pay", paid_on=date.today(), voucher_no="记-17")
    assert award.status == "paid" and list(selectors.ledger(user=staff)) == [award]
    assert selectors.award_totals(user=staff, by="policy")[0]["paid"] == Decimal("5000.00")


def test_patent_hand_off_rejects_unknown_types_and_keys(staff):
    from kejiju.core.errors import BusinessError

    org = enterprise()
    with pytest.raises(BusinessError) as exc:
        subsidy_award_create(
            actor=staff,
            policy_code=PATENT_POLICY,
            organization=org,
            year=2024,
            inputs={"counts": {"software": 1}, "ip_type": "software", "number": "2024SR1"},
            source="orgs.ip:999",
        )
    assert exc.value.field == "inputs.software"
    with pytest.raises(BusinessError) as exc:
        subsidy_award_create(
            actor=staff,
            policy_code=PATENT_POLICY,
            organization=org,
            year=2024,
            inputs={"counts": {"invention": 1}, "owner": "x"},
        )
    assert exc.value.field == "inputs.counts"
    assert not SubsidyAward.objects.exists()
