"""A selection round reviewed by a real expert panel: the round's nominees put into a review batch
(source ``people.nomination``), experts drawn with the conflicts respected (the nominee themself when
they are an expert, an expert of the nominee's own organization), every panel member declares and
scores, the batch is closed, and the nominees carry the aggregated score and rank so that the round can
proceed to the decision. The round page offers the batch and lists it."""

from __future__ import annotations

from decimal import Decimal
from itertools import count
from typing import Any

import pytest
from django.apps import apps
from django.urls import reverse

from kejiju.core.errors import BusinessError
from kejiju.core.models import OperationLog
from kejiju.core.testing.factories import role_user
from kejiju.engines.idcodes import make_credit_code
from kejiju.people.models import Nomination, SelectionRound
from kejiju.people.review import KEY, REVIEW_CRITERIA
from kejiju.people.services import nomination_create, nomination_decide, nomination_score, round_transition
from kejiju.people.tests.factories import category, id_number, make_round, person_data
from kejiju.review import selectors as review_selectors
from kejiju.review import services as review_services
from kejiju.review.sources import make_ref

pytestmark = pytest.mark.django_db

Assignment = apps.get_model("review", "Assignment")
BatchConflict = apps.get_model("review", "BatchConflict")

_orgs = count(1)

#: Points per criterion (业绩贡献 40, 创新能力 30, 发展潜力 20, 示范带动作用 10) each nominee gets from
#: every expert, the lowest-ranked expert a little less (so the trimmed mean differs from the mean).
POINTS = {"甲一": ([36, 27, 18, 9], 2), "乙二": ([32, 24, 16, 8], 1), "丙三": ([28, 21, 14, 7], 0)}


@pytest.fixture
def staff(regions, make_user):
    category()
    return make_user("bureau_staff", "341181")


def _org(name: str) -> Any:
    from kejiju.orgs.services import organization_create

    n = next(_orgs)
    return organization_create(
        actor=role_user("system_admin", None),
        data={
            "name": name,
            "credit_code": make_credit_code("91341181MB%07d" % (n + 700)),
            "region": "341181",
            "org_type": "enterprise",
            "contact_person": "钱伟",
            "contact_phone": "13905501234",
        },
    )


def _expert(staff: Any, name: str, number: str | None = None, **data: Any) -> Any:
    expert = review_services.expert_create(
        actor=staff,
        data={
            "name": name,
            "id_number": number or id_number(),
            "region": "341181",
            "subjects": "210",
            "title": "正高级农艺师",
            **data,
        },
    )
    review_services.expert_account_create(actor=staff, expert=expert)
    expert.refresh_from_db()
    return expert


def _reviewing_round(staff: Any) -> tuple[SelectionRound, dict[str, Nomination], Any]:
    """A round in 评审中 with three nominees; 甲一 works at a company, 乙二 is also in the expert pool."""
    company = _org("天长市稻香农业科技有限公司")
    rnd = make_round(staff)
    round_transition(actor=staff, selection_round=rnd, action="open")
    nominations = {
        name: nomination_create(
            actor=staff,
            selection_round=rnd,
            person_data=person_data(name=name, subjects=["210"], **extra),
            achievements="%s推广稻虾综合种养技术。" % name,
        )
        for name, extra in (("甲一", {"organization": company.pk}), ("乙二", {}), ("丙三", {}))
    }
    round_transition(actor=staff, selection_round=rnd, action="start_review")
    rnd.refresh_from_db()
    return rnd, nominations, company


def _batch(staff: Any, rnd: SelectionRound, nominations: dict[str, Nomination]) -> Any:
    return review_services.batch_create(
        actor=staff,
        data={
            "title": "%s专家评审" % rnd.title,
            "source_key": KEY,
            "kind": "selection",
            "mode": "draw",
            "reviewers_per_item": 3,
            "reserves_per_item": 0,
            "max_load": 3,
            "min_load": 0,
            "refs": [make_ref(KEY, n.pk) for n in nominations.values()],
            "filters": {"round": rnd.pk},
            "criteria": REVIEW_CRITERIA,
            "region": "341181",
        },
    )


def _score_all(batch: Any, names: dict[int, str]) -> None:
    criteria = list(batch.criteria.order_by("order"))
    panel = Assignment.objects.filter(batch=batch, panel=True).select_related("expert__user", "item")
    for a in panel.order_by("item_id", "expert_id"):
        review_services.assignment_accept(actor=a.expert.user, assignment=a, declare=True)
    seen: dict[int, int] = {}
    for a in panel.order_by("item_id", "expert_id"):
        points, less = POINTS[names[a.item_id]]
        nth = seen[a.item_id] = seen.get(a.item_id, 0) + 1
        given = [p - (less if nth == 1 and i == 0 else 0) for i, p in enumerate(points)]
        review_services.sheet_save(
            actor=a.expert.user,
            assignment=a,
            scores={str(c.pk): Decimal(p) for c, p in zip(criteria, given, strict=True)},
            comment="%s业绩扎实（专家%s）。" % (names[a.item_id], nth),
            recommendation="support",
            submit=True,
        )


def test_a_round_is_reviewed_by_a_drawn_panel_and_proceeds_to_the_decision(staff):
    rnd, nominations, company = _reviewing_round(staff)
    # the pool: 乙二 (the nominee) is an expert, one expert works at 甲一's company, four others
    nominee_expert = _expert(staff, "乙二", number=nominations["乙二"].person.id_number)
    assert nominee_expert.person_id == nominations["乙二"].person_id  # one person, one record
    colleague = _expert(staff, "同事专家", organization=company.pk)
    others = [_expert(staff, "专家%s" % n) for n in range(1, 5)]
    _expert(staff, "计算机专家", subjects="520")  # no shared subject: never drawn

    batch = _batch(staff, rnd, nominations)
    items = {i.ref: i for i in batch.items.all()}
    assert set(items) == {make_ref(KEY, n.pk) for n in nominations.values()}
    item_of = {name: items[make_ref(KEY, n.pk)] for name, n in nominations.items()}
    assert item_of["甲一"].facts["organization_id"] == company.pk
    assert item_of["乙二"].facts["member_person_ids"] == [nominations["乙二"].person_id]
    assert OperationLog.objects.filter(action="review.batch_create", target_id=str(batch.pk)).exists()
    # the batch is the review module's, visible there to the round's staff
    assert list(review_selectors.batch_list(user=staff).filter(source_key=KEY)) == [batch]

    record = review_services.batch_draw(
        actor=staff, batch=batch, nonce="rc-2026", supervisor="纪检组 李明", witnesses="人才办 王芳"
    )
    assert record.ok, record.result
    conflicts = set(BatchConflict.objects.filter(batch=batch).values_list("item_id", "expert_id", "kind"))
    assert (item_of["乙二"].pk, nominee_expert.pk, "team_member") in conflicts
    assert (item_of["甲一"].pk, colleague.pk, "same_org") in conflicts
    panels = {
        name: set(Assignment.objects.filter(batch=batch, item=item, panel=True).values_list("expert_id", flat=True))
        for name, item in item_of.items()
    }
    assert all(len(p) == 3 for p in panels.values())
    assert nominee_expert.pk not in panels["乙二"] and colleague.pk not in panels["甲一"]
    assert set().union(*panels.values()) <= {nominee_expert.pk, colleague.pk, *(e.pk for e in others)}

    names = {item.pk: name for name, item in item_of.items()}
    _score_all(batch, names)
    review_services.batch_close(actor=staff, batch=batch)
    batch.refresh_from_db()
    assert batch.status == "closed"

    for n in nominations.values():
        n.refresh_from_db()
    # totals 90/88/90 → trimmed mean 90; 80/79/80 → 80; 70/70/70 → 70
    assert [(n.score, n.review_rank, n.reviewers) for n in nominations.values()] == [
        (Decimal("90.00"), 1, 3),
        (Decimal("80.00"), 2, 3),
        (Decimal("70.00"), 3, 3),
    ]
    assert nominations["甲一"].review_opinion.count("甲一业绩扎实") == 3
    logs = OperationLog.objects.filter(action="people.nomination_score", extra__source="review")
    assert sorted((log.target_id, log.extra["rank"]) for log in logs) == sorted(
        (str(n.pk), n.review_rank) for n in nominations.values()
    )
    assert OperationLog.objects.filter(action="review.batch_close", target_id=str(batch.pk)).exists()

    # the round proceeds: results by the ranking, then the decision
    for name, result in (("甲一", "selected"), ("乙二", "selected"), ("丙三", "not_selected")):
        nomination_decide(actor=staff, nomination=nominations[name], result=result)
    round_transition(actor=staff, selection_round=rnd, action="decide")
    rnd.refresh_from_db()
    assert rnd.status == "decided"


def test_closing_a_batch_after_the_round_left_review_changes_nothing(staff):
    rnd, nominations, _company = _reviewing_round(staff)
    for n in range(1, 4):
        _expert(staff, "专家%s" % n)
    batch = _batch(staff, rnd, nominations)
    record = review_services.batch_draw(actor=staff, batch=batch, nonce="rc-2027", supervisor="李明", witnesses="王芳")
    assert record.ok, record.result
    by_ref = {make_ref(KEY, n.pk): name for name, n in nominations.items()}
    _score_all(batch, {item.pk: by_ref[item.ref] for item in batch.items.all()})
    round_transition(actor=staff, selection_round=rnd, action="cancel", reason="经费调整，本年度暂停评选。")
    logs = OperationLog.objects.count()
    with pytest.raises(BusinessError) as err:
        review_services.batch_close(actor=staff, batch=batch)
    assert "不能接收评审结果" in err.value.message
    batch.refresh_from_db()
    assert batch.status == "scoring" and not batch.items.filter(outcome_applied_at__isnull=False).exists()
    assert not Nomination.objects.filter(selection_round=rnd, score__isnull=False).exists()
    assert OperationLog.objects.count() == logs


def test_a_hand_entered_score_clears_the_batch_rank(staff):
    rnd, nominations, _company = _reviewing_round(staff)
    n = nominations["甲一"]
    Nomination.objects.filter(pk=n.pk).update(score=Decimal("90.00"), review_rank=1, reviewers=3)
    nomination_score(actor=staff, nomination=n, score="85.5", opinion="线下会评。", reviewers="5")
    n.refresh_from_db()
    assert (n.score, n.review_rank, n.reviewers) == (Decimal("85.50"), None, 5)


def test_round_page_opens_a_review_batch_and_lists_it(client, staff, make_user):
    rnd, nominations, _company = _reviewing_round(staff)
    client.force_login(staff)
    url = reverse("people:round_detail", args=[rnd.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="round-review-batches"' not in page
    link = page.split('data-testid="round-review-batch"', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0]
    assert "source_key=people.nomination" in link and "filter_round=%s" % rnd.pk in link and "kind=selection" in link
    form = client.get(link.replace("&amp;", "&")).content.decode()
    assert all(name in form for name in nominations) and "业绩贡献:40" in form
    _expert(staff, "专家1")
    batch = _batch(staff, rnd, nominations)
    listed = client.get(url).content.decode().split('data-testid="round-review-batches"', 1)[1]
    assert reverse("review:batch_detail", args=[batch.pk]) in listed and "3 人" in listed
    # a leader without the right to manage rounds sees neither the button nor a batch form link
    leader = make_user("bureau_leader", "341181")
    client.force_login(leader)
    other = client.get(url)
    assert other.status_code == 200 and 'data-testid="round-review-batch"' not in other.content.decode()
    # the button only while the round is 评审中
    for name in ("甲一", "乙二", "丙三"):
        nomination_decide(
            actor=staff, nomination=nominations[name], result="selected" if name != "丙三" else "not_selected"
        )
    round_transition(actor=staff, selection_round=rnd, action="decide")
    client.force_login(staff)
    assert 'data-testid="round-review-batch"' not in client.get(url).content.decode()
