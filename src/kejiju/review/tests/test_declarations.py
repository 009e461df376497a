"""Expert-side declarations: relations that create conflicts (回避申报) and unavailability (不可参评时间),
their audit rows, and how conflict derivation and draw eligibility use them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.models import OperationLog
from kejiju.review import services
from kejiju.review.choices import AssignmentStatus, ConflictKind, ConflictSource
from kejiju.review.models import Assignment, AvailabilityWindow, BatchConflict, Expert, ExpertRelation
from kejiju.review.tests.factories import batch_data, id_number, make_expert

pytestmark = pytest.mark.django_db

THIS_YEAR = timezone.localdate().year


def _own(staff: Any, **kw: Any) -> tuple[Expert, Any]:
    """An expert with their own account (role 专家)."""
    expert = make_expert(staff, **kw)
    user, _ = services.expert_account_create(actor=staff, expert=expert)
    user.must_change_password = False
    user.save(update_fields=["must_change_password"])
    return expert, user


_orgs = iter(range(1, 10_000))


def _enterprise(name: str) -> Any:
    """An enterprise of county 341181 (registered by the system)."""
    from kejiju.engines.idcodes import make_credit_code
    from kejiju.orgs.services import organization_create

    n = next(_orgs)
    return organization_create(
        actor=None,
        data={
            "name": name,
            "credit_code": make_credit_code("91341181MB%07d" % n),
            "region": "341181",
            "org_type": "enterprise",
        },
    )


def _logs(action: str) -> int:
    return OperationLog.objects.filter(action=action).count()


# ------------------------------------------------------------------------------------- relations


def test_expert_declares_relation_by_id_number_from_own_account(staff: Any) -> None:
    expert, user = _own(staff)
    number = id_number()
    row = services.expert_relation_add(
        actor=user,
        expert=expert,
        data={"relation": "relative", "name": "王小明", "id_number": number, "note": "配偶"},
    )
    assert row.person is not None and row.person.name == "王小明" and row.declared_by_expert
    log = OperationLog.objects.get(action="review.expert_relation")
    assert log.target_id == str(expert.pk)
    assert log.extra["relation"] == "relative" and log.extra["by_expert"] is True
    assert log.extra["person"] == row.person_id


def test_relation_by_name_and_organization(staff: Any) -> None:
    expert, user = _own(staff)
    row = services.expert_relation_add(
        actor=user,
        expert=expert,
        data={"relation": "coauthor", "name": "李 四", "organization_name": "某大学", "year": THIS_YEAR - 1},
    )
    assert row.person is None and row.person_name == "李四" and row.organization_name == "某大学"
    assert row.target_label == "李四（某大学）"


def test_relation_with_organization(staff: Any) -> None:
    expert, user = _own(staff)
    row = services.expert_relation_add(
        actor=user, expert=expert, data={"relation": "organization", "organization_name": "甲公司", "note": "曾兼职"}
    )
    assert row.relation == "organization" and row.target_label == "甲公司"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"relation": "cousin", "id_number": "X"}, "relation"),
        ({"relation": "relative"}, "id_number"),
        ({"relation": "relative", "name": "张三"}, "id_number"),
        ({"relation": "relative", "name": "张三", "id_number": "341181199001011234"}, "id_number"),
        ({"relation": "coauthor", "name": "张三", "organization_name": "某大学"}, "year"),
        ({"relation": "supervisor", "name": "张三", "organization_name": "某大学", "year": "1900"}, "year"),
        ({"relation": "supervisor", "name": "张三", "organization_name": "某大学", "year": "去年"}, "year"),
        ({"relation": "organization"}, "organization_name"),
        ({"relation": "other", "name": "张三", "organization_name": "某大学", "note": "长" * 201}, "note"),
        ({"relation": "relative", "name": "张" * 41, "organization_name": "某大学"}, "name"),
    ],
)
def test_relation_violations_change_nothing(staff: Any, data: dict[str, Any], field: str) -> None:
    expert, user = _own(staff)
    with pytest.raises(RowErrors) as exc:
        services.expert_relation_add(actor=user, expert=expert, data=data)
    assert field in exc.value.errors
    assert not ExpertRelation.objects.exists()
    assert _logs("review.expert_relation") == 0


def test_relation_rules_on_self_duplicate_and_own_org(staff: Any) -> None:
    org = _enterprise("本单位科技有限公司")
    expert, user = _own(staff, organization=org.pk)
    with pytest.raises(RowErrors) as exc:
        services.expert_relation_add(
            actor=user,
            expert=expert,
            data={"relation": "relative", "name": expert.name, "id_number": expert.person.id_number},
        )
    assert "id_number" in exc.value.errors
    with pytest.raises(RowErrors) as exc:
        services.expert_relation_add(
            actor=user, expert=expert, data={"relation": "organization", "organization_name": "本单位科技有限公司"}
        )
    assert "organization_name" in exc.value.errors
    data = {"relation": "relative", "name": "赵六", "organization_name": "某医院"}
    services.expert_relation_add(actor=user, expert=expert, data=data)
    with pytest.raises(RowErrors) as exc:
        services.expert_relation_add(actor=user, expert=expert, data=data)
    assert "relation" in exc.value.errors
    assert ExpertRelation.objects.count() == 1 and _logs("review.expert_relation") == 1


def test_only_the_expert_or_staff_may_declare(staff: Any) -> None:
    expert, _ = _own(staff)
    _other, other_user = _own(staff)
    data = {"relation": "relative", "name": "赵六", "organization_name": "某医院"}
    with pytest.raises(BusinessError) as exc:
        services.expert_relation_add(actor=other_user, expert=expert, data=data)
    assert exc.value.code == "forbidden"
    with pytest.raises(BusinessError):
        services.expert_unavailable_add(actor=other_user, expert=expert, start="2027-05-01", end="2027-05-02")
    assert not ExpertRelation.objects.exists() and not AvailabilityWindow.objects.exists()
    row = services.expert_relation_add(actor=staff, expert=expert, data=data)
    assert not row.declared_by_expert
    with pytest.raises(BusinessError):
        services.expert_relation_remove(actor=other_user, relation=row)
    assert ExpertRelation.objects.filter(pk=row.pk).exists()


def test_relation_remove_logs(staff: Any) -> None:
    expert, user = _own(staff)
    row = services.expert_relation_add(
        actor=user, expert=expert, data={"relation": "organization", "organization_name": "乙公司"}
    )
    services.expert_relation_remove(actor=user, relation=row)
    assert not ExpertRelation.objects.exists()
    log = OperationLog.objects.get(action="review.expert_relation_remove")
    assert log.extra["relation"] == "organization" and log.extra["target"] == "乙公司"


# ---------------------------------------------------------------------------------- unavailability


def test_unavailable_add_and_remove_from_own_account(staff: Any) -> None:
    expert, user = _own(staff)
    window = services.expert_unavailable_add(
        actor=user, expert=expert, start="2027-05-01", end="2027-05-07", note="出国"
    )
    assert (window.start, window.end) == (date(2027, 5, 1), date(2027, 5, 7))
    log = OperationLog.objects.get(action="review.expert_unavailable")
    assert log.extra == {"window": window.pk, "start": "2027-05-01", "end": "2027-05-07", "by_expert": True}
    services.expert_unavailable_remove(actor=user, window=window)
    assert not AvailabilityWindow.objects.exists()
    assert OperationLog.objects.get(action="review.expert_unavailable_remove").extra["start"] == "2027-05-01"


@pytest.mark.parametrize(
    ("start", "end", "note", "field"),
    [
        ("2027-13-01", "2027-05-01", "", "start"),
        ("2027-05-01", "明天", "", "end"),
        ("2027-05-07", "2027-05-01", "", "end"),
        ("2020-01-01", "2020-01-05", "", "end"),
        ("2027-01-01", "2028-01-02", "", "end"),
        ("2027-06-05", "2027-06-12", "", "start"),
        ("2027-07-01", "2027-07-02", "长" * 201, "note"),
    ],
)
def test_unavailable_violations_change_nothing(staff: Any, start: str, end: str, note: str, field: str) -> None:
    expert, user = _own(staff)
    services.expert_unavailable_add(actor=user, expert=expert, start="2027-06-01", end="2027-06-10")
    with pytest.raises(RowErrors) as exc:
        services.expert_unavailable_add(actor=user, expert=expert, start=start, end=end, note=note)
    assert field in exc.value.errors
    assert AvailabilityWindow.objects.count() == 1 and _logs("review.expert_unavailable") == 1


# ------------------------------------------------------------------------ derivation and eligibility


def _conflicts(batch: Any) -> set[tuple[int, str, str]]:
    return {(c.expert_id, c.kind, c.source) for c in BatchConflict.objects.filter(batch=batch)}


def _chosen(batch: Any) -> set[int]:
    return set(Assignment.objects.filter(batch=batch).values_list("expert_id", flat=True))


def _draw(staff: Any, batch: Any) -> Any:
    record = services.batch_draw(actor=staff, batch=batch, nonce="k9x2", supervisor="纪检组 李明", witnesses="王五")
    assert record.ok, record.result
    return record


def test_declared_relations_derive_conflicts_with_source(staff: Any, source: Any) -> None:
    from kejiju.people.services import person_ensure

    applicant = _enterprise("申报科技有限公司")
    partner = _enterprise("合作科技有限公司")
    university = _enterprise("某某大学")
    member = person_ensure(
        actor=None,
        data={"name": "钱七", "id_number": id_number(), "region": "341181", "organization": university.pk},
    )
    pool = [make_expert(staff) for _ in range(10)]
    by_name, by_number, org_applicant, org_partner, lapsed, unrelated = pool[:6]
    services.expert_relation_add(
        actor=staff,
        expert=by_name,
        data={"relation": "supervisor", "name": "钱七", "organization_name": "某某大学", "year": THIS_YEAR - 2},
    )
    services.expert_relation_add(
        actor=staff,
        expert=by_number,
        data={"relation": "coauthor", "name": "钱七", "id_number": member.id_number, "year": THIS_YEAR},
    )
    services.expert_relation_add(
        actor=staff, expert=org_applicant, data={"relation": "organization", "organization_name": "申报科技有限公司"}
    )
    services.expert_relation_add(
        actor=staff, expert=org_partner, data={"relation": "organization", "organization_name": "合作科技有限公司"}
    )
    services.expert_relation_add(
        actor=staff,
        expert=lapsed,
        data={"relation": "coauthor", "name": "钱七", "organization_name": "某某大学", "year": THIS_YEAR - 5},
    )
    services.expert_relation_add(
        actor=staff,
        expert=unrelated,
        data={"relation": "relative", "name": "钱七", "organization_name": "另一所大学"},
    )
    source.add(
        1,
        organization_id=applicant.pk,
        cooperating_organization_ids=(partner.pk,),
        member_person_ids=(member.pk,),
    )
    batch = services.batch_create(actor=staff, data=batch_data(source, reserves_per_item=2, relation_years=3))
    _draw(staff, batch)
    rows = _conflicts(batch)
    assert (by_name.pk, ConflictKind.SUPERVISOR, ConflictSource.DECLARED) in rows
    assert (by_number.pk, ConflictKind.COAUTHOR, ConflictSource.DECLARED) in rows
    assert (org_applicant.pk, ConflictKind.SELF_DECLARED, ConflictSource.DECLARED) in rows
    assert (org_partner.pk, ConflictKind.SELF_DECLARED, ConflictSource.DECLARED) in rows
    assert not any(e in (lapsed.pk, unrelated.pk) for e, _, _ in rows)
    detail = BatchConflict.objects.get(batch=batch, expert=org_partner).detail
    assert "专家申报" in detail and "合作科技有限公司" in detail
    assert str(ConflictSource.DECLARED.label) == "专家本人申报"
    assert not _chosen(batch) & {by_name.pk, by_number.pk, org_applicant.pk, org_partner.pk}


def test_relation_years_per_batch_and_settings(staff: Any, source: Any, settings: Any) -> None:
    member = make_expert(staff)  # a team member who is also in the pool
    pool = [make_expert(staff) for _ in range(6)]
    old = pool[0]
    services.expert_relation_add(
        actor=staff,
        expert=old,
        data={
            "relation": "supervisor",
            "name": member.name,
            "id_number": member.person.id_number,
            "year": THIS_YEAR - 4,
        },
    )
    source.add(1, member_person_ids=(member.person_id,))
    settings.KEJIJU_REVIEW_RELATION_YEARS = 3
    assert services.relation_years() == 3
    short = services.batch_create(actor=staff, data=batch_data(source, reserves_per_item=0))
    instance, items, experts, found = services.batch_instance(short)
    assert not [c for c in found if c.expert_id == old.pk]
    settings.KEJIJU_REVIEW_RELATION_YEARS = 5
    _, _, _, found = services.batch_instance(short)
    assert [c.kind for c in found if c.expert_id == old.pk] == [ConflictKind.SUPERVISOR]
    settings.KEJIJU_REVIEW_RELATION_YEARS = 3
    long = services.batch_create(actor=staff, data=batch_data(source, reserves_per_item=0, relation_years=10))
    assert services.relation_years(long) == 10
    _, _, _, found = services.batch_instance(long)
    assert [c.kind for c in found if c.expert_id == old.pk] == [ConflictKind.SUPERVISOR]
    with pytest.raises(RowErrors) as exc:
        services.batch_create(actor=staff, data=batch_data(source, relation_years=0))
    assert "relation_years" in exc.value.errors


def test_draw_skips_experts_unavailable_on_review_dates(staff: Any, source: Any) -> None:
    source.add(1)
    pool = [make_expert(staff) for _ in range(6)]
    away, edge, free = pool[0], pool[1], pool[2]
    services.expert_unavailable_add(actor=staff, expert=away, start="2027-03-01", end="2027-03-31")
    services.expert_unavailable_add(actor=staff, expert=edge, start="2027-04-03", end="2027-04-05")
    services.expert_unavailable_add(actor=staff, expert=free, start="2027-04-06", end="2027-04-09")
    batch = services.batch_create(
        actor=staff,
        data=batch_data(source, review_date="2027-03-31", review_end="2027-04-03", reviewers_per_item=3),
    )
    assert services.unavailable_expert_ids(batch) == {away.pk, edge.pk}
    pool_ids = {e.pk for e in services.batch_pool(batch)}
    assert away.pk not in pool_ids and edge.pk not in pool_ids and free.pk in pool_ids
    _draw(staff, batch)
    assert not _chosen(batch) & {away.pk, edge.pk}
    assert len(_chosen(batch)) == 4  # 3 panel + 1 reserve out of the 4 available


def test_review_end_rules(staff: Any, source: Any) -> None:
    source.add(1)
    for extra, field in (
        ({"review_date": "2027-04-03", "review_end": "2027-04-01"}, "review_end"),
        ({"review_end": "2027-04-01"}, "review_end"),
        ({"review_date": "2027-04-03", "review_end": "四月"}, "review_end"),
    ):
        with pytest.raises(RowErrors) as exc:
            services.batch_create(actor=staff, data=batch_data(source, **extra))
        assert field in exc.value.errors


def test_reserve_unavailable_later_is_skipped(staff: Any, source: Any) -> None:
    source.add(1)
    pool = [make_expert(staff) for _ in range(5)]
    for e in pool:
        services.expert_account_create(actor=staff, expert=e)
    batch = services.batch_create(
        actor=staff, data=batch_data(source, review_date="2027-09-10", reviewers_per_item=3, reserves_per_item=2)
    )
    _draw(staff, batch)
    reserves = list(Assignment.objects.filter(batch=batch, panel=False).order_by("rank"))
    first, second = reserves[0], reserves[1]
    services.expert_unavailable_add(actor=staff, expert=first.expert, start="2027-09-01", end="2027-09-30")
    leaving = Assignment.objects.filter(batch=batch, panel=True).select_related("expert__user").first()
    assert leaving is not None
    services.assignment_decline(actor=leaving.expert.user, assignment=leaving, reason="时间冲突")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == AssignmentStatus.RESERVE
    assert second.status == AssignmentStatus.INVITED
    assert OperationLog.objects.filter(action="review.replace", extra__skipped=first.expert_id).exists()


# ---------------------------------------------------------------------------------------- pages


def test_my_declaration_pages(staff: Any, client: Any) -> None:
    expert, user = _own(staff)
    client.force_login(user)
    url = reverse("review:my_declarations")
    assert "我的回避申报" in client.get(url).content.decode()
    response = client.post(url, {"op": "add", "relation": "coauthor", "name": "孙八", "organization_name": "某院"})
    assert response.status_code == 400 and "年份" in response.content.decode()
    assert not ExpertRelation.objects.exists()
    response = client.post(
        url, {"op": "add", "relation": "coauthor", "name": "孙八", "organization_name": "某院", "year": THIS_YEAR}
    )
    assert response.status_code == 302
    row = ExpertRelation.objects.get(expert=expert)
    assert "孙八（某院）" in client.get(url).content.decode()
    assert client.post(url, {"op": "remove", "id": "x"}).status_code == 404
    assert client.post(url, {"op": "remove", "id": row.pk}).status_code == 302
    assert not ExpertRelation.objects.exists()

    url = reverse("review:my_unavailable")
    assert "不可参评时间" in client.get(url).content.decode()
    bad = client.post(url, {"op": "add", "start": "2027-05-09", "end": "2027-05-01"})
    assert bad.status_code == 400 and "截止日期不能早于起始日期" in bad.content.decode()
    start = timezone.localdate() + timedelta(days=30)
    ok = client.post(url, {"op": "add", "start": start.isoformat(), "end": start.isoformat(), "note": "出差"})
    assert ok.status_code == 302
    assert start.isoformat() in client.get(url).content.decode()
    assert "我的回避申报" in client.get(reverse("review:my_list")).content.decode()


def test_declaration_pages_are_for_experts_only(staff: Any, client: Any) -> None:
    client.force_login(staff)
    assert client.get(reverse("review:my_declarations")).status_code == 404
    assert client.get(reverse("review:my_unavailable")).status_code == 404


def test_staff_see_and_withdraw_declarations(staff: Any, client: Any) -> None:
    expert, user = _own(staff)
    row = services.expert_relation_add(
        actor=user, expert=expert, data={"relation": "organization", "organization_name": "丙公司"}
    )
    window = services.expert_unavailable_add(actor=user, expert=expert, start="2027-05-01", end="2027-05-02")
    client.force_login(staff)
    page = client.get(reverse("review:expert_detail", args=[expert.pk])).content.decode()
    assert "丙公司" in page and "专家本人" in page and "2027-05-01" in page
    client.post(reverse("review:expert_relation_remove", args=[expert.pk, row.pk]))
    client.post(reverse("review:expert_unavailable_remove", args=[expert.pk, window.pk]))
    assert not ExpertRelation.objects.exists() and not AvailabilityWindow.objects.exists()
    other, _ = _own(staff)
    assert client.post(reverse("review:expert_relation_remove", args=[other.pk, 99999])).status_code == 404
