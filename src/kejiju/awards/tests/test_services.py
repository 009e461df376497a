"""Award cycles: nomination → formal check → review result → the committee's vote, grades within quotas → publicity with
objections → grant with certificates → prize ledger; higher-level awards; the review source."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from kejiju.awards.choices import CycleStatus, NominationStatus
from kejiju.awards.models import Nomination, PrizePayment, VoteMeeting
from kejiju.awards.review import NominationReviewSource
from kejiju.awards.services import (
    cycle_save,
    cycle_step,
    grade_set,
    higher_award_save,
    meeting_save,
    nomination_review_result,
    nomination_save,
    nomination_step,
    objection_file,
    objection_resolve,
    prize_pay,
    programme_save,
    vote_record,
)
from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.models import OperationLog
from kejiju.engines.idcodes import make_id_number
from kejiju.orgs.services import organization_create, organization_member_add
from kejiju.orgs.testing import organization_data as org_data
from kejiju.review.sources import ReviewOutcome, review_source

GRADES = [
    {"grade": "一等奖", "prize": "50000.00", "quota": 1},
    {"grade": "二等奖", "prize": "30000", "quota": 2},
    {"grade": "三等奖", "prize": "10000"},
]


@pytest.fixture
def world(regions: Any, make_user: Any) -> dict[str, Any]:
    staff = make_user("bureau_staff", "341181")
    org = organization_create(actor=staff, data=org_data(1))
    applicant = make_user("org_user", "341181")
    organization_member_add(actor=staff, organization=org, user=applicant)
    programme = programme_save(
        actor=staff, name="天长市科学技术进步奖", categories=["科技进步奖", "成果转化奖"], grades=GRADES
    )
    now = timezone.now()
    cycle = cycle_save(
        actor=staff, programme=programme, year=2026, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=9)
    )
    cycle_step(actor=staff, cycle=cycle, action="open")
    return {
        "staff": staff,
        "org": org,
        "applicant": applicant,
        "programme": programme,
        "cycle": cycle,
        "other_staff": make_user("bureau_staff", "341182"),
    }


def member(n: int, name: str | None = None) -> dict[str, Any]:
    return {
        "name": name or f"完成人{n}",
        "id_number": make_id_number("341181", date(1980, 1, n), n),
        "contribution": "技术负责",
    }


def nominate(world: dict[str, Any], title: str = "优质稻米绿色高效栽培技术集成与推广") -> Nomination:
    return nomination_save(
        actor=world["applicant"],
        cycle=world["cycle"],
        organization=world["org"],
        data={"title": title, "category": "科技进步奖", "summary": "集成稻虾共养与绿色防控技术。"},
        members=[member(1), member(2)],
    )


def committee_decides(staff: Any, cycle: Any, grades: dict[Nomination, str]) -> None:
    """The award committee (7 members, all present) meets and votes: a grade passes 7–0, ``""`` fails
    (votes on the lowest grade 2–5)."""
    if not VoteMeeting.objects.filter(cycle=cycle).exists():
        meeting_save(
            actor=staff,
            cycle=cycle,
            held_on=timezone.localdate(),
            place="科技局会议室",
            members=[{"name": f"委员{n}", "unit": "科技局"} for n in range(1, 8)],
            members_present=7,
        )
    for nomination, grade in grades.items():
        for_, against = (7, 0) if grade else (2, 5)
        vote_record(
            actor=staff,
            nomination=nomination,
            grade=grade or GRADES[-1]["grade"],
            votes_for=for_,
            votes_against=against,
            votes_abstain=0,
        )


def test_bad_setup_is_refused(world: dict[str, Any]) -> None:
    with pytest.raises(RowErrors) as grades:
        programme_save(actor=world["staff"], name="x", categories=["a"], grades=[{"grade": "一等奖", "prize": "1.234"}])
    assert "两位小数" in grades.value.errors["grades"][0]
    with pytest.raises(RowErrors):
        cycle_save(
            actor=world["staff"],
            programme=world["programme"],
            year=2026,
            opens_at=timezone.now(),
            closes_at=timezone.now() + timedelta(days=1),
        )


def test_nomination_rules(world: dict[str, Any]) -> None:
    with pytest.raises(RowErrors) as category:
        nomination_save(
            actor=world["applicant"],
            cycle=world["cycle"],
            organization=world["org"],
            data={"title": "x", "category": "自然科学奖", "summary": "y"},
            members=[member(1)],
        )
    assert "category" in category.value.errors
    bad = member(1)
    bad["id_number"] = bad["id_number"][:-1] + ("0" if bad["id_number"][-1] != "0" else "1")
    with pytest.raises(RowErrors) as idno:
        nomination_save(
            actor=world["applicant"],
            cycle=world["cycle"],
            organization=world["org"],
            data={"title": "x", "category": "科技进步奖", "summary": "y"},
            members=[bad],
        )
    assert "第1位完成人" in idno.value.errors["members"][0]
    with pytest.raises(BusinessError):
        nomination_save(
            actor=world["other_staff"],
            cycle=world["cycle"],
            organization=world["org"],
            data={"title": "x", "category": "科技进步奖", "summary": "y"},
            members=[member(1)],
        )
    assert Nomination.objects.count() == 0


def test_full_cycle(world: dict[str, Any], django_capture_on_commit_callbacks: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr("kejiju.reports.services.find_soffice", lambda: None)
    staff, cycle = world["staff"], world["cycle"]
    a = nominate(world)
    b = nominate(world, "设施蔬菜物联网监测系统")
    c = nominate(world, "稻瘟病绿色防控")
    for n in (a, b, c):
        nomination_step(actor=world["applicant"], nomination=n, action="submit")
    with pytest.raises(BusinessError):  # the applicant cannot check its own nomination
        nomination_step(actor=world["applicant"], nomination=a, action="pass")
    nomination_step(actor=staff, nomination=c, action="return", reason="缺少应用证明")
    cycle_step(actor=staff, cycle=cycle, action="close_nominations")
    nomination_step(actor=staff, nomination=a, action="pass")
    nomination_step(actor=staff, nomination=b, action="pass")
    cycle_step(actor=staff, cycle=cycle, action="start_review")

    source = review_source("awards.nomination")
    assert isinstance(source, NominationReviewSource)
    subjects = {s.title: s for s in source.candidates(user=staff, kind="award", filters={"cycle": cycle.pk})}
    assert set(subjects) == {a.title, b.title} and len(subjects[a.title].member_person_ids) == 2
    source.apply_outcome(
        actor=staff,
        outcome=ReviewOutcome(
            ref=subjects[a.title].ref,
            batch_id=1,
            batch_title="评审",
            kind="award",
            score_mean=Decimal("88.5"),
            score_trimmed=Decimal("89.00"),
            rank=1,
            reviewers=5,
            opinions=("创新性强",),
        ),
    )
    nomination_review_result(actor=staff, nomination_id=b.pk, score=Decimal("80"), rank=2)
    with pytest.raises(BusinessError):
        cycle_step(actor=staff, cycle=cycle, action="decide")  # b and a not voted on yet
    grade_set(actor=staff, nomination=a, grade="一等奖")
    with pytest.raises(RowErrors) as quota:
        grade_set(actor=staff, nomination=b, grade="一等奖")
    assert "名额为 1 项" in quota.value.errors["grade"][0]
    committee_decides(staff, cycle, {a: "一等奖", b: "二等奖"})
    cycle_step(actor=staff, cycle=cycle, action="decide")
    today = timezone.localdate()
    cycle_step(
        actor=staff, cycle=cycle, action="publicize", publicity_from=today, publicity_until=today + timedelta(days=6)
    )
    objection = objection_file(nomination=b, filed_by_name="张三", content="主要完成人排序有误")
    with pytest.raises(BusinessError):
        cycle_step(actor=staff, cycle=cycle, action="close")  # period running, objection open
    objection_resolve(actor=staff, objection=objection, upheld=True, resolution="经核实异议成立，撤销授奖")
    b.refresh_from_db()
    assert b.status == NominationStatus.REVOKED
    type(cycle).objects.filter(pk=cycle.pk).update(publicity_until=today - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        cycle_step(actor=staff, cycle=cycle, action="close")
    a.refresh_from_db()
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.CLOSED and a.status == NominationStatus.GRANTED
    assert a.review_score == Decimal("89.00") and a.prize == Decimal("50000.00")
    assert a.certificate is not None and a.certificate.status == "generated"

    prize_pay(actor=staff, nomination=a, amount="30000", paid_on=today, payee=world["org"].name)
    with pytest.raises(RowErrors) as over:
        prize_pay(actor=staff, nomination=a, amount="20000.01", paid_on=today, payee=world["org"].name)
    assert "超过奖金" in over.value.errors["amount"][0]
    with pytest.raises(RowErrors):
        prize_pay(actor=staff, nomination=a, amount="1.001", paid_on=today, payee="x")
    assert PrizePayment.objects.count() == 1
    assert OperationLog.objects.filter(action="awards.certificate_issue").count() == 1


def test_higher_award(world: dict[str, Any]) -> None:
    award = higher_award_save(
        actor=world["staff"],
        data={
            "name": "安徽省科学技术奖",
            "level": "provincial",
            "grade": "三等奖",
            "year": 2026,
            "title": "电线电缆绝缘新材料",
            "prize": "20000",
        },
        organization=world["org"],
        persons=[member(3, "王五")],
    )
    assert award.region_id == "341181" and award.persons.get().name == "王五"
    with pytest.raises(RowErrors) as bad:
        higher_award_save(actor=world["staff"], data={"name": "", "level": "x", "year": "abc", "title": "t"})
    assert set(bad.value.errors) >= {"name", "level", "year"}
