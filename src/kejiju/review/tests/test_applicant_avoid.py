"""申报单位申请回避 entered by staff on a batch before the draw: at most N experts per record (together with
those the source app handed over), each with a reason, only experts of the batch's pool; logged; the draw
never puts them on the record's panel or reserves and stores the conflict with the applicant as source."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.models import OperationLog
from kejiju.review import services
from kejiju.review.choices import ConflictKind, ConflictSource
from kejiju.review.models import ApplicantAvoid, Assignment, BatchConflict
from kejiju.review.tests.factories import batch_data, make_expert

pytestmark = pytest.mark.django_db


def _setup(staff: Any, source: Any, experts: int = 8, **over: Any) -> tuple[Any, list[Any]]:
    source.add(1)
    source.add(2)
    pool = [make_expert(staff) for _ in range(experts)]
    batch = services.batch_create(actor=staff, data=batch_data(source, **over))
    return batch, pool


def test_add_then_draw_avoids_and_records_source(staff: Any, source: Any) -> None:
    batch, pool = _setup(staff, source, reserves_per_item=2)
    item = batch.items.get(ref="testing.item:1")
    row = services.applicant_avoid_add(
        actor=staff, batch=batch, item=item.pk, expert=pool[0].pk, reason=" 与申报单位存在竞争关系 "
    )
    assert row.reason == "与申报单位存在竞争关系" and row.created_by == staff
    log = OperationLog.objects.get(action="review.applicant_avoid")
    assert log.extra == {"item": item.pk, "expert": pool[0].pk, "reason": "与申报单位存在竞争关系"}
    record = services.batch_draw(actor=staff, batch=batch, nonce="abcd", supervisor="李", witnesses="王")
    assert record.ok
    stored = BatchConflict.objects.get(batch=batch, expert=pool[0])
    assert (stored.item_id, stored.kind, stored.source) == (
        item.pk,
        ConflictKind.APPLICANT_NAMED,
        ConflictSource.APPLICANT,
    )
    assert stored.detail == "申报单位申请回避：与申报单位存在竞争关系"
    assert not Assignment.objects.filter(item=item, expert=pool[0]).exists()
    assert [c for c in record.result["instance"]["conflicts"] if c["expert"] == str(pool[0].pk)] == [
        {"expert": str(pool[0].pk), "application": str(item.pk), "reason": ConflictKind.APPLICANT_NAMED}
    ]


def test_cap_counts_source_named_and_entered(staff: Any, source: Any, settings: Any) -> None:
    settings.KEJIJU_REVIEW_APPLICANT_AVOID_MAX = 2
    pool = [make_expert(staff) for _ in range(8)]
    source.add(1, avoid_person_ids=((pool[0].person_id, "竞争关系"),))
    batch = services.batch_create(actor=staff, data=batch_data(source))
    item = batch.items.get()
    with pytest.raises(RowErrors) as err:
        services.applicant_avoid_add(actor=staff, batch=batch, item=item.pk, expert=pool[0].pk, reason="重复")
    assert "已申请回避" in " ".join(err.value.errors["expert"])
    services.applicant_avoid_add(actor=staff, batch=batch, item=item.pk, expert=pool[1].pk, reason="曾有纠纷")
    with pytest.raises(RowErrors) as err:
        services.applicant_avoid_add(actor=staff, batch=batch, item=item.pk, expert=pool[2].pk, reason="其他")
    assert "最多申请回避 2 名专家" in " ".join(err.value.errors["expert"])
    assert ApplicantAvoid.objects.count() == 1
    assert OperationLog.objects.filter(action="review.applicant_avoid").count() == 1


@pytest.mark.parametrize(
    "change, field, fragment",
    [
        ({"reason": "  "}, "reason", "请填写申请回避的理由"),
        ({"reason": "理" * 201}, "reason", "不超过 200 字"),
        ({"item": 999999}, "item", "不属于本批次"),
        ({"item": "abc"}, "item", "不属于本批次"),
        ({"expert": 999999}, "expert", "不在本批次可抽取的专家中"),
        ({"expert": ""}, "expert", "不在本批次可抽取的专家中"),
    ],
)
def test_bad_input_changes_nothing(staff: Any, source: Any, change: dict[str, Any], field: str, fragment: str) -> None:
    batch, pool = _setup(staff, source)
    data = {"item": batch.items.first().pk, "expert": pool[0].pk, "reason": "竞争关系", **change}
    with pytest.raises(RowErrors) as err:
        services.applicant_avoid_add(actor=staff, batch=batch, **data)
    assert fragment in " ".join(err.value.errors[field])
    assert not ApplicantAvoid.objects.exists() and not OperationLog.objects.filter(action="review.applicant_avoid")


def test_expert_outside_the_pool_is_refused(staff: Any, source: Any, make_user: Any) -> None:
    batch, _ = _setup(staff, source)
    other = make_expert(make_user("bureau_staff", "341182"), region_code="341182")
    with pytest.raises(RowErrors):
        services.applicant_avoid_add(actor=staff, batch=batch, item=batch.items.first().pk, expert=other.pk, reason="x")
    assert not ApplicantAvoid.objects.exists()


def test_only_before_the_draw_and_only_staff_of_the_batch(staff: Any, source: Any, make_user: Any) -> None:
    batch, pool = _setup(staff, source)
    item = batch.items.first()
    with pytest.raises(BusinessError) as err:
        services.applicant_avoid_add(
            actor=make_user("bureau_leader", "341181"), batch=batch, item=item.pk, expert=pool[0].pk, reason="x"
        )
    assert err.value.code == "forbidden"
    row = services.applicant_avoid_add(actor=staff, batch=batch, item=item.pk, expert=pool[0].pk, reason="竞争")
    services.batch_draw(actor=staff, batch=batch, nonce="abcd", supervisor="李", witnesses="王")
    with pytest.raises(BusinessError, match="抽取后"):
        services.applicant_avoid_add(actor=staff, batch=batch, item=item.pk, expert=pool[1].pk, reason="x")
    with pytest.raises(BusinessError, match="抽取后"):
        services.applicant_avoid_remove(actor=staff, avoid=row)
    assert ApplicantAvoid.objects.count() == 1


def test_remove_logs(staff: Any, source: Any) -> None:
    batch, pool = _setup(staff, source)
    row = services.applicant_avoid_add(
        actor=staff, batch=batch, item=batch.items.first().pk, expert=pool[0].pk, reason="竞争"
    )
    services.applicant_avoid_remove(actor=staff, avoid=row)
    assert not ApplicantAvoid.objects.exists()
    assert OperationLog.objects.filter(action="review.applicant_avoid_remove", extra__expert=pool[0].pk).exists()


def test_batch_page_form(client: Any, staff: Any, source: Any, make_user: Any) -> None:
    batch, pool = _setup(staff, source)
    item = batch.items.first()
    url = reverse("review:batch_avoid", args=[batch.pk])
    client.force_login(staff)
    page = client.get(reverse("review:batch_detail", args=[batch.pk])).content.decode()
    assert 'data-testid="avoid-form"' in page and pool[0].name in page
    response = client.post(url, {"op": "add", "item": item.pk, "expert": pool[0].pk, "reason": ""}, follow=True)
    assert "请填写申请回避的理由" in response.content.decode() and not ApplicantAvoid.objects.exists()
    response = client.post(url, {"op": "add", "item": item.pk, "expert": pool[0].pk, "reason": "竞争关系"}, follow=True)
    assert "竞争关系" in response.content.decode()
    row = ApplicantAvoid.objects.get()
    client.post(url, {"op": "remove", "id": "abc"})
    client.post(url, {"op": "remove", "id": row.pk})
    assert not ApplicantAvoid.objects.exists()
    client.force_login(make_user("bureau_staff", "341182"))
    assert client.post(url, {"op": "add", "item": item.pk, "expert": pool[0].pk, "reason": "x"}).status_code == 404
    client.force_login(make_user("bureau_leader", "341181"))
    assert client.post(url, {"op": "add", "item": item.pk, "expert": pool[0].pk, "reason": "x"}).status_code == 403
    assert not ApplicantAvoid.objects.exists()
