"""Talent-pool services: categories, memberships, honours, training, and a selection round from
nomination to granting — each rule, the audit rows, and no change on failure."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.models import OperationLog
from kejiju.people import selectors
from kejiju.people.models import (
    Honour,
    Nomination,
    Objection,
    Person,
    SelectionRound,
    SelectionRoundTransition,
    TalentCategory,
    TalentMembership,
    TrainingRecord,
)
from kejiju.people.registry import person_roles
from kejiju.people.services import (
    category_save,
    honour_archive,
    honour_save,
    membership_archive,
    membership_grant,
    nomination_apply_review,
    nomination_create,
    nomination_decide,
    nomination_score,
    nomination_withdraw,
    objection_handle,
    objection_submit,
    round_transition,
    round_update,
    training_save,
)
from kejiju.people.tests.factories import category, id_number, make_person, make_round, person_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(regions, make_user):
    category()
    return make_user("bureau_staff", "341181")


@pytest.fixture
def admin(regions, make_user):
    category()
    return make_user("bureau_admin", "341181")


@pytest.fixture
def leader(regions, make_user):
    return make_user("bureau_leader", "341181")


THIS_YEAR = timezone.localdate().year


# ------------------------------------------------------------------ categories


def test_default_categories_exist(staff):
    names = set(TalentCategory.objects.values_list("name", flat=True))
    assert {"拔尖人才", "乡土人才", "三区科技人才", "引进人才", "青年人才"} <= names


def test_category_save_rules(admin, staff):
    cat = category_save(actor=admin, data={"code": "skilled", "name": "技能人才", "order": "60"})
    assert cat.is_active and OperationLog.objects.filter(action="people.category_save").exists()
    with pytest.raises(RowErrors) as exc:
        category_save(actor=admin, data={"code": "Bad Code", "name": "拔尖人才"})
    assert set(exc.value.errors) == {"code", "name"}
    with pytest.raises(BusinessError) as exc2:
        category_save(actor=staff, data={"code": "x", "name": "某类"})
    assert exc2.value.code == "forbidden"
    category_save(actor=admin, category=cat, data={"code": "skilled", "name": "技能人才", "is_active": False})
    cat.refresh_from_db()
    assert not cat.is_active


# ------------------------------------------------------------------ memberships


def test_membership_grant_and_roles(staff):
    person = make_person(staff)
    m = membership_grant(
        actor=staff, person=person, category=category("rural"), year=THIS_YEAR, document_no="天科〔2026〕3号"
    )
    assert m.region_id == person.region_id
    assert OperationLog.objects.filter(action="people.membership_grant", target_id=str(m.pk)).exists()
    roles = person_roles(staff, person)
    assert any("乡土人才" in r.label for r in roles)
    # several categories for one person
    membership_grant(actor=staff, person=person, category=category("young"), year=THIS_YEAR)
    assert selectors.person_memberships(person=person).count() == 2


@pytest.mark.parametrize(
    "year,fragment", [("", "不能为空"), ("1900", "之间"), (str(THIS_YEAR + 2), "之间"), ("20x6", "之间")]
)
def test_membership_bad_year(staff, year, fragment):
    person = make_person(staff)
    with pytest.raises(RowErrors) as exc:
        membership_grant(actor=staff, person=person, category=category(), year=year)
    assert fragment in exc.value.errors["year"][0]
    assert not TalentMembership.objects.exists()


def test_membership_twice_and_disabled_category(staff):
    person = make_person(staff)
    membership_grant(actor=staff, person=person, category=category(), year=THIS_YEAR)
    with pytest.raises(RowErrors) as exc:
        membership_grant(actor=staff, person=person, category=category(), year=THIS_YEAR)
    assert "已在" in exc.value.errors["category"][0]
    off = category("introduced")
    off.is_active = False
    off.save()
    with pytest.raises(RowErrors) as exc:
        membership_grant(actor=staff, person=person, category=off, year=THIS_YEAR)
    assert "已停用" in exc.value.errors["category"][0]
    assert TalentMembership.objects.count() == 1


def test_membership_permission(staff, leader):
    person = make_person(staff)
    with pytest.raises(BusinessError):
        membership_grant(actor=leader, person=person, category=category(), year=THIS_YEAR)
    assert not TalentMembership.objects.exists()


def test_membership_archive_needs_reason_then_allows_rejoin(staff):
    person = make_person(staff)
    m = membership_grant(actor=staff, person=person, category=category(), year=THIS_YEAR - 3)
    with pytest.raises(BusinessError) as exc:
        membership_archive(actor=staff, membership=m, reason="  ")
    assert exc.value.field == "reason"
    membership_archive(actor=staff, membership=m, reason="调离本地")
    m.refresh_from_db()
    assert m.is_archived and "调离本地" in m.notes
    again = membership_grant(actor=staff, person=person, category=category(), year=THIS_YEAR)
    assert again.pk != m.pk


# ------------------------------------------------------------------ honours and training


def test_honour_save_and_archive(staff):
    person = make_person(staff)
    h = honour_save(actor=staff, person=person, data={"title": "省级劳动模范", "level": "provincial", "year": "2024"})
    assert h.year == 2024 and h.region_id == person.region_id
    honour_save(
        actor=staff, person=person, honour=h, data={"title": "安徽省劳动模范", "level": "provincial", "year": "2024"}
    )
    h.refresh_from_db()
    assert h.title == "安徽省劳动模范" and Honour.objects.count() == 1
    honour_archive(actor=staff, honour=h)
    assert selectors.person_honours(person=person).count() == 0
    assert OperationLog.objects.filter(action="people.honour_save").count() == 2


def test_honour_rules(staff):
    person = make_person(staff)
    with pytest.raises(RowErrors) as exc:
        honour_save(actor=staff, person=person, data={"title": "", "level": "world", "year": "1800"})
    assert set(exc.value.errors) == {"title", "level", "year"}
    assert not Honour.objects.exists()


def test_honour_with_document_upload(staff):
    import io

    person = make_person(staff)
    pdf = io.BytesIO(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    pdf.name = "证书.pdf"
    h = honour_save(actor=staff, person=person, data={"title": "县拔尖人才", "year": "2025"}, upload=pdf)
    assert h.attachment_id and h.attachment.original_name.endswith(".pdf")


def test_training_rules(staff):
    person = make_person(staff)
    t = training_save(
        actor=staff,
        person=person,
        data={"title": "新型职业农民培训", "start_date": "2025-03-01", "end_date": "2025-03-05", "hours": "32.5"},
    )
    assert t.hours == Decimal("32.5")
    with pytest.raises(RowErrors) as exc:
        training_save(
            actor=staff,
            person=person,
            data={"title": "x", "start_date": "2025-03-05", "end_date": "2025-03-01", "hours": "1.25"},
        )
    assert set(exc.value.errors) == {"end_date", "hours"}
    with pytest.raises(RowErrors) as exc:
        training_save(actor=staff, person=person, data={"title": "", "start_date": "2025-02-30"})
    assert set(exc.value.errors) == {"title", "start_date"}
    assert TrainingRecord.objects.count() == 1


def test_activities_from_outreach_are_guarded(staff):
    person = make_person(staff)
    assert isinstance(selectors.person_activities(person=person), list)


# ------------------------------------------------------------------ selection round


def _nominate(staff, rnd, name, **extra):
    return nomination_create(
        actor=staff, selection_round=rnd, person_data=person_data(name=name, **extra), achievements="业绩突出。"
    )


def _to_publicity(staff, rnd, *names):
    round_transition(actor=staff, selection_round=rnd, action="open")
    nominations = [_nominate(staff, rnd, n) for n in names]
    round_transition(actor=staff, selection_round=rnd, action="start_review")
    for i, n in enumerate(nominations):
        nomination_score(actor=staff, nomination=n, score=str(90 - i), reviewers="5")
        nomination_decide(actor=staff, nomination=n, result="selected" if i < 2 else "not_selected")
    round_transition(actor=staff, selection_round=rnd, action="decide")
    today = timezone.localdate()
    round_transition(
        actor=staff,
        selection_round=rnd,
        action="publish",
        data={"publicity_start": today.isoformat(), "publicity_end": (today + timedelta(days=6)).isoformat()},
    )
    rnd.refresh_from_db()
    return nominations


def test_round_end_to_end(staff):
    rnd = make_round(staff)
    assert rnd.status == "draft"
    nominations = _to_publicity(staff, rnd, "甲一", "乙二", "丙三")
    assert rnd.status == "publicity"
    assert list(selectors.round_selected(selection_round=rnd)) == nominations[:2]
    # public objection, dismissed
    o = objection_submit(
        actor=None,
        selection_round=rnd,
        data={
            "submitter_name": "群众",
            "submitter_phone": "13800000000",
            "content": "甲一的业绩材料有夸大之处。",
            "nomination": nominations[0].pk,
        },
    )
    with pytest.raises(BusinessError) as exc:
        round_transition(actor=staff, selection_round=rnd, action="grant")
    assert exc.value.code == "publicity_running"
    objection_handle(actor=staff, objection=o, upheld=False, handling="经核实，材料属实。")
    # the period ends
    SelectionRound.objects.filter(pk=rnd.pk).update(
        publicity_start=timezone.localdate() - timedelta(days=8), publicity_end=timezone.localdate() - timedelta(days=1)
    )
    rnd.refresh_from_db()
    round_transition(actor=staff, selection_round=rnd, action="grant")
    rnd.refresh_from_db()
    assert rnd.status == "granted"
    granted = TalentMembership.objects.filter(selection_round=rnd)
    assert sorted(m.person.name for m in granted) == ["乙二", "甲一"]
    assert all(m.category.code == "top" and m.year == 2026 for m in granted)
    actions = list(SelectionRoundTransition.objects.filter(selection_round=rnd).values_list("action", flat=True))
    assert actions == ["open", "start_review", "decide", "publish", "grant"]
    assert OperationLog.objects.filter(action="people.round_transition").count() == 5


def test_grant_blocked_by_open_objection_and_upheld_objection_removes_nominee(staff):
    rnd = make_round(staff)
    nominations = _to_publicity(staff, rnd, "甲一", "乙二")
    o = objection_submit(
        actor=None,
        selection_round=rnd,
        data={
            "submitter_name": "张三",
            "submitter_phone": "0550-7012345",
            "content": "乙二存在学术不端行为，有证据。",
            "nomination": nominations[1].pk,
        },
    )
    SelectionRound.objects.filter(pk=rnd.pk).update(publicity_end=timezone.localdate() - timedelta(days=1))
    with pytest.raises(BusinessError) as exc:
        round_transition(actor=staff, selection_round=rnd, action="grant")
    assert exc.value.code == "open_objections"
    objection_handle(actor=staff, objection=o, upheld=True, handling="经核实，异议成立。")
    nominations[1].refresh_from_db()
    assert nominations[1].result == "withdrawn"
    round_transition(actor=staff, selection_round=rnd, action="grant")
    assert list(TalentMembership.objects.values_list("person__name", flat=True)) == ["甲一"]


def test_objection_rules(staff):
    rnd = make_round(staff)
    nominations = _to_publicity(staff, rnd, "甲一", "乙二", "丙三")
    with pytest.raises(RowErrors) as exc:
        objection_submit(
            actor=None,
            selection_round=rnd,
            data={"submitter_name": "", "submitter_phone": "12", "content": "太短", "nomination": nominations[2].pk},
        )
    assert set(exc.value.errors) == {"submitter_name", "submitter_phone", "content", "nomination"}
    assert not Objection.objects.exists()
    SelectionRound.objects.filter(pk=rnd.pk).update(publicity_end=timezone.localdate() - timedelta(days=1))
    with pytest.raises(BusinessError) as exc2:
        objection_submit(
            actor=None,
            selection_round=rnd,
            data={"submitter_name": "某人", "submitter_phone": "13800000000", "content": "十个字以上的异议内容。"},
        )
    assert exc2.value.code == "not_in_publicity"


def test_nomination_rules(staff):
    rnd = make_round(staff)
    with pytest.raises(BusinessError) as exc:
        _nominate(staff, rnd, "甲一")
    assert exc.value.code == "bad_status"
    round_transition(actor=staff, selection_round=rnd, action="open")
    first = _nominate(staff, rnd, "甲一")
    # the same person again (by ID number)
    with pytest.raises(RowErrors) as exc2:
        nomination_create(
            actor=staff, selection_round=rnd, person_data={"name": "甲一", "id_number": first.person.id_number}
        )
    assert "已在本次评选" in exc2.value.errors["id_number"][0]
    # a name that does not match the registered number
    with pytest.raises(RowErrors) as exc3:
        nomination_create(
            actor=staff, selection_round=rnd, person_data={"name": "甲二", "id_number": first.person.id_number}
        )
    assert "不一致" in exc3.value.errors["name"][0]
    # a bad ID number, a passport in the wrong format
    for bad in ({"id_number": "341181198506150010"}, {"id_type": "passport", "id_number": "AB"}):
        with pytest.raises(RowErrors) as exc4:
            nomination_create(actor=staff, selection_round=rnd, person_data={"name": "丁四", **bad})
        assert "id_number" in exc4.value.errors
    assert Nomination.objects.count() == 1 and Person.objects.count() == 1
    # an existing person of the pool is reused
    person = make_person(staff, name="戊五")
    n = nomination_create(actor=staff, selection_round=rnd, person_data={"name": "戊五", "id_number": person.id_number})
    assert n.person_id == person.pk
    nomination_withdraw(actor=staff, nomination=n)
    assert selectors.round_nominations(selection_round=rnd).count() == 1


def test_review_steps_rules(staff):
    rnd = make_round(staff, quota="1")
    round_transition(actor=staff, selection_round=rnd, action="open")
    with pytest.raises(BusinessError):
        round_transition(actor=staff, selection_round=rnd, action="decide")  # wrong status
    a, b = _nominate(staff, rnd, "甲一"), _nominate(staff, rnd, "乙二")
    with pytest.raises(BusinessError):
        nomination_score(actor=staff, nomination=a, score="80")  # not reviewing yet
    round_transition(actor=staff, selection_round=rnd, action="start_review")
    for bad in ("", "100.01", "-1", "80.123", "abc", "NaN"):
        with pytest.raises(RowErrors):
            nomination_score(actor=staff, nomination=a, score=bad)
    a.refresh_from_db()
    assert a.score is None
    nomination_score(actor=staff, nomination=a, score="88.50", opinion="业绩突出")
    with pytest.raises(BusinessError) as exc:
        round_transition(actor=staff, selection_round=rnd, action="decide")
    assert exc.value.code == "pending"
    nomination_decide(actor=staff, nomination=a, result="selected")
    nomination_decide(actor=staff, nomination=b, result="selected")
    with pytest.raises(BusinessError) as exc:
        round_transition(actor=staff, selection_round=rnd, action="decide")
    assert exc.value.code == "over_quota"
    with pytest.raises(RowErrors):
        nomination_decide(actor=staff, nomination=b, result="maybe")
    nomination_decide(actor=staff, nomination=b, result="not_selected")
    round_transition(actor=staff, selection_round=rnd, action="decide")
    with pytest.raises(RowErrors) as exc2:
        round_transition(
            actor=staff,
            selection_round=rnd,
            action="publish",
            data={"publicity_start": "2026-05-10", "publicity_end": "2026-05-01"},
        )
    assert "publicity_end" in exc2.value.errors
    rnd.refresh_from_db()
    assert rnd.status == "decided" and rnd.publicity_start is None


def test_cancel_needs_reason_and_permission(staff, leader):
    rnd = make_round(staff)
    with pytest.raises(BusinessError) as exc:
        round_transition(actor=staff, selection_round=rnd, action="cancel")
    assert exc.value.code == "reason_required"
    with pytest.raises(BusinessError) as exc2:
        round_transition(actor=leader, selection_round=rnd, action="cancel", reason="x")
    assert exc2.value.code == "forbidden"
    round_transition(actor=staff, selection_round=rnd, action="cancel", reason="名额取消")
    rnd.refresh_from_db()
    assert rnd.status == "cancelled"
    with pytest.raises(BusinessError):
        round_update(actor=staff, selection_round=rnd, data={"title": "x", "category": "top", "year": "2026"})


def test_round_create_rules(staff):
    with pytest.raises(RowErrors) as exc:
        make_round(staff, title="", category="nope", year="26", quota="0")
    assert set(exc.value.errors) == {"title", "category", "year", "quota"}
    assert not SelectionRound.objects.exists()


def test_review_source_applies_outcome(staff):
    from kejiju.review.sources import ReviewOutcome, review_source

    source = review_source("people.nomination")
    assert source is not None and source.kinds == (("selection", "人才评选"),)
    rnd = make_round(staff)
    round_transition(actor=staff, selection_round=rnd, action="open")
    n = _nominate(staff, rnd, "甲一", subjects=["210"])
    assert source.candidates(user=staff, kind="selection", filters={}) == []  # not reviewing yet
    round_transition(actor=staff, selection_round=rnd, action="start_review")
    subjects = source.candidates(user=staff, kind="selection", filters={"round": rnd.pk})
    assert [s.ref for s in subjects] == ["people.nomination:%d" % n.pk]
    assert subjects[0].subjects == ("210",) and subjects[0].member_person_ids == (n.person_id,)
    doc = source.document(subjects[0].ref)
    assert ("主要业绩", "业绩突出。") in doc.fields
    source.apply_outcome(
        actor=staff,
        outcome=ReviewOutcome(
            ref=subjects[0].ref,
            batch_id=1,
            batch_title="评审",
            kind="selection",
            score_mean=Decimal("86.333"),
            score_trimmed=Decimal("87.5"),
            rank=1,
            reviewers=5,
            opinions=("好",),
        ),
    )
    n.refresh_from_db()
    assert n.score == Decimal("87.50") and n.reviewers == 5 and n.review_opinion == "好"
    with pytest.raises(BusinessError):
        source.apply_outcome(
            actor=staff,
            outcome=ReviewOutcome(
                ref="people.nomination:x",
                batch_id=1,
                batch_title="",
                kind="selection",
                score_mean=None,
                score_trimmed=None,
                rank=None,
                reviewers=0,
            ),
        )


def test_apply_review_refused_after_decision(staff):
    rnd = make_round(staff)
    _to_publicity(staff, rnd, "甲一")
    n = Nomination.objects.get()
    with pytest.raises(BusinessError):
        nomination_apply_review(actor=staff, nomination_id=n.pk, score=Decimal("50"), reviewers=3, opinions=())
    n.refresh_from_db()
    assert n.score == Decimal("90")


def test_talent_stats(staff):
    from datetime import date

    today = timezone.localdate()
    young = make_person(staff, name="青年", id_number=id_number(date(today.year - 30, 1, 1)))
    old = make_person(staff, name="老年", id_number=id_number(date(today.year - 62, 1, 1)), region="341181100")
    mid = make_person(staff, name="中年", id_number=id_number(date(today.year - 50, 1, 1)), subjects=[])
    for p in (young, old, mid):
        membership_grant(actor=staff, person=p, category=category("top"), year=THIS_YEAR)
    membership_grant(actor=staff, person=young, category=category("young"), year=THIS_YEAR)
    stats = selectors.talent_stats(user=staff)
    assert stats["total"] == 3
    assert stats["by_category"] == {"拔尖人才": 3, "青年人才": 1}
    assert (
        stats["by_age"]["35 岁以下"] == 1 and stats["by_age"]["60 岁及以上"] == 1 and stats["by_age"]["45–54 岁"] == 1
    )
    assert stats["by_subject"]["210"] == 2 and stats["by_subject"]["未填"] == 1
    assert sum(stats["by_region"].values()) == 3
    assert stats["young_share"] == pytest.approx(33.3) and stats["old_share"] == pytest.approx(33.3)


def test_indicators(staff):
    from datetime import date

    from kejiju.core.indicators import get_indicator, registered_indicators

    codes = {i.code for i in registered_indicators("talents")}
    assert {"people.talents_in_pool", "people.talents_new", "people.talents_selected", "people.honours"} <= codes
    p = make_person(staff)
    membership_grant(actor=staff, person=p, category=category(), year=2024)
    honour_save(actor=staff, person=p, data={"title": "县劳模", "year": "2025"})
    pool = get_indicator("people.talents_in_pool")
    new = get_indicator("people.talents_new")
    honours = get_indicator("people.honours")
    assert pool.value(pool.records("341181", date(2025, 1, 1), date(2025, 12, 31))) == 1
    assert pool.value(pool.records("341181", date(2023, 1, 1), date(2023, 12, 31))) == 0
    assert pool.value(pool.records("341182", date(2025, 1, 1), date(2025, 12, 31))) == 0
    assert new.value(new.records("3411", date(2024, 1, 1), date(2024, 12, 31))) == 1
    assert honours.value(honours.records("34", date(2025, 1, 1), date(2025, 12, 31))) == 1
    assert pool.list_url("341181", date(2025, 1, 1), date(2025, 12, 31)).startswith("/people/talents/")
