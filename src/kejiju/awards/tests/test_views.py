"""Award pages: the permission matrix, nomination through the form, staff steps, the public publicity page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from kejiju.awards.choices import NominationStatus
from kejiju.awards.models import AwardCycle, Nomination, Objection
from kejiju.awards.services import cycle_save, cycle_step, nomination_step, programme_save
from kejiju.awards.tests.test_services import (  # noqa: F401  (fixture)
    GRADES,
    committee_decides,
    member,
    nominate,
    world,
)
from kejiju.core.testing.factories import role_user
from kejiju.core.testing.matrix import Endpoint, matrix_cases, run_matrix_case
from kejiju.orgs.services import organization_create
from kejiju.orgs.testing import organization_data as org_data


def _cycle(code: str) -> AwardCycle:
    staff = role_user("bureau_staff", code)
    programme = programme_save(actor=staff, name=f"{code}科技进步奖", categories=["科技进步奖"], grades=GRADES)
    now = timezone.now()
    return cycle_save(
        actor=staff, programme=programme, year=2026, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=5)
    )


def _nomination(code: str) -> Nomination:
    cycle = _cycle(code)
    staff = role_user("bureau_staff", code)
    cycle_step(actor=staff, cycle=cycle, action="open")
    n = int(code[-1])
    org = organization_create(actor=staff, data=org_data(10 + n, region=code))
    from kejiju.awards.services import nomination_save

    return nomination_save(
        actor=staff,
        cycle=cycle,
        organization=org,
        data={"title": f"成果{code}", "category": "科技进步奖", "summary": "简介"},
        members=[member(n)],
    )


ENDPOINTS = [
    Endpoint(
        "cycle detail",
        "awards.view_awardcycle",
        make=_cycle,
        url=lambda obj: reverse("awards:cycle_detail", args=[obj.pk]),
    ),
    Endpoint(
        "nomination detail",
        "awards.view_nomination",
        make=_nomination,
        url=lambda obj: reverse("awards:nomination_detail", args=[obj.pk]),
    ),
    Endpoint(
        "winners",
        "awards.view_nomination",
        make=_cycle,
        url=lambda obj: reverse("awards:winners"),
        detail=False,
        marker=None,
    ),
]


@pytest.mark.parametrize(
    "case",
    [
        c
        for c in matrix_cases(ENDPOINTS)
        if not (c.endpoint.name in ("cycle detail", "nomination detail") and c.actor == "own_without_perm")
    ],
    ids=str,
)
def test_permission_matrix(case: Any, client: Any, db: Any) -> None:
    run_matrix_case(case, client)


@pytest.mark.parametrize("name", ["cycle", "nomination"])
def test_own_region_without_permission_sees_nothing(name: str, client: Any, db: Any) -> None:
    """Cycles and nominations are also reachable by organization users through their organizations, so a
    staff account without the permission gets 404 (not theirs) rather than 403."""
    obj = _cycle("341181") if name == "cycle" else _nomination("341181")
    user = role_user("town_station", "341181")
    user.groups.clear()
    client.force_login(user)
    url = reverse(f"awards:{name}_detail", args=[obj.pk])
    assert client.get(url).status_code == 404


def test_nominate_through_the_form_then_check(client: Any, world: dict[str, Any]) -> None:  # noqa: F811
    cycle = world["cycle"]
    client.force_login(world["applicant"])
    assert client.get(reverse("awards:cycle_list")).status_code == 200
    form = {
        "organization": str(world["org"].pk),
        "title": "稻虾共养技术",
        "category": "科技进步奖",
        "summary": "集成示范",
        "members": "张三,123,负责",
    }
    bad = client.post(reverse("awards:nomination_create", args=[cycle.pk]), form)
    assert bad.status_code == 400 and "第1位完成人" in bad.content.decode()
    m = member(4, "张三")
    form["members"] = f"{m['name']},{m['id_number']},技术负责"
    response = client.post(reverse("awards:nomination_create", args=[cycle.pk]), form)
    nomination = Nomination.objects.get()
    assert response.status_code == 302 and nomination.members.get().person.name == "张三"
    client.post(reverse("awards:nomination_action", args=[nomination.pk, "submit"]))
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.SUBMITTED
    assert client.post(reverse("awards:nomination_action", args=[nomination.pk, "pass"])).status_code == 302
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.SUBMITTED  # refused: the applicant cannot check

    client.force_login(world["staff"])
    client.post(reverse("awards:nomination_action", args=[nomination.pk, "return"]), {"reason": ""})
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.SUBMITTED  # a reason is required
    client.post(reverse("awards:nomination_action", args=[nomination.pk, "pass"]))
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.PASSED


def test_public_publicity_and_objection(client: Any, world: dict[str, Any]) -> None:  # noqa: F811
    staff, cycle = world["staff"], world["cycle"]
    n = nominate(world)
    nomination_step(actor=world["applicant"], nomination=n, action="submit")
    cycle_step(actor=staff, cycle=cycle, action="close_nominations")
    nomination_step(actor=staff, nomination=n, action="pass")
    cycle_step(actor=staff, cycle=cycle, action="start_review")
    committee_decides(staff, cycle, {n: "三等奖"})
    cycle_step(actor=staff, cycle=cycle, action="decide")
    today = timezone.localdate()
    cycle_step(actor=staff, cycle=cycle, action="publicize", publicity_from=today, publicity_until=today)
    page = client.get(reverse("awards:publicity"))
    assert page.status_code == 200 and n.title in page.content.decode()
    bad = client.post(reverse("awards:publicity"), {"nomination": n.pk, "filed_by_name": "", "content": "x"})
    assert bad.status_code == 400 and Objection.objects.count() == 0
    client.post(reverse("awards:publicity"), {"nomination": n.pk, "filed_by_name": "李四", "content": "数据不实"})
    assert Objection.objects.get().filed_by_name == "李四"
