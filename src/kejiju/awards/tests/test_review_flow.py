"""An award cycle through a real expert review: the checked nominations go into a review batch of the
review module (source ``awards.nomination``), experts are drawn with the supervisor's nonce and
witnesses, accept with the no-conflict declaration and score; closing the batch hands the aggregate back
to the nominations (score, rank, opinions); then the award committee's meeting vote, decision, publicity, close with certificates
and the prize ledger. The review module is used only through its services and selectors."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from kejiju.awards.choices import CycleStatus, NominationStatus
from kejiju.awards.models import Nomination
from kejiju.awards.selectors import winners
from kejiju.awards.services import (
    cycle_save,
    cycle_step,
    meeting_save,
    nomination_save,
    nomination_step,
    prize_pay,
    programme_save,
    vote_record,
)
from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.models import OperationLog
from kejiju.core.testing.factories import role_user
from kejiju.engines.idcodes import make_id_number
from kejiju.orgs.services import organization_create, organization_member_add
from kejiju.orgs.testing import organization_data as org_data
from kejiju.review import selectors as review_selectors
from kejiju.review import services as review_services

pytestmark = pytest.mark.django_db

GRADES = [
    {"grade": "一等奖", "prize": "50000.00", "quota": 1},
    {"grade": "二等奖", "prize": "30000", "quota": 2},
    {"grade": "三等奖", "prize": "10000"},
]
EXPERT_NAMES = "赵立新 钱学敏 孙卫东 李海燕 周文斌 吴国庆 郑晓光"


def _member(n: int) -> dict[str, Any]:
    return {
        "name": f"完成人{n}",
        "id_number": make_id_number("341181", date(1980, 1, n), n),
        "contribution": "技术负责",
    }


@pytest.fixture
def cycle_in_review(regions: Any, make_user: Any) -> dict[str, Any]:
    staff = make_user("bureau_staff", "341181")
    org = organization_create(actor=staff, data=org_data(1))
    applicant = make_user("org_user", "341181")
    organization_member_add(actor=staff, organization=org, user=applicant)
    programme = programme_save(actor=staff, name="天长市科学技术进步奖", categories=["科技进步奖"], grades=GRADES)
    now = timezone.now()
    cycle = cycle_save(
        actor=staff, programme=programme, year=2026, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=9)
    )
    cycle_step(actor=staff, cycle=cycle, action="open")
    titles = ["优质稻米绿色高效栽培技术集成与推广", "设施蔬菜物联网监测系统"]
    nominations = []
    for n, title in enumerate(titles, start=1):
        nomination = nomination_save(
            actor=applicant,
            cycle=cycle,
            organization=org,
            data={"title": title, "category": "科技进步奖", "summary": "集成稻虾共养与绿色防控技术。"},
            members=[_member(2 * n - 1), _member(2 * n)],
        )
        nomination_step(actor=applicant, nomination=nomination, action="submit")
        nominations.append(nomination)
    cycle_step(actor=staff, cycle=cycle, action="close_nominations")
    for nomination in nominations:
        nomination_step(actor=staff, nomination=nomination, action="pass")
    cycle_step(actor=staff, cycle=cycle, action="start_review")
    experts = []
    for n, name in enumerate(EXPERT_NAMES.split(), start=1):
        expert = review_services.expert_create(
            actor=staff,
            data={
                "name": name,
                "id_number": make_id_number("341181", date(1966, n, 10 + n), 300 + n),
                "region": "341181",
                "subjects": "210",
                "title": "正高级工程师",
            },
        )
        user = role_user("expert", "341181", username=f"award_expert{n}")
        experts.append(review_services.expert_link_account(actor=staff, expert=expert, user=user))
    # the first completer of the first nomination is in the pool too: never on that nomination's panel
    member = review_services.expert_create(
        actor=staff,
        data={"name": "完成人1", "id_number": _member(1)["id_number"], "region": "341181", "subjects": "210"},
    )
    user = role_user("expert", "341181", username="award_expert_member")
    experts.append(review_services.expert_link_account(actor=staff, expert=member, user=user))
    return {
        "staff": staff,
        "org": org,
        "cycle": cycle,
        "nominations": nominations,
        "experts": experts,
        "member_expert": member,
    }


def _batch(world: dict[str, Any]) -> Any:
    cycle = world["cycle"]
    return review_services.batch_create(
        actor=world["staff"],
        data={
            "title": f"{cycle} 专家评审",
            "source_key": "awards.nomination",
            "kind": "award",
            "mode": "draw",
            "reviewers_per_item": 3,
            "reserves_per_item": 1,
            "max_load": 2,
            "refs": [f"awards.nomination:{n.pk}" for n in world["nominations"]],
            "filters": {"cycle": cycle.pk},
            "criteria": "创新性:40\n技术水平:30\n效益:30",
            "region": "341181",
        },
    )


def test_nominations_go_through_a_drawn_review_to_certificates(
    cycle_in_review: dict[str, Any], django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr("kejiju.reports.services.find_soffice", lambda: None)
    world = cycle_in_review
    staff, cycle = world["staff"], world["cycle"]
    a, b = world["nominations"]

    batch = _batch(world)
    assert sorted(i.ref for i in review_selectors.batch_items(batch=batch)) == sorted(
        f"awards.nomination:{n.pk}" for n in (a, b)
    )
    with pytest.raises(RowErrors):  # a draw without the supervisor's nonce is refused
        review_services.batch_draw(actor=staff, batch=batch, nonce="", supervisor="孙立", witnesses="周敏")
    record = review_services.batch_draw(
        actor=staff, batch=batch, nonce="620417", supervisor="驻局纪检监察组 孙立", witnesses="周敏、陈刚"
    )
    assert record.ok, record.result
    assert record.nonce == "620417" and record.witnesses == ["周敏", "陈刚"]
    panel = [x for x in review_selectors.batch_assignments(batch=batch) if x.panel]
    assert len(panel) == 6 and all(x.expert.user_id for x in panel)
    # a completer who is also an expert is avoided for the nomination, with the conflict kept with the batch
    on_a = [x for x in review_selectors.batch_assignments(batch=batch) if x.item.ref == f"awards.nomination:{a.pk}"]
    assert world["member_expert"].pk not in {x.expert_id for x in on_a}
    assert world["member_expert"].person_id in set(a.members.values_list("person_id", flat=True))
    assert batch.conflicts.filter(expert=world["member_expert"], item__ref=f"awards.nomination:{a.pk}").exists()

    with pytest.raises(BusinessError):  # nothing to hand back before every panel member has scored
        review_services.batch_close(actor=staff, batch=batch)
    points = {a.pk: ["36", "27", "26"], b.pk: ["30", "24", "22"]}
    refs = {f"awards.nomination:{n.pk}": n.pk for n in (a, b)}
    for n, assignment in enumerate(panel):
        user = assignment.expert.user
        review_services.assignment_accept(actor=user, assignment=assignment, declare=True)
        criteria = list(batch.criteria.all())
        mine = list(points[refs[assignment.item.ref]])
        mine[0] = str(Decimal(mine[0]) + n % 3)  # experts differ a little
        review_services.sheet_save(
            actor=user,
            assignment=assignment,
            scores={str(c.pk): p for c, p in zip(criteria, mine, strict=True)},
            comment=f"专家意见{n + 1}：技术路线清晰，推广效益明显。",
            recommendation="support",
            submit=True,
        )
    review_services.batch_close(actor=staff, batch=batch)
    ranking = {i.ref: i for i in review_selectors.batch_items(batch=batch)}

    a.refresh_from_db()
    b.refresh_from_db()
    item_a = ranking[f"awards.nomination:{a.pk}"]
    assert a.review_score == item_a.score_trimmed and a.review_rank == 1
    assert b.review_rank == 2 and b.review_score is not None and b.review_score < a.review_score
    assert "专家意见" in a.review_opinions and a.review_opinions.count("\n") == 2
    assert OperationLog.objects.filter(action="review.batch_close", target_id=str(batch.pk)).exists()

    # the award committee meets (9 members, 7 present) and votes on the reviewed nominations
    with pytest.raises(BusinessError):  # no meeting yet
        cycle_step(actor=staff, cycle=cycle, action="decide")
    meeting_save(
        actor=staff,
        cycle=cycle,
        held_on=timezone.localdate(),
        place="科技局会议室",
        members=[{"name": f"委员{n}", "unit": "天长市科学技术局"} for n in range(1, 10)],
        members_present=7,
    )
    vote_record(actor=staff, nomination=a, grade="一等奖", votes_for=6, votes_against=1, votes_abstain=0)
    vote_record(actor=staff, nomination=b, grade="一等奖", votes_for=5, votes_against=1, votes_abstain=1)
    with pytest.raises(BusinessError) as quota:  # the quota of 一等奖 is 1, both passed
        cycle_step(actor=staff, cycle=cycle, action="decide")
    assert "名额为 1 项" in quota.value.message and b.title in quota.value.message
    vote_record(actor=staff, nomination=b, grade="二等奖", votes_for=7, votes_against=0, votes_abstain=0)
    cycle_step(actor=staff, cycle=cycle, action="decide")
    b.refresh_from_db()
    assert b.status == NominationStatus.AWARDED and b.grade == "二等奖"
    assert b.votes.count() == 2 and b.transitions.get(action="award").extra["votes_for"] == 7
    today = timezone.localdate()
    cycle_step(
        actor=staff, cycle=cycle, action="publicize", publicity_from=today, publicity_until=today + timedelta(days=6)
    )
    type(cycle).objects.filter(pk=cycle.pk).update(publicity_until=today - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        cycle_step(actor=staff, cycle=cycle, action="close")
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.CLOSED
    granted = Nomination.objects.filter(cycle=cycle).order_by("review_rank")
    assert [n.status for n in granted] == [NominationStatus.GRANTED] * 2
    assert [n.prize for n in granted] == [Decimal("50000.00"), Decimal("30000.00")]
    assert all(n.certificate is not None and n.certificate.status == "generated" for n in granted)
    assert OperationLog.objects.filter(action="awards.certificate_issue").count() == 2

    a.refresh_from_db()
    prize_pay(actor=staff, nomination=a, amount="50000", paid_on=today, payee=world["org"].name)
    with pytest.raises(RowErrors):  # the whole prize is paid: one more cent is refused
        prize_pay(actor=staff, nomination=a, amount="0.01", paid_on=today, payee=world["org"].name)
    assert a.payments.count() == 1 and a.payments.get().amount == Decimal("50000.00")

    local, _ = winners(user=staff, q="完成人1")
    assert [n.pk for n in local] == [a.pk]


def test_cycle_page_offers_the_review_batch(cycle_in_review: dict[str, Any], client: Any) -> None:
    """In 专家评审 the cycle page links to the review module's new batch form for this source."""
    client.force_login(cycle_in_review["staff"])
    response = client.get(f"/awards/cycles/{cycle_in_review['cycle'].pk}/")
    assert response.status_code == 200
    cycle = cycle_in_review["cycle"]
    assert (
        "/review/batches/new/?source_key=awards.nomination&amp;kind=award&amp;filter_cycle=%s" % cycle.pk
        in response.content.decode()
    )
    form = client.get("/review/batches/new/?source_key=awards.nomination&kind=award&filter_cycle=%s" % cycle.pk)
    for nomination in cycle_in_review["nominations"]:
        assert nomination.title in form.content.decode()
    other = client.get("/review/batches/new/?source_key=awards.nomination&kind=award&filter_cycle=%s" % (cycle.pk + 1))
    for nomination in cycle_in_review["nominations"]:  # another cycle's form does not offer them
        assert nomination.title not in other.content.decode()


def test_nomination_and_cycle_pages_link_their_review_batches(
    cycle_in_review: dict[str, Any], client: Any, make_user: Any
) -> None:
    """Staff see on a nomination the review batches that review it, and on the cycle every batch that
    reviews its nominations, linked to the batch page; the nominating organization and other regions
    do not."""
    from kejiju.awards.selectors import review_batches

    world = cycle_in_review
    staff, cycle = world["staff"], world["cycle"]
    a, b = world["nominations"]
    client.force_login(staff)
    assert 'data-testid="cycle-review-batches"' not in client.get(f"/awards/cycles/{cycle.pk}/").content.decode()
    assert list(review_batches(user=staff, nomination=a)) == []

    first = _batch({**world, "nominations": [a]})
    second = _batch({**world, "nominations": [a, b]})
    assert list(review_batches(user=staff, nomination=a)) == [second, first]
    assert list(review_batches(user=staff, nomination=b)) == [second]
    assert [(x, x.item_count) for x in review_batches(user=staff, cycle=cycle)] == [(second, 2), (first, 1)]

    page_a = client.get(f"/awards/nominations/{a.pk}/").content.decode()
    assert 'data-testid="nomination-review-batches"' in page_a
    assert f'href="/review/batches/{first.pk}/"' in page_a and f'href="/review/batches/{second.pk}/"' in page_a
    page_b = client.get(f"/awards/nominations/{b.pk}/").content.decode()
    assert f'href="/review/batches/{second.pk}/"' in page_b and f'href="/review/batches/{first.pk}/"' not in page_b
    cycle_page = client.get(f"/awards/cycles/{cycle.pk}/").content.decode()
    assert 'data-testid="cycle-review-batches"' in cycle_page and "2 项" in cycle_page and "1 项" in cycle_page
    assert f'href="/review/batches/{first.pk}/"' in cycle_page
    assert client.get(f"/review/batches/{first.pk}/").status_code == 200

    # another cycle of the programme has no batch; another region's staff and the organization see none
    now = timezone.now()
    later = cycle_save(
        actor=staff, programme=cycle.programme, year=2027, opens_at=now, closes_at=now + timedelta(days=9)
    )
    assert list(review_batches(user=staff, cycle=later)) == []
    assert 'data-testid="cycle-review-batches"' not in client.get(f"/awards/cycles/{later.pk}/").content.decode()
    assert list(review_batches(user=make_user("bureau_staff", "341182"), nomination=a)) == []
    applicant = Nomination.objects.get(pk=a.pk).created_by
    client.force_login(applicant)
    own = client.get(f"/awards/nominations/{a.pk}/")
    assert own.status_code == 200 and "/review/batches/" not in own.content.decode()
    assert list(review_batches(user=applicant, cycle=cycle)) == []
