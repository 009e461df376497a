"""The award committee's meeting vote (评审委员会会议表决): the exact counting rules, the meeting with its
quorum, the votes with their counts, re-votes keeping history, adjustments only with a reason, the
decision applying the votes; the pages (meeting form, vote sheet, results with the Excel export) and
the API. Every refusal leaves nothing stored."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction
from io import BytesIO
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from kejiju.awards.choices import CycleStatus, NominationStatus
from kejiju.awards.models import AwardCycle, Nomination, NominationVote, VoteMeeting
from kejiju.awards.services import (
    cycle_step,
    grade_set,
    meeting_save,
    nomination_review_result,
    nomination_step,
    programme_save,
    vote_override,
    vote_record,
    vote_sheet,
)
from kejiju.awards.tests.test_services import GRADES, nominate, world  # noqa: F401  (fixture)
from kejiju.awards.voting import parse_fraction, quorum_met, quorum_needed, vote_passes, votes_needed
from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.models import OperationLog
from kejiju.core.testing.factories import role_user

URLS = "kejiju.config.urls"
COMMITTEE = [{"name": f"委员{n}", "unit": "天长市科学技术局"} for n in range(1, 10)]  # 9 members


@pytest.fixture
def review(world: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    """The world's cycle in 专家评审 with three checked nominations a, b, c (review ranks 1–3)."""
    staff, cycle = world["staff"], world["cycle"]
    items = [nominate(world, title) for title in ("稻虾共养技术", "设施蔬菜物联网监测", "电缆阻燃护套材料")]
    for n in items:
        nomination_step(actor=world["applicant"], nomination=n, action="submit")
    cycle_step(actor=staff, cycle=cycle, action="close_nominations")
    for n in items:
        nomination_step(actor=staff, nomination=n, action="pass")
    cycle_step(actor=staff, cycle=cycle, action="start_review")
    for rank, n in enumerate(items, start=1):
        nomination_review_result(actor=staff, nomination_id=n.pk, score=None, rank=rank, opinions=[f"意见{rank}"])
    return {**world, "items": items}


def _meeting(setup: dict[str, Any], present: int = 9) -> VoteMeeting:
    return meeting_save(
        actor=setup["staff"],
        cycle=setup["cycle"],
        held_on=timezone.localdate(),
        place="科技局三楼会议室",
        members=COMMITTEE,
        members_present=present,
    )


def _vote(setup: dict[str, Any], n: Nomination, grade: str, yes: Any, no: Any = 0, abstain: Any = 0) -> NominationVote:
    return vote_record(
        actor=setup["staff"], nomination=n, grade=grade, votes_for=yes, votes_against=no, votes_abstain=abstain
    )


def _logs(action: str) -> int:
    return OperationLog.objects.filter(action=action).count()


# ---------------------------------------------------------------- the counting rules


@hsettings(max_examples=300, deadline=None)
@given(present=st.integers(min_value=1, max_value=500), votes_for=st.integers(min_value=0, max_value=500))
def test_two_thirds_rule_is_exact(present: int, votes_for: int) -> None:
    """At least two-thirds of the members present, compared exactly (never as a rounded decimal)."""
    votes_for = min(votes_for, present)
    two_thirds = Fraction(2, 3)
    assert vote_passes(votes_for, present, two_thirds) == (3 * votes_for >= 2 * present)
    assert vote_passes(votes_for, present, two_thirds) == (votes_for >= votes_needed(present, two_thirds))
    # a majority ("过半数") is more than half
    assert vote_passes(votes_for, present, Fraction(1, 2), exceeds=True) == (2 * votes_for > present)
    assert vote_passes(votes_for, present, Fraction(1, 2), exceeds=True) == (
        votes_for >= votes_needed(present, Fraction(1, 2), exceeds=True)
    )


@hsettings(max_examples=100, deadline=None)
@given(k=st.integers(min_value=1, max_value=300))
def test_exactly_two_thirds_passes_and_one_less_fails(k: int) -> None:
    present = 3 * k
    assert vote_passes(2 * k, present, Fraction(2, 3))
    assert not vote_passes(2 * k - 1, present, Fraction(2, 3))
    assert not vote_passes(2 * k, present, Fraction(2, 3), exceeds=True)
    assert quorum_met(2 * k, present, Fraction(2, 3)) and not quorum_met(2 * k - 1, present, Fraction(2, 3))
    assert quorum_needed(present, Fraction(2, 3)) == 2 * k


def test_fractions_are_parsed_strictly() -> None:
    assert parse_fraction("2/3") == Fraction(2, 3) and parse_fraction(" 1／2 ") == Fraction(1, 2)
    assert parse_fraction("1") == 1
    for bad in ("", "0/3", "4/3", "2/0", "0.67", "abc", "-1/2", "2/3/4", None):
        with pytest.raises(ValueError):
            parse_fraction(bad)


# ---------------------------------------------------------------- meeting


def test_meeting_quorum(review: dict[str, Any]) -> None:
    with pytest.raises(RowErrors) as short:  # 9 members: 6 make two-thirds
        _meeting(review, present=5)
    assert "至少 6 人" in short.value.errors["members_present"][0]
    with pytest.raises(RowErrors) as over:
        _meeting(review, present=10)
    assert "超过全体委员 9 人" in over.value.errors["members_present"][0]
    with pytest.raises(RowErrors) as bad:
        meeting_save(
            actor=review["staff"],
            cycle=review["cycle"],
            held_on=timezone.localdate() + timedelta(days=1),
            place=" ",
            members=[{"name": ""}],
            members_present="六",
        )
    assert set(bad.value.errors) == {"held_on", "place", "members", "members_present"}
    assert not VoteMeeting.objects.exists() and _logs("awards.meeting_save") == 0

    meeting = _meeting(review, present=6)
    assert (meeting.members_total, meeting.members_present, meeting.quorum, meeting.pass_fraction) == (
        9,
        6,
        "2/3",
        "2/3",
    )
    assert meeting.rule_display == "赞成票 ≥ 2/3 出席委员（至少 4 票）"
    log = OperationLog.objects.get(action="awards.meeting_save")
    assert log.extra["present"] == 6 and log.extra["members"] == 9 and log.target_id == str(review["cycle"].pk)
    _meeting(review, present=7)  # corrected before any vote
    assert VoteMeeting.objects.get().members_present == 7


def test_meeting_only_in_review_and_own_region(world: dict[str, Any]) -> None:  # noqa: F811
    with pytest.raises(BusinessError) as state:  # the cycle is still open for nominations
        _meeting(world)
    assert state.value.code == "bad_transition"
    with pytest.raises(BusinessError) as region:
        meeting_save(
            actor=world["other_staff"],
            cycle=world["cycle"],
            held_on=timezone.localdate(),
            place="x",
            members=COMMITTEE,
            members_present=9,
        )
    assert region.value.code == "forbidden"
    with pytest.raises(BusinessError):  # the nominating organization cannot record it either
        meeting_save(
            actor=world["applicant"],
            cycle=world["cycle"],
            held_on=timezone.localdate(),
            place="x",
            members=COMMITTEE,
            members_present=9,
        )
    assert not VoteMeeting.objects.exists()


# ---------------------------------------------------------------- votes


def test_vote_needs_the_meeting(review: dict[str, Any]) -> None:
    with pytest.raises(BusinessError) as none:
        _vote(review, review["items"][0], "一等奖", 9)
    assert none.value.code == "no_meeting" and not NominationVote.objects.exists()


@pytest.mark.parametrize(
    ("counts", "field", "words"),
    [
        ((-1, 0, 0), "votes_for", "不能为负数"),
        (("1.5", 0, 0), "votes_for", "不是整数"),
        ((6, "abc", 0), "votes_against", "不是整数"),
        ((6, 0, True), "votes_abstain", "不是整数"),
        ((6, 0, None), "votes_abstain", "不是整数"),
        ((6, 0, 2.0), "votes_abstain", "不是整数"),
        ((7, 2, 1), "votes", "超过出席委员 9 人"),
    ],
)
def test_bad_counts_are_refused(review: dict[str, Any], counts: tuple[Any, ...], field: str, words: str) -> None:
    _meeting(review)
    with pytest.raises(RowErrors) as bad:
        _vote(review, review["items"][0], "一等奖", *counts)
    assert words in bad.value.errors[field][0]
    assert not NominationVote.objects.exists() and _logs("awards.vote_record") == 0


def test_bad_grade_and_unchecked_nomination(review: dict[str, Any]) -> None:
    _meeting(review)
    with pytest.raises(RowErrors) as grade:
        _vote(review, review["items"][0], "特等奖", 9)
    assert "一等奖、二等奖、三等奖" in grade.value.errors["grade"][0]
    draft = Nomination.objects.create(
        cycle=review["cycle"],
        region_id="341181",
        title="未提交的推荐",
        category="科技进步奖",
        summary="x",
        organization=review["org"],
        created_by=review["applicant"],
    )
    with pytest.raises(BusinessError) as unchecked:
        _vote(review, draft, "一等奖", 9)
    assert unchecked.value.code == "bad_transition"
    with pytest.raises(BusinessError) as other:
        vote_record(
            actor=review["other_staff"],
            nomination=review["items"][0],
            grade="一等奖",
            votes_for=9,
            votes_against=0,
            votes_abstain=0,
        )
    assert other.value.code == "forbidden"
    assert not NominationVote.objects.exists()


def test_pass_rule_at_the_boundary_and_revote_history(review: dict[str, Any]) -> None:
    _meeting(review)  # 9 present: 6 votes for are exactly two-thirds
    a = review["items"][0]
    failed = _vote(review, a, "一等奖", 5, 3, 1)
    assert not failed.passed and failed.result_display == "未通过（赞成 5/9）" and failed.outcome_grade == ""
    passed = _vote(review, a, "一等奖", 6, 2, 1)
    assert passed.passed and passed.result_display == "通过（赞成 6/9）" and passed.outcome_grade == "一等奖"
    failed.refresh_from_db()
    assert not failed.is_current and passed.is_current
    assert list(a.votes.values_list("votes_for", flat=True)) == [5, 6]
    logs = OperationLog.objects.filter(action="awards.vote_record").order_by("pk")
    assert [log.extra["replaces"] for log in logs] == [None, failed.pk]
    assert logs[1].extra["rule"] == "≥ 2/3" and logs[1].extra["passed"] is True
    with pytest.raises(RowErrors):  # the present number is fixed once votes are counted on it
        _meeting(review, present=8)
    assert VoteMeeting.objects.get().members_present == 9
    a.refresh_from_db()
    assert a.status == NominationStatus.PASSED and a.grade == ""  # nothing applied before the decision


def test_majority_rule_configured_per_programme(world: dict[str, Any]) -> None:  # noqa: F811
    programme = world["programme"]
    with pytest.raises(RowErrors) as bad:
        programme_save(
            actor=world["staff"], name=programme.name, categories=programme.categories, grades=GRADES, vote_pass="3/2"
        )
    assert "vote_pass" in bad.value.errors
    programme_save(
        actor=world["staff"],
        name=programme.name,
        categories=programme.categories,
        grades=GRADES,
        programme=programme,
        vote_quorum="1/2",
        vote_pass="1/2",
        vote_pass_exceeds=True,
    )
    programme.refresh_from_db()
    assert (programme.vote_quorum, programme.vote_pass, programme.vote_pass_exceeds) == ("1/2", "1/2", True)
    staff, cycle = world["staff"], world["cycle"]
    n = nominate(world)
    nomination_step(actor=world["applicant"], nomination=n, action="submit")
    cycle_step(actor=staff, cycle=cycle, action="close_nominations")
    nomination_step(actor=staff, nomination=n, action="pass")
    cycle_step(actor=staff, cycle=cycle, action="start_review")
    members = COMMITTEE[:8]
    meeting = meeting_save(
        actor=staff, cycle=cycle, held_on=timezone.localdate(), place="会议室", members=members, members_present=4
    )
    assert meeting.pass_exceeds and meeting.rule_display == "赞成票 > 1/2 出席委员（至少 3 票）"
    assert not _vote(world, n, "三等奖", 2, 2).passed  # half is not a majority
    assert _vote(world, n, "三等奖", 3, 1).passed


def test_decision_applies_votes_and_adjustments(review: dict[str, Any]) -> None:
    staff, cycle = review["staff"], review["cycle"]
    a, b, c = review["items"]
    _meeting(review)
    _vote(review, a, "一等奖", 8, 1, 0)
    _vote(review, b, "二等奖", 4, 4, 1)  # fails
    with pytest.raises(BusinessError) as missing:
        cycle_step(actor=staff, cycle=cycle, action="decide")
    assert "1 项推荐未经评审委员会表决" in missing.value.message and c.title in missing.value.message
    _vote(review, c, "三等奖", 9)

    with pytest.raises(RowErrors) as no_reason:
        vote_override(actor=staff, nomination=b, grade="三等奖", reason=" ")
    assert "理由" in no_reason.value.errors["reason"][0]
    vote_override(actor=staff, nomination=b, grade="三等奖", reason="经评审委员会复议，降等授奖")
    vote_override(actor=staff, nomination=c, grade="", reason="获奖项目存在知识产权纠纷，暂缓授奖")
    vote_override(actor=staff, nomination=c, grade="三等奖", reason="")  # back to the vote's own outcome
    assert not NominationVote.objects.get(nomination=c).overridden
    assert _logs("awards.vote_override") == 3

    cycle_step(actor=staff, cycle=cycle, action="decide")
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.DECIDED
    for n in (a, b, c):
        n.refresh_from_db()
    assert (a.status, a.grade, str(a.prize)) == (NominationStatus.AWARDED, "一等奖", "50000.00")
    assert (b.status, b.grade, str(b.prize)) == (NominationStatus.AWARDED, "三等奖", "10000.00")
    assert (c.status, c.grade) == (NominationStatus.AWARDED, "三等奖")
    b_step = b.transitions.get(action="award")
    assert b_step.reason == "经评审委员会复议，降等授奖" and b_step.extra["override"] is True
    assert b_step.extra["votes_for"] == 4 and b_step.extra["passed"] is False
    a_step = a.transitions.get(action="award")
    assert a_step.reason == "" and a_step.extra["override"] is False
    assert _logs("awards.grade_set") == 3
    with pytest.raises(BusinessError):  # the votes are closed with the decision
        _vote(review, a, "二等奖", 9)
    with pytest.raises(BusinessError):
        vote_override(actor=staff, nomination=a, grade="", reason="x")


def test_failed_vote_goes_not_awarded_and_quota_excess_changes_nothing(review: dict[str, Any]) -> None:
    staff, cycle = review["staff"], review["cycle"]
    a, b, c = review["items"]
    _meeting(review)
    _vote(review, a, "一等奖", 9)
    _vote(review, b, "一等奖", 7, 2)  # the quota of 一等奖 is 1
    _vote(review, c, "二等奖", 3, 6)
    with pytest.raises(BusinessError) as quota:
        cycle_step(actor=staff, cycle=cycle, action="decide")
    assert quota.value.code == "quota" and a.title in quota.value.message and b.title in quota.value.message
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.REVIEW
    assert set(Nomination.objects.values_list("status", flat=True)) == {NominationStatus.PASSED}
    assert _logs("awards.grade_set") == 0
    _vote(review, b, "二等奖", 7, 2)
    cycle_step(actor=staff, cycle=cycle, action="decide")
    c.refresh_from_db()
    assert (c.status, c.grade, c.prize) == (NominationStatus.NOT_AWARDED, "", 0)


def test_vote_sheet_records_all_rows_or_none(review: dict[str, Any]) -> None:
    staff, cycle = review["staff"], review["cycle"]
    a, b, c = review["items"]
    _meeting(review)
    rows = [
        {"nomination": a.pk, "grade": "一等奖", "votes_for": "8", "votes_against": "1", "votes_abstain": "0"},
        {"nomination": b.pk, "grade": "二等奖", "votes_for": "-2", "votes_against": "1", "votes_abstain": "0"},
    ]
    with pytest.raises(RowErrors) as bad:
        vote_sheet(actor=staff, cycle=cycle, rows=rows)
    assert bad.value.errors["votes_for"] == [f"“{b.title}”：赞成票不能为负数。"]
    assert not NominationVote.objects.exists() and _logs("awards.vote_record") == 0
    rows[1]["votes_for"] = "7"
    assert len(vote_sheet(actor=staff, cycle=cycle, rows=rows)) == 2
    rows[1]["votes_against"] = "2"
    assert len(vote_sheet(actor=staff, cycle=cycle, rows=rows)) == 1  # a's row unchanged: not a re-vote
    assert a.votes.count() == 1 and b.votes.count() == 2
    with pytest.raises(RowErrors):  # a nomination of another cycle is not on this sheet
        vote_sheet(actor=staff, cycle=cycle, rows=[{"nomination": 10**9, "grade": "一等奖", "votes_for": "9"}])


# ---------------------------------------------------------------- pages


def test_meeting_form_vote_sheet_results_and_export(client: Any, review: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    staff, cycle = review["staff"], review["cycle"]
    a, b, c = review["items"]
    client.force_login(staff)
    page = client.get(reverse("awards:cycle_detail", args=[cycle.pk])).content.decode()
    assert "登记评审委员会会议" in page and 'data-testid="meeting-missing"' in page
    assert client.get(reverse("awards:vote_sheet", args=[cycle.pk])).status_code == 302  # meeting first
    form = {
        "held_on": timezone.localdate().isoformat(),
        "place": "科技局三楼会议室",
        "members": "\n".join(f"{m['name']},{m['unit']}" for m in COMMITTEE),
        "members_present": "5",
    }
    short = client.post(reverse("awards:meeting", args=[cycle.pk]), form)
    assert short.status_code == 400 and "至少 6 人" in short.content.decode()
    assert not VoteMeeting.objects.exists()
    form["members_present"] = "9"
    saved = client.post(reverse("awards:meeting", args=[cycle.pk]), form)
    assert saved.status_code == 302 and saved["Location"] == reverse("awards:vote_sheet", args=[cycle.pk])

    sheet = client.get(reverse("awards:vote_sheet", args=[cycle.pk])).content.decode()
    assert all(n.title in sheet for n in (a, b, c)) and "意见1" in sheet
    counts = {a: ("一等奖", "8", "1", "0"), b: ("二等奖", "6", "3", "0"), c: ("三等奖", "", "", "")}
    post = {}
    for n, (grade, yes, no, abstain) in counts.items():
        post.update({f"grade_{n.pk}": grade, f"votes_for_{n.pk}": yes})
        post.update({f"votes_against_{n.pk}": no, f"votes_abstain_{n.pk}": abstain})
    post[f"votes_for_{b.pk}"] = "6.5"
    bad = client.post(reverse("awards:vote_sheet", args=[cycle.pk]), post)
    assert bad.status_code == 400 and "赞成票应为不小于 0 的整数" in bad.content.decode()
    assert not NominationVote.objects.exists()
    post[f"votes_for_{b.pk}"] = "5"
    assert client.post(reverse("awards:vote_sheet", args=[cycle.pk]), post).status_code == 302
    assert NominationVote.objects.count() == 2  # c left blank: not voted yet

    page = client.get(reverse("awards:cycle_detail", args=[cycle.pk])).content.decode()
    assert "通过（赞成 8/9）" in page and "未通过（赞成 5/9）" in page and "拟授一等奖" in page
    detail = client.get(reverse("awards:nomination_detail", args=[b.pk])).content.decode()
    assert 'data-testid="nomination-votes"' in detail and "未通过（赞成 5/9）" in detail
    client.post(reverse("awards:nomination_action", args=[b.pk, "override"]), {"grade": "三等奖", "reason": ""})
    assert not NominationVote.objects.get(nomination=b).overridden  # a reason is required
    client.post(
        reverse("awards:nomination_action", args=[b.pk, "override"]), {"grade": "三等奖", "reason": "复议后降等授奖"}
    )
    assert NominationVote.objects.get(nomination=b).override_grade == "三等奖"

    results = client.get(reverse("awards:vote_results", args=[cycle.pk]))
    assert results.status_code == 200 and "复议后降等授奖" in results.content.decode()
    export = client.get(reverse("awards:vote_results", args=[cycle.pk]), {"export": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True))
    header = list(rows[0])
    assert header[:2] == ["评审排名", "成果名称"] and "表决结果" in header
    by_title = {row[1]: row for row in rows[1:]}
    assert set(by_title) == {a.title, b.title}
    assert by_title[a.title][header.index("赞成")] == 8
    assert by_title[b.title][header.index("评定")] == "拟授三等奖（已调整）"
    assert OperationLog.objects.filter(action="core.export", extra__list="award_votes").exists()


def test_vote_pages_are_scoped(client: Any, review: dict[str, Any]) -> None:
    cycle = review["cycle"]
    _meeting(review)
    _vote(review, review["items"][0], "一等奖", 9)
    urls = [reverse(f"awards:{name}", args=[cycle.pk]) for name in ("meeting", "vote_sheet", "vote_results")]
    client.force_login(review["other_staff"])
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    assert client.post(urls[0], {"place": "x"}).status_code == 404
    client.force_login(role_user("bureau_leader", "341181"))  # may look, not record
    assert [client.get(url).status_code for url in urls] == [403, 403, 200]
    client.force_login(review["applicant"])  # the nominating organization sees no votes
    assert client.get(urls[2]).status_code == 404
    detail = client.get(reverse("awards:nomination_detail", args=[review["items"][0].pk]))
    assert detail.status_code == 200 and 'data-testid="nomination-votes"' not in detail.content.decode()
    assert VoteMeeting.objects.get().place == "科技局三楼会议室"


# ---------------------------------------------------------------- API


@pytest.mark.urls(URLS)
def test_api_meeting_and_votes(client: Any, review: dict[str, Any]) -> None:
    cycle = review["cycle"]
    a, b, _ = review["items"]
    meeting_url = reverse("awards_api:cycle_meeting", args=[cycle.pk], urlconf=URLS)
    votes_url = reverse("awards_api:cycle_votes", args=[cycle.pk], urlconf=URLS)
    client.force_login(review["staff"])
    assert client.get(meeting_url).status_code == 404
    body = {"held_on": timezone.localdate().isoformat(), "place": "会议室", "members": COMMITTEE, "members_present": 5}
    short = client.post(meeting_url, body, content_type="application/json")
    assert short.status_code == 400 and "至少 6 人" in short.json()["detail"]
    assert "members_present" in short.json()["errors"] and not VoteMeeting.objects.exists()
    unknown = client.post(meeting_url, {**body, "chair": "x"}, content_type="application/json")
    assert unknown.status_code == 400 and not VoteMeeting.objects.exists()
    body["members_present"] = 9
    saved = client.post(meeting_url, body, content_type="application/json")
    assert saved.status_code == 200 and saved.json()["members_total"] == 9
    assert client.get(meeting_url).json()["rule_display"] == "赞成票 ≥ 2/3 出席委员（至少 6 票）"

    vote = {"nomination": a.pk, "grade": "一等奖", "votes_for": 6, "votes_against": 3, "votes_abstain": 0}
    for change, words in (
        ({"votes_for": 1.5}, "赞成票"),
        ({"votes_against": -1}, "反对票"),
        ({"votes_abstain": 1}, "超过出席委员"),
        ({"grade": "特等奖"}, "表决等级"),
        ({"nomination": 10**9}, "推荐项目"),
    ):
        bad = client.post(votes_url, {**vote, **change}, content_type="application/json")
        assert bad.status_code == 400 and words in bad.json()["detail"], bad.content
    assert not NominationVote.objects.exists()
    created = client.post(votes_url, vote, content_type="application/json")
    assert created.status_code == 201 and created.json()["passed"] is True
    assert created.json()["result_display"] == "通过（赞成 6/9）"
    client.post(votes_url, {**vote, "votes_for": 5, "votes_against": 4}, content_type="application/json")
    listed = client.get(votes_url).json()
    assert [(v["nomination"], v["passed"]) for v in listed["results"]] == [(a.pk, False)]
    assert client.get(votes_url, {"history": "true"}).json()["count"] == 2
    assert client.get(votes_url, {"history": "某"}).status_code == 400

    client.force_login(review["other_staff"])
    assert client.get(meeting_url).status_code == 404 and client.get(votes_url).status_code == 404
    assert client.post(votes_url, vote, content_type="application/json").status_code == 404
    client.force_login(role_user("bureau_leader", "341181"))
    assert client.get(votes_url).status_code == 200
    assert client.post(votes_url, vote, content_type="application/json").status_code == 403
    assert client.post(meeting_url, body, content_type="application/json").status_code == 403
    assert NominationVote.objects.count() == 2 and b.votes.count() == 0
    client.logout()
    assert client.get(votes_url).status_code in (401, 403)


def test_cycle_other_region_is_404_for_a_wrong_pk(client: Any, review: dict[str, Any]) -> None:
    client.force_login(review["staff"])
    missing = AwardCycle.objects.latest("pk").pk + 1
    assert client.get(reverse("awards:meeting", args=[missing])).status_code == 404


def test_programme_form_sets_the_vote_rule(client: Any, regions: Any, make_user: Any) -> None:
    from kejiju.awards.models import AwardProgramme

    client.force_login(make_user("bureau_staff", "341181"))
    now = timezone.localtime()
    form = {
        "name": "天长市科学技术进步奖",
        "categories": "科技进步奖",
        "grades": "一等奖,50000,1",
        "year": str(now.year),
        "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"),
        "vote_quorum": "2/3",
        "vote_pass": "0.5",
        "vote_pass_exceeds": "1",
    }
    bad = client.post(reverse("awards:programme_create"), form)
    assert bad.status_code == 400 and "表决通过比例“0.5”应为 0 至 1 之间的分数" in bad.content.decode()
    assert not AwardProgramme.objects.exists()
    form["vote_pass"] = "1/2"
    assert client.post(reverse("awards:programme_create"), form).status_code == 302
    programme = AwardProgramme.objects.get()
    assert (programme.vote_quorum, programme.vote_pass, programme.vote_pass_exceeds) == ("2/3", "1/2", True)


def test_meeting_form_refuses_nul_overlong_and_too_many_members(client: Any, review: dict[str, Any]) -> None:
    """The page takes free text: NUL characters (refused by PostgreSQL), a name or place longer than the
    record holds, or more members than the API allows are a Chinese 400 naming the field, never stored
    or cut silently."""
    cycle = review["cycle"]
    client.force_login(review["staff"])
    url = reverse("awards:meeting", args=[cycle.pk])
    lines = [f"{m['name']},{m['unit']}" for m in COMMITTEE]
    form = {"held_on": timezone.localdate().isoformat(), "place": "科技局会议室", "members_present": "9"}
    cases = [
        ({"place": "科技局\x00会议室", "members": "\n".join(lines)}, "“place”含有空字符"),
        ({"place": "会" * 121, "members": "\n".join(lines)}, "会议地点"),
        ({"members": "\n".join(["委员\x001,科技局", *lines[1:]])}, "空字符"),
        ({"members": "\n".join(["委" * 41 + ",科技局", *lines[1:]])}, "40 字"),
        ({"members": "\n".join(f"委员{n},科技局" for n in range(100)), "members_present": "99"}, "至多 99 人"),
    ]
    for change, words in cases:
        response = client.post(url, {**form, **change})
        assert response.status_code == 400, change
        assert words in response.content.decode(), change
    assert not VoteMeeting.objects.exists() and _logs("awards.meeting_save") == 0


def test_override_reason_refuses_nul_and_overlong_text(review: dict[str, Any]) -> None:
    _meeting(review)
    b = review["items"][1]
    _vote(review, b, "二等奖", 3, 6)
    for reason, words in (("复议\x00后", "空字符"), ("理" * 2001, "2000 字")):
        with pytest.raises(RowErrors) as error:
            vote_override(actor=review["staff"], nomination=b, grade="二等奖", reason=reason)
        assert words in error.value.errors["reason"][0]
    vote = NominationVote.objects.get(nomination=b)
    assert not vote.overridden and vote.override_reason == "" and _logs("awards.vote_override") == 0


def test_decision_counts_quotas_after_every_vote_is_applied(review: dict[str, Any]) -> None:
    """A nomination graded 拟授一等奖 by hand before the committee voted (data from before the vote) is
    voted to 二等奖, while a nomination reviewed ahead of it is voted 一等奖 (quota 1): the quota counts
    the grades as they will be after the decision, not the hand grade still held half-way."""
    staff, cycle = review["staff"], review["cycle"]
    a, b, c = review["items"]
    grade_set(actor=staff, nomination=c, grade="一等奖")
    _meeting(review)
    _vote(review, a, "一等奖", 9)
    _vote(review, b, "三等奖", 8, 1)
    _vote(review, c, "二等奖", 7, 2)
    cycle_step(actor=staff, cycle=cycle, action="decide")
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.DECIDED
    for n in (a, b, c):
        n.refresh_from_db()
    assert (a.status, a.grade, str(a.prize)) == (NominationStatus.AWARDED, "一等奖", "50000.00")
    assert (b.status, b.grade, str(b.prize)) == (NominationStatus.AWARDED, "三等奖", "10000.00")
    assert (c.status, c.grade, str(c.prize)) == (NominationStatus.AWARDED, "二等奖", "30000.00")
    assert _logs("awards.grade_set") == 1 + 3
    logged = OperationLog.objects.filter(action="awards.grade_set", target_id=str(c.pk)).order_by("pk")
    assert [log.extra["grade"] for log in logged] == ["一等奖", "二等奖"]


def test_decision_swapping_two_quota_grades(world: dict[str, Any]) -> None:  # noqa: F811
    """Two nominations graded by hand swap their grades by the vote, each grade with a quota of one: no
    order of applying them one by one would fit, counted after the decision both fit."""
    staff, cycle = world["staff"], world["cycle"]
    grades = [{"grade": "一等奖", "prize": "50000", "quota": 1}, {"grade": "二等奖", "prize": "30000", "quota": 1}]
    programme = world["programme"]
    programme_save(
        actor=staff, name=programme.name, categories=programme.categories, grades=grades, programme=programme
    )
    a, b = nominate(world, "稻虾共养技术"), nominate(world, "设施蔬菜物联网监测")
    for n in (a, b):
        nomination_step(actor=world["applicant"], nomination=n, action="submit")
    cycle_step(actor=staff, cycle=cycle, action="close_nominations")
    for n in (a, b):
        nomination_step(actor=staff, nomination=n, action="pass")
    cycle_step(actor=staff, cycle=cycle, action="start_review")
    grade_set(actor=staff, nomination=a, grade="一等奖")
    grade_set(actor=staff, nomination=b, grade="二等奖")
    _meeting(world)
    _vote(world, a, "二等奖", 9)
    _vote(world, b, "一等奖", 9)
    cycle_step(actor=staff, cycle=cycle, action="decide")
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.grade, str(a.prize), b.grade, str(b.prize)) == ("二等奖", "30000.00", "一等奖", "50000.00")
    assert a.status == b.status == NominationStatus.AWARDED


def test_decision_quota_still_counts_a_third_holder(review: dict[str, Any]) -> None:
    """After all votes, two nominations would hold the single 一等奖: refused, naming both, nothing changed
    (the hand grade stays)."""
    staff, cycle = review["staff"], review["cycle"]
    a, b, c = review["items"]
    grade_set(actor=staff, nomination=c, grade="一等奖")
    _meeting(review)
    _vote(review, a, "一等奖", 9)
    _vote(review, b, "三等奖", 9)
    _vote(review, c, "一等奖", 9)
    with pytest.raises(BusinessError) as quota:
        cycle_step(actor=staff, cycle=cycle, action="decide")
    assert quota.value.code == "quota" and a.title in quota.value.message and c.title in quota.value.message
    c.refresh_from_db()
    assert (c.status, c.grade) == (NominationStatus.AWARDED, "一等奖")
    assert AwardCycle.objects.get(pk=cycle.pk).status == CycleStatus.REVIEW and _logs("awards.grade_set") == 1


WHOLE = "应为不小于 0 的整数"


@pytest.mark.urls(URLS)
@pytest.mark.parametrize("typed", ["6.0", "6.000", "６", "6e0", " 6.", "+6"])
def test_counts_as_typed_page_and_api_agree(client: Any, review: dict[str, Any], typed: str) -> None:
    """A count must be a whole number as typed: "6.0" or "6.000" is refused by the vote sheet and by the
    API alike, with the same message naming the field, and nothing is stored."""
    cycle = review["cycle"]
    a = review["items"][0]
    message = f"赞成票{WHOLE}（“{typed.strip()}”不是整数）。"
    _meeting(review)
    client.force_login(review["staff"])
    sheet = reverse("awards:vote_sheet", args=[cycle.pk])
    post = {f"grade_{a.pk}": "一等奖", f"votes_for_{a.pk}": typed, f"votes_against_{a.pk}": "0"}
    page = client.post(sheet, {**post, f"votes_abstain_{a.pk}": "0"})
    assert page.status_code == 400 and f"“{a.title}”：{message}" in page.content.decode()
    votes_url = reverse("awards_api:cycle_votes", args=[cycle.pk], urlconf=URLS)
    body = {"nomination": a.pk, "grade": "一等奖", "votes_for": typed, "votes_against": 0, "votes_abstain": 0}
    api = client.post(votes_url, body, content_type="application/json")
    assert api.status_code == 400, api.content
    assert api.json()["detail"] == message and api.json()["errors"]["votes_for"] == [message]
    assert api.json()["field"] == "votes_for"
    assert not NominationVote.objects.exists() and _logs("awards.vote_record") == 0


@pytest.mark.urls(URLS)
def test_api_counts_take_whole_numbers_only(client: Any, review: dict[str, Any]) -> None:
    """JSON 6.0 and true are not whole numbers as typed either; 6 and "6" are; a missing or null count
    names the field."""
    cycle = review["cycle"]
    a = review["items"][0]
    _meeting(review)
    client.force_login(review["staff"])
    votes_url = reverse("awards_api:cycle_votes", args=[cycle.pk], urlconf=URLS)
    body = {"nomination": a.pk, "grade": "一等奖", "votes_for": 6, "votes_against": 2, "votes_abstain": 1}
    for change, field, words in (
        ({"votes_against": 2.0}, "votes_against", f"反对票{WHOLE}（“2.0”不是整数）。"),
        ({"votes_abstain": True}, "votes_abstain", f"弃权票{WHOLE}（“True”不是整数）。"),
        ({"votes_for": [6]}, "votes_for", f"赞成票{WHOLE}"),
        ({"votes_for": "-1"}, "votes_for", "赞成票不能为负数。"),
        ({"votes_for": None}, "votes_for", "赞成票："),
    ):
        bad = client.post(votes_url, {**body, **change}, content_type="application/json")
        assert bad.status_code == 400 and bad.json()["field"] == field, bad.content
        assert words in bad.json()["detail"], bad.content
    missing = client.post(
        votes_url, {k: v for k, v in body.items() if k != "votes_abstain"}, content_type="application/json"
    )
    assert missing.status_code == 400 and missing.json()["field"] == "votes_abstain"
    assert not NominationVote.objects.exists() and _logs("awards.vote_record") == 0
    assert client.post(votes_url, body, content_type="application/json").status_code == 201
    again = client.post(votes_url, {**body, "votes_for": "7", "votes_against": "1"}, content_type="application/json")
    assert again.status_code == 201 and again.json()["votes_for"] == 7 and again.json()["passed"] is True
    assert _logs("awards.vote_record") == 2


@pytest.mark.urls(URLS)
def test_members_present_as_typed_page_and_api_agree(client: Any, review: dict[str, Any]) -> None:
    cycle = review["cycle"]
    message = f"出席委员人数{WHOLE}（“9.0”不是整数）。"
    client.force_login(review["staff"])
    form = {
        "held_on": timezone.localdate().isoformat(),
        "place": "科技局三楼会议室",
        "members": "\n".join(f"{m['name']},{m['unit']}" for m in COMMITTEE),
        "members_present": "9.0",
    }
    page = client.post(reverse("awards:meeting", args=[cycle.pk]), form)
    assert page.status_code == 400 and message in page.content.decode()
    meeting_url = reverse("awards_api:cycle_meeting", args=[cycle.pk], urlconf=URLS)
    body = {"held_on": form["held_on"], "place": form["place"], "members": COMMITTEE, "members_present": "9.0"}
    api = client.post(meeting_url, body, content_type="application/json")
    assert api.status_code == 400 and api.json()["detail"] == message
    assert not VoteMeeting.objects.exists() and _logs("awards.meeting_save") == 0
    assert client.post(meeting_url, {**body, "members_present": 9}, content_type="application/json").status_code == 200


@pytest.mark.urls(URLS)
def test_api_adjusts_a_voted_outcome_with_a_reason(client: Any, review: dict[str, Any]) -> None:
    """The adjustment the page offers, through the API: only a voted nomination, another outcome needs a
    reason, a grade must be the programme's; choosing the vote's own outcome clears it; logged; other
    region 404, no change permission 403."""
    cycle = review["cycle"]
    a, b, _ = review["items"]
    _meeting(review)
    client.force_login(review["staff"])
    votes_url = reverse("awards_api:cycle_votes", args=[cycle.pk], urlconf=URLS)
    url = reverse("awards_api:cycle_vote_override", args=[cycle.pk], urlconf=URLS)
    not_voted = client.post(url, {"nomination": a.pk, "grade": "", "reason": "x"}, content_type="application/json")
    assert not_voted.status_code == 400 and "尚未表决" in not_voted.json()["detail"]
    vote = {"nomination": a.pk, "grade": "一等奖", "votes_for": 7, "votes_against": 2, "votes_abstain": 0}
    assert client.post(votes_url, vote, content_type="application/json").status_code == 201
    for body, field, words in (
        ({"nomination": a.pk, "grade": "二等奖"}, "reason", "须填写理由"),
        ({"nomination": a.pk, "grade": "特等奖", "reason": "名额调整"}, "grade", "授奖等级应为"),
        ({"nomination": b.pk, "grade": "", "reason": "x"}, None, "尚未表决"),
        ({"nomination": 10**9, "grade": "", "reason": "x"}, "nomination", "推荐项目"),
    ):
        bad = client.post(url, body, content_type="application/json")
        assert bad.status_code == 400 and words in bad.json()["detail"], bad.content
        if field:
            assert bad.json()["field"] == field
    assert not NominationVote.objects.get(nomination=a, is_current=True).overridden
    assert _logs("awards.vote_override") == 0
    adjusted = client.post(
        url,
        {"nomination": a.pk, "grade": "二等奖", "reason": "一等奖名额已满，委员会同意评为二等奖。"},
        content_type="application/json",
    )
    assert adjusted.status_code == 200, adjusted.content
    assert adjusted.json()["overridden"] is True and adjusted.json()["outcome_grade"] == "二等奖"
    cleared = client.post(url, {"nomination": a.pk, "grade": "一等奖"}, content_type="application/json")
    assert cleared.status_code == 200 and cleared.json()["overridden"] is False
    assert _logs("awards.vote_override") == 2
    client.force_login(review["other_staff"])
    assert client.post(url, {"nomination": a.pk, "grade": ""}, content_type="application/json").status_code == 404
    client.force_login(role_user("bureau_leader", "341181"))
    assert client.post(url, {"nomination": a.pk, "grade": ""}, content_type="application/json").status_code == 403
    assert _logs("awards.vote_override") == 2
