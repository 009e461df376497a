from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.http import Http404
from django.utils import timezone

from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.models import OperationLog
from kejiju.review import selectors, services
from kejiju.review.choices import AssignmentStatus, BatchStatus, ConflictKind, ConflictSource, ExpertStatus
from kejiju.review.models import Assignment, BatchConflict, DrawRecord, Expert, ReviewBatch
from kejiju.review.tests.factories import batch_data, full_scores, id_number, make_expert

pytestmark = pytest.mark.django_db


def _pool(staff: Any, n: int, **kw: Any) -> list[Expert]:
    return [make_expert(staff, **kw) for _ in range(n)]


def _drawn(staff: Any, source: Any, items: int = 3, experts: int = 9, **over: Any) -> ReviewBatch:
    for i in range(items):
        source.add(i + 1)
    pool = _pool(staff, experts)
    for e in pool:
        services.expert_account_create(actor=staff, expert=e)
    batch = services.batch_create(actor=staff, data=batch_data(source, **over))
    record = services.batch_draw(
        actor=staff, batch=batch, nonce="8391", supervisor="纪检组 李明", witnesses="张三、王五"
    )
    assert record.ok, record.result
    batch.refresh_from_db()
    return batch


# ---------------------------------------------------------------- expert pool


def test_expert_create_registers_person_and_logs(staff: Any) -> None:
    expert = make_expert(
        staff,
        subjects="520,510",
        bank_account_no="6222 0210 0100 1234 567",
        bank_name="工商银行",
        bank_account_name="张三",
    )
    assert expert.status == ExpertStatus.ACTIVE
    assert expert.subjects == ["520", "510"] and expert.main_subject == "520"
    assert expert.bank_account_no == "6222021001001234567"
    assert expert.person.name == expert.name
    assert OperationLog.objects.filter(action="review.expert_create", target_id=str(expert.pk)).exists()


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"subjects": "999"}, "subjects"),
        ({"subjects": ""}, "subjects"),
        ({"bank_account_no": "6222abc", "bank_name": "工行", "bank_account_name": "张"}, "bank_account_no"),
        ({"bank_account_no": "1234567", "bank_name": "工行", "bank_account_name": "张"}, "bank_account_no"),
        ({"bank_account_no": "62220210010012345"}, "bank_name"),
        ({"phone": "12"}, "phone"),
        ({"email": "not-an-email"}, "email"),
    ],
)
def test_expert_create_rejects_bad_fields_and_stores_nothing(staff: Any, extra: dict, field: str) -> None:
    with pytest.raises(RowErrors) as exc:
        make_expert(staff, **extra)
    assert field in exc.value.errors
    assert not Expert.objects.exists()


def test_expert_create_refuses_without_permission_and_duplicates(staff: Any, make_user: Any) -> None:
    town = make_user("town_station", "341181100")
    with pytest.raises(BusinessError):
        make_expert(town)
    number = id_number()
    make_expert(staff, name="周一", id_number=number)
    with pytest.raises(RowErrors) as exc:
        make_expert(staff, name="周一", id_number=number)
    assert "id_number" in exc.value.errors
    assert Expert.objects.count() == 1


def test_application_then_approval_and_status_workflow(staff: Any) -> None:
    expert = services.expert_apply(
        data={"name": "钱二", "id_number": id_number(), "region": "341181", "subjects": "210", "phone": "13905501234"}
    )
    assert expert.status == ExpertStatus.APPLIED
    with pytest.raises(BusinessError):
        services.expert_transition(actor=staff, expert=expert, action="reject")  # reason required
    services.expert_transition(actor=staff, expert=expert, action="approve")
    services.expert_transition(actor=staff, expert=expert, action="pause", reason="出国访学")
    expert.refresh_from_db()
    assert expert.status == ExpertStatus.PAUSED and expert.status_reason == "出国访学"
    with pytest.raises(BusinessError):
        services.expert_transition(actor=staff, expert=expert, action="approve")
    services.expert_transition(actor=staff, expert=expert, action="remove", reason="违反评审纪律")
    assert list(expert.transitions.values_list("to_status", flat=True)) == ["removed", "paused", "active"]


def test_expert_account_and_update(staff: Any) -> None:
    expert = make_expert(staff)
    user, password = services.expert_account_create(actor=staff, expert=expert)
    assert user.role == "expert" and user.check_password(password)
    with pytest.raises(BusinessError):
        services.expert_account_create(actor=staff, expert=expert)
    services.expert_update(actor=staff, expert=expert, data={"keywords": "水稻 育种", "title": "研究员"})
    expert.refresh_from_db()
    assert expert.title == "研究员"


def test_rating_unavailability_and_fee(staff: Any, source: Any) -> None:
    expert = make_expert(staff)
    services.expert_rate(actor=staff, expert=expert, stars=4, comment="认真")
    with pytest.raises(RowErrors):
        services.expert_rate(actor=staff, expert=expert, stars=9)
    with pytest.raises(RowErrors):
        services.expert_unavailable_add(actor=staff, expert=expert, start="2027-03-05", end="2027-03-01")
    services.expert_unavailable_add(actor=staff, expert=expert, start="2027-03-01", end="2027-03-05")
    assert selectors.expert_stats(expert=expert)["rating"] == 4
    with pytest.raises(RowErrors):
        services.fee_save(actor=staff, region="341181", kind="stage", label="立项评审", per_review="300.005")
    fee = services.fee_save(actor=staff, region="341181", kind="stage", label="立项评审", per_review="300")
    assert fee.per_review == Decimal("300.00")


# ---------------------------------------------------------------- batches and the draw


def test_batch_create_validates(staff: Any, source: Any) -> None:
    source.add(1)
    with pytest.raises(RowErrors) as exc:
        services.batch_create(
            actor=staff, data=batch_data(source, criteria="创新性:40\n可行性:30", min_load=5, max_load=2, refs=["x:1"])
        )
    assert {"criteria", "min_load", "refs"} <= set(exc.value.errors)
    with pytest.raises(RowErrors) as exc:
        services.batch_create(actor=staff, data=batch_data(source, kind="nope"))
    assert "kind" in exc.value.errors
    assert not ReviewBatch.objects.exists()


def test_draw_produces_panels_reserves_and_sealed_record(staff: Any, source: Any) -> None:
    batch = _drawn(staff, source)
    assert batch.status == BatchStatus.SCORING
    record = batch.draws.get()
    assert record.ok and record.document_id and len(record.seed_digest) == 64
    assert record.witnesses == ["张三", "王五"]
    panel = Assignment.objects.filter(batch=batch, panel=True)
    assert panel.count() == 9 and set(panel.values_list("status", flat=True)) == {AssignmentStatus.INVITED}
    assert Assignment.objects.filter(batch=batch, panel=False, rank=1).count() >= 1
    # the record is append-only
    with pytest.raises(ValueError):
        record.save()
    with pytest.raises(ValueError):
        record.delete()
    # the same inputs and nonce give the same seed
    instance, *_ = services.batch_instance(batch, "8391")
    from kejiju.engines.assignment import seed_digest

    # conflicts etc. unchanged → same digest
    assert seed_digest(instance) == record.seed_digest
    from kejiju.reports.selectors import documents_for_source

    docs = list(documents_for_source(source="review.batch:%s" % batch.pk))
    assert docs and docs[0].status == "generated", [d.status for d in docs]
    # a second draw is refused
    with pytest.raises(BusinessError):
        services.batch_draw(actor=staff, batch=batch, nonce="1111", supervisor="x", witnesses="y")


def test_draw_needs_nonce_supervisor_and_witness(staff: Any, source: Any) -> None:
    source.add(1)
    _pool(staff, 4)
    batch = services.batch_create(actor=staff, data=batch_data(source))
    with pytest.raises(RowErrors) as exc:
        services.batch_draw(actor=staff, batch=batch, nonce="1", supervisor="", witnesses="")
    assert "nonce" in exc.value.errors
    with pytest.raises(RowErrors) as exc:
        services.batch_draw(actor=staff, batch=batch, nonce="12345", supervisor="", witnesses="")
    assert {"supervisor", "witnesses"} <= set(exc.value.errors)
    assert not DrawRecord.objects.exists()


def test_infeasible_draw_reports_shortfall_and_changes_nothing(staff: Any, source: Any) -> None:
    source.add(1)
    source.add(2, subjects=("110",))  # nobody in mathematics
    _pool(staff, 4)
    batch = services.batch_create(actor=staff, data=batch_data(source))
    record = services.batch_draw(actor=staff, batch=batch, nonce="5555", supervisor="李", witnesses="王")
    assert not record.ok
    short = record.result["shortfall"]
    assert short and short[0]["title"] == "测试项目2" and short[0]["missing"] == 3
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DRAFT
    assert not Assignment.objects.exists() and not BatchConflict.objects.exists()
    assert OperationLog.objects.filter(action="review.batch_draw_failed").exists()


def test_conflicts_are_derived_and_stored_with_source(staff: Any, source: Any) -> None:
    from kejiju.orgs.services import organization_create  # noqa: F401  (orgs is a sibling app in tests)

    experts = _pool(staff, 8)
    member, named, relative_of = experts[0], experts[1], experts[2]
    services.expert_relation_add(
        actor=staff,
        expert=relative_of,
        data={"name": member.name, "id_number": member.person.id_number, "relation": "relative"},
    )
    source.add(
        1,
        member_person_ids=(member.person_id,),
        avoid_person_ids=((named.person_id, "竞争关系"),),
    )
    batch = services.batch_create(actor=staff, data=batch_data(source, reserves_per_item=1))
    services.batch_draw(actor=staff, batch=batch, nonce="abcd", supervisor="李", witnesses="王")
    rows = {(c.expert_id, c.kind, c.source) for c in BatchConflict.objects.filter(batch=batch)}
    assert (member.pk, ConflictKind.TEAM_MEMBER, ConflictSource.DERIVED) in rows
    assert (named.pk, ConflictKind.APPLICANT_NAMED, ConflictSource.APPLICANT) in rows
    assert (relative_of.pk, ConflictKind.RELATIVE, ConflictSource.DECLARED) in rows
    chosen = set(Assignment.objects.filter(batch=batch).values_list("expert_id", flat=True))
    assert not chosen & {member.pk, named.pk, relative_of.pk}


def test_same_county_avoidance(staff: Any, source: Any, make_user: Any) -> None:
    source.add(1)
    local = _pool(staff, 3)
    city = _pool(make_user("bureau_staff", "3411"), 3, region_code="3411")
    batch = services.batch_create(actor=staff, data=batch_data(source, avoid_same_county=True, reserves_per_item=0))
    record = services.batch_draw(actor=staff, batch=batch, nonce="abcd", supervisor="李", witnesses="王")
    assert record.ok
    chosen = set(Assignment.objects.filter(batch=batch).values_list("expert_id", flat=True))
    assert chosen == {e.pk for e in city} and not chosen & {e.pk for e in local}


# ---------------------------------------------------------------- invitations


def test_decline_moves_next_reserve_in(staff: Any, source: Any) -> None:
    batch = _drawn(staff, source, items=1, experts=6)
    first = Assignment.objects.filter(batch=batch, panel=True).first()
    reserve = Assignment.objects.get(batch=batch, item=first.item, panel=False, rank=1)
    user = first.expert.user
    with pytest.raises(BusinessError):
        services.assignment_decline(actor=user, assignment=first, reason="")
    services.assignment_decline(actor=user, assignment=first, reason="与申报单位有合作", conflict=True)
    reserve.refresh_from_db()
    assert reserve.status == AssignmentStatus.INVITED and reserve.panel
    assert BatchConflict.objects.filter(expert=first.expert, kind=ConflictKind.SELF_DECLARED).exists()
    assert OperationLog.objects.filter(action="review.replace").exists()
    assert reserve.expert.user.notifications.exists() if hasattr(reserve.expert.user, "notifications") else True


def test_expire_command_replaces_silent_experts(staff: Any, source: Any) -> None:
    from django.core.management import call_command

    batch = _drawn(staff, source, items=1, experts=6)
    call_command("review", "expire")
    assert not Assignment.objects.filter(status=AssignmentStatus.EXPIRED).exists()
    Assignment.objects.filter(batch=batch, status=AssignmentStatus.INVITED).update(
        respond_by=timezone.now() - timedelta(hours=1)
    )
    assert services.assignments_expire() == 3
    assert Assignment.objects.filter(batch=batch, status=AssignmentStatus.INVITED).count() == 2  # two reserves left


def test_other_expert_cannot_act_or_see(staff: Any, source: Any) -> None:
    batch = _drawn(staff, source, items=1, experts=6)
    mine = Assignment.objects.filter(batch=batch, panel=True).first()
    other = Assignment.objects.filter(batch=batch, panel=False).first()
    with pytest.raises(BusinessError):
        services.assignment_accept(actor=other.expert.user, assignment=mine, declare=True)
    with pytest.raises(Http404):
        selectors.my_assignment_get(user=other.expert.user, pk=mine.pk)
    assert selectors.my_assignment_get(user=mine.expert.user, pk=mine.pk) == mine


# ---------------------------------------------------------------- scoring and results


def _accept_all(batch: ReviewBatch) -> list[Assignment]:
    panel = list(Assignment.objects.filter(batch=batch, panel=True).select_related("expert__user"))
    for a in panel:
        services.assignment_accept(actor=a.expert.user, assignment=a, declare=True)
    return panel


def test_scoring_rules_and_lock(staff: Any, source: Any) -> None:
    batch = _drawn(staff, source, items=1, experts=6)
    a = Assignment.objects.filter(batch=batch, panel=True).select_related("expert__user").first()
    user = a.expert.user
    with pytest.raises(RowErrors):
        services.assignment_accept(actor=user, assignment=a, declare=False)
    with pytest.raises(BusinessError):
        services.sheet_save(actor=user, assignment=a, scores={})
    services.assignment_accept(actor=user, assignment=a, declare=True)
    crit = list(batch.criteria.all())
    with pytest.raises(RowErrors) as exc:
        services.sheet_save(actor=user, assignment=a, scores={str(crit[0].pk): "41"})
    assert "c%s" % crit[0].pk in exc.value.errors
    with pytest.raises(RowErrors):
        services.sheet_save(actor=user, assignment=a, scores={str(crit[0].pk): "abc"})
    with pytest.raises(RowErrors):
        services.sheet_save(actor=user, assignment=a, scores={str(crit[0].pk): "30"}, submit=True)
    sheet = services.sheet_save(actor=user, assignment=a, scores={str(crit[0].pk): "30.5"})
    assert sheet.total is None and sheet.submitted_at is None
    sheet = services.sheet_save(
        actor=user,
        assignment=a,
        scores=full_scores(batch, [35, 25, 20]),
        comment="创新性较好。",
        recommendation="support",
        submit=True,
    )
    assert sheet.total == Decimal("80") and sheet.submitted_at
    with pytest.raises(BusinessError):
        services.sheet_save(actor=user, assignment=a, scores=full_scores(batch), comment="改", recommendation="support")
    sheet.refresh_from_db()
    assert sheet.total == Decimal("80")


def test_aggregate_scores_boundaries() -> None:
    agg = services.aggregate_scores([Decimal(90), Decimal(60), Decimal(80)], Decimal(20))
    assert agg["mean"] == Decimal("76.67") and agg["trimmed"] == Decimal("80.00")
    assert agg["spread"] == Decimal("30.00") and agg["warning"]
    agg = services.aggregate_scores([Decimal(70), Decimal(80)], Decimal(20))
    assert agg["trimmed"] == Decimal("75.00") and not agg["warning"]
    assert services.aggregate_scores([], Decimal(20))["mean"] is None


def test_full_review_flows_back_to_the_source(staff: Any, source: Any) -> None:
    batch = _drawn(staff, source, items=2, experts=8)
    with pytest.raises(BusinessError):
        services.batch_close(actor=staff, batch=batch)
    points = {}
    for n, a in enumerate(_accept_all(batch)):
        base = 60 + 10 * (a.item_id % 2) + n % 3
        points[a.pk] = base
        services.sheet_save(
            actor=a.expert.user,
            assignment=a,
            scores=full_scores(batch, [base - 60 + 20, 20, 20]),
            comment="意见%s" % n,
            recommendation="support",
            submit=True,
        )
    source.refuse = {next(iter(source.items))}
    with pytest.raises(BusinessError):
        services.batch_close(actor=staff, batch=batch)
    assert not source.outcomes
    batch.refresh_from_db()
    assert batch.status == BatchStatus.SCORING
    source.refuse = set()
    services.batch_close(actor=staff, batch=batch)
    assert len(source.outcomes) == 2
    ranks = sorted(o.rank for o in source.outcomes)
    assert ranks == [1, 2]
    assert all(o.reviewers == 3 and o.recommendation == "support" for o in source.outcomes)
    services.fee_save(actor=staff, region="341181", kind="stage", label="立项评审", per_review="300", per_meeting="500")
    meeting = services.meeting_save(
        actor=staff,
        batch=batch,
        held_at="2027-03-01T09:00",
        place="科技局三楼会议室",
        attendee_ids=[a.expert_id for a in Assignment.objects.filter(batch=batch, panel=True)[:2]],
    )
    assert meeting.attendees.count() == 2
    rows = services.payment_rows(batch=batch)
    assert sum(r["reviews"] for r in rows) == 6
    assert sum(r["amount"] for r in rows) == Decimal("300.00") * 6 + Decimal("500.00") * 2


def test_records_without_subjects_accept_any_expert(staff: Any, source: Any) -> None:
    source.add(1, subjects=())
    _pool(staff, 4, subjects="210")
    batch = services.batch_create(actor=staff, data=batch_data(source, reserves_per_item=1))
    record = services.batch_draw(actor=staff, batch=batch, nonce="abcd", supervisor="李", witnesses="王")
    assert record.ok and Assignment.objects.filter(batch=batch, panel=True).count() == 3


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(st.lists(st.decimals(min_value=0, max_value=100, places=1), min_size=1, max_size=9))
def test_aggregate_is_bounded(totals: list[Decimal]) -> None:
    agg = services.aggregate_scores(totals, Decimal(20))
    low, high = min(totals), max(totals)
    assert low - Decimal("0.01") <= agg["trimmed"] <= high + Decimal("0.01")
    assert low - Decimal("0.01") <= agg["mean"] <= high + Decimal("0.01")
    assert agg["warning"] == (high - low > 20)


def test_witness_names_keep_their_unit(staff: Any, source: Any) -> None:
    """“办公室 周敏、计划科 陈刚” are two witnesses (names are separated by 、 or commas, not blanks)."""
    source.add(1)
    _pool(staff, 4)
    batch = services.batch_create(actor=staff, data=batch_data(source, reserves_per_item=0))
    record = services.batch_draw(
        actor=staff, batch=batch, nonce="w1tn", supervisor="孙立", witnesses="办公室 周敏、计划科  陈刚\n"
    )
    assert record.witnesses == ["办公室 周敏", "计划科 陈刚"]


def test_same_county_rule_leaves_city_level_pairs_alone(staff: Any, source: Any, make_user: Any) -> None:
    """回避同县 concerns counties: a city-level record and city-level experts are not "the same county",
    and every pair the engine leaves out is a stored conflict."""
    city_staff = make_user("bureau_staff", "3411")
    source.add(1, region_code="3411")
    city = _pool(city_staff, 3, region_code="3411")
    data = batch_data(source, avoid_same_county=True, reserves_per_item=0, region="3411")
    batch = services.batch_create(actor=city_staff, data=data)
    record = services.batch_draw(actor=city_staff, batch=batch, nonce="abcd", supervisor="李", witnesses="王")
    assert record.ok, record.result
    assert set(Assignment.objects.filter(batch=batch).values_list("expert_id", flat=True)) == {e.pk for e in city}
    assert not BatchConflict.objects.filter(batch=batch).exists()


def test_applicant_named_avoid_list_is_capped_and_needs_reasons(staff: Any, source: Any, settings: Any) -> None:
    settings.KEJIJU_REVIEW_APPLICANT_AVOID_MAX = 2
    experts = _pool(staff, 8)
    source.add(1, avoid_person_ids=tuple((e.person_id, "竞争关系") for e in experts[:3]))
    with pytest.raises(RowErrors) as err:
        services.batch_create(actor=staff, data=batch_data(source))
    assert "申请回避的专家 3 名，超过上限 2 名" in str(err.value.errors["refs"])
    source.items.clear()
    source.add(2, avoid_person_ids=((experts[0].person_id, " "),))
    with pytest.raises(RowErrors) as err:
        services.batch_create(actor=staff, data=batch_data(source))
    assert "须说明理由" in str(err.value.errors["refs"])
    assert not ReviewBatch.objects.exists()
    source.items.clear()
    source.add(3, avoid_person_ids=tuple((e.person_id, "竞争关系") for e in experts[:2]))
    batch = services.batch_create(actor=staff, data=batch_data(source, reserves_per_item=1))
    assert services.batch_draw(actor=staff, batch=batch, nonce="abcd", supervisor="李", witnesses="王").ok
    named = BatchConflict.objects.filter(batch=batch, kind=ConflictKind.APPLICANT_NAMED)
    assert {(c.expert_id, c.source, c.detail) for c in named} == {
        (e.pk, ConflictSource.APPLICANT, "申报单位申请回避：竞争关系") for e in experts[:2]
    }


def _scored(staff: Any, source: Any) -> ReviewBatch:
    batch = _drawn(staff, source, items=1, experts=5, reserves_per_item=0)
    for a in _accept_all(batch):
        services.sheet_save(
            actor=a.expert.user,
            assignment=a,
            scores=full_scores(batch, [30, 20, 20]),
            comment="同意",
            recommendation="support",
            submit=True,
        )
    return batch


def test_payment_list_needs_a_fee_schedule(staff: Any, source: Any, client: Any) -> None:
    """No schedule for the batch's kind: the list is refused (never a list of zero amounts), nothing logged."""
    from django.urls import reverse

    batch = _scored(staff, source)
    with pytest.raises(BusinessError, match="尚未设置“立项评审”的评审费标准"):
        services.payment_rows(batch=batch)
    client.force_login(staff)
    response = client.get(reverse("review:batch_payments", args=[batch.pk]), follow=True)
    assert "尚未设置“立项评审”的评审费标准" in response.content.decode()
    assert not OperationLog.objects.filter(action="review.payment_export").exists()


def test_payment_list_export_has_amounts_and_a_total(staff: Any, source: Any, client: Any) -> None:
    import io

    from django.urls import reverse
    from openpyxl import load_workbook

    batch = _scored(staff, source)
    services.fee_save(actor=staff, region="341181", kind="stage", label="立项评审", per_review="350.50")
    client.force_login(staff)
    response = client.get(reverse("review:batch_payments", args=[batch.pk]))
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][-1] == "金额（元）" and len(rows) == 1 + 3 + 1
    assert [r[-1] for r in rows[1:4]] == [350.5] * 3
    assert rows[-1][0] == "合计" and rows[-1][5:] == (3, 0, 1051.5)
    assert OperationLog.objects.filter(action="review.payment_export", target_id=str(batch.pk)).exists()


def test_draw_record_archives_its_input_and_reproduces(staff: Any, source: Any, client: Any, make_user: Any) -> None:
    """The sealed record keeps the engine input (JSON form of ``kejiju assign``): re-running it gives the
    recorded inputs digest, seed digest, panels and reserves; staff download it from the record page."""
    import hashlib
    import json

    from django.urls import reverse

    from kejiju.engines import assignment as engine

    source.add(1, subjects=())  # a record without subjects: the batch passes an affinity matrix
    source.add(2)
    batch = _drawn(staff, source, items=0, experts=9)
    record = DrawRecord.objects.get(batch=batch)
    archived = engine.instance_from_dict(record.result["instance"])
    assert archived.affinity is not None and archived.nonce == "8391"
    assert hashlib.sha256(engine.canonical_json(archived).encode()).hexdigest() == record.inputs_digest
    again = engine.result_to_dict(engine.solve(archived))
    assert again["seed_digest"] == record.seed_digest
    assert again["assignments"] == record.result["assignments"] and again["reserves"] == record.result["reserves"]
    url = reverse("review:draw_input", args=[batch.pk, record.pk])
    client.force_login(staff)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert json.loads(response.content) == record.result["instance"]
    assert url in client.get(reverse("review:draw_detail", args=[batch.pk, record.pk])).content.decode()
    client.force_login(make_user("bureau_staff", "341182"))
    assert client.get(url).status_code == 404


def test_failed_draw_archives_its_input_too(staff: Any, source: Any) -> None:
    from kejiju.engines import assignment as engine

    source.add(1)
    _pool(staff, 2)
    batch = services.batch_create(actor=staff, data=batch_data(source))
    record = services.batch_draw(actor=staff, batch=batch, nonce="abcd", supervisor="李", witnesses="王")
    assert not record.ok
    again = engine.solve(engine.instance_from_dict(record.result["instance"]))
    assert again.status == "infeasible" and again.seed_digest == record.seed_digest


@pytest.mark.parametrize(
    "change, field, fragment",
    [
        ({"per_review": "1e999"}, "per_review", "过大"),
        ({"per_review": "9" * 40}, "per_review", "过大"),
        ({"per_meeting": "-5"}, "per_meeting", "不能为负数"),
        ({"per_review": "abc"}, "per_review", "不是有效金额"),
        ({"kind": "nonsense"}, "kind", "评审类型无效"),
        ({"kind": "x" * 3000}, "kind", "评审类型无效"),
        ({"kind": ""}, "kind", "评审类型不能为空"),
    ],
)
def test_fee_schedule_bad_input_changes_nothing(
    staff: Any, source: Any, change: dict[str, str], field: str, fragment: str
) -> None:
    from kejiju.review.models import FeeSchedule

    data = {"region": "341181", "kind": "stage", "label": "立项评审", "per_review": "300", "per_meeting": "0"}
    data.update(change)
    with pytest.raises(RowErrors) as err:
        services.fee_save(actor=staff, **data)
    assert fragment in " ".join(err.value.errors[field])
    assert not FeeSchedule.objects.exists()
    assert not OperationLog.objects.filter(action="review.fee_save").exists()


def test_meeting_only_once_panels_are_drawn_and_never_on_a_cancelled_batch(staff: Any, source: Any) -> None:
    source.add(1)
    _pool(staff, 5)
    batch = services.batch_create(actor=staff, data=batch_data(source, reserves_per_item=0))
    meeting = {"held_at": "2027-03-01T09:00", "place": "科技局三楼会议室", "attendee_ids": []}
    with pytest.raises(BusinessError, match="尚未抽取专家"):
        services.meeting_save(actor=staff, batch=batch, **meeting)
    services.batch_cancel(actor=staff, batch=batch, reason="指南调整")
    batch.refresh_from_db()
    with pytest.raises(BusinessError, match="已取消"):
        services.meeting_save(actor=staff, batch=batch, **meeting)
    assert not batch.meetings.exists()
    assert not OperationLog.objects.filter(action="review.meeting_save").exists()
