"""Services of the outreach app: happy paths, each rule, audit rows, and that a failure stores nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.models import Attachment, OperationLog
from kejiju.outreach import selectors, services
from kejiju.outreach.models import Activity, ActivityTransition, Assessment, Commissioner, ServiceDiary
from kejiju.outreach.tests.factories import (
    PDF,
    make_activity,
    make_assignment,
    make_commissioner,
    make_org,
    make_template,
    png,
)
from kejiju.outreach.topics import register_topic_source, topic_suggestions, unregister_topic_source

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(regions, make_user):
    return make_user("bureau_staff", "341181")


@pytest.fixture
def comm_user(regions, make_user):
    return make_user("commissioner", "341181")


def _errors(exc: pytest.ExceptionInfo) -> dict:
    return exc.value.errors if isinstance(exc.value, RowErrors) else {exc.value.field: [exc.value.message]}


# ------------------------------------------------------------------ commissioners


def test_commissioner_create_individual_ensures_person(staff):
    c = make_commissioner(staff)
    assert c.person.name == "王农科" and c.kind.code == "commissioner" and c.region_id == "341181"
    assert OperationLog.objects.filter(action="outreach.commissioner_create").count() == 1
    again = make_commissioner(staff, kind="deputy_mayor", person={"name": "王农科", "id_number": c.person.id_number})
    assert again.person_id == c.person_id  # one person, one record


def test_commissioner_duplicate_same_year_refused(staff):
    c = make_commissioner(staff)
    with pytest.raises(BusinessError) as exc:
        make_commissioner(staff, person={"name": "王农科", "id_number": c.person.id_number})
    assert exc.value.field == "selection_year"
    assert Commissioner.objects.count() == 1


def test_commissioner_legal_person(staff):
    org = make_org()
    c = make_commissioner(staff, kind="legal", holder_type="legal", organization=org.pk, person=None)
    assert c.display_name == org.name and c.person is None


def test_commissioner_bad_input(staff):
    with pytest.raises(RowErrors) as exc:
        make_commissioner(staff, kind="nope", selection_year="19", person={"name": "", "id_number": ""})
    errors = exc.value.errors
    assert {"kind", "selection_year", "person_name", "person_id_number"} <= set(errors)
    with pytest.raises(RowErrors) as exc:
        make_commissioner(staff, person={"name": "李四", "id_number": "123"})
    assert "person_id_number" in exc.value.errors
    assert Commissioner.objects.count() == 0


def test_commissioner_out_of_region_refused(staff, regions):
    with pytest.raises(RowErrors) as exc:
        make_commissioner(staff, region="341182")
    assert "region" in exc.value.errors


def test_commissioner_without_perm(regions, make_user):
    town = make_user("town_station", "341181100")
    with pytest.raises(BusinessError) as exc:
        make_commissioner(town)
    assert exc.value.code == "forbidden"


def test_assignment_rules_and_agreement(staff):
    c = make_commissioner(staff)
    a = services.assignment_save(
        actor=staff,
        commissioner=c,
        data={
            "target_region": "341181100",
            "start_on": "2026-01-01",
            "targets": [{"indicator": "示范面积", "number": "120.5"}],
        },
        agreement=services.Upload("协议.pdf", PDF),
    )
    assert a.region_id == "341181100" and a.agreement.kind == "pdf" and a.targets[0]["number"] == "120.5"
    for data, fld in (
        ({"target_region": "341181100", "start_on": "2026-05-01", "end_on": "2026-04-01"}, "end_on"),
        ({"start_on": "2026-05-01"}, "target_region"),
        ({"target_region": "341182", "start_on": "2026-05-01"}, "target_region"),
        (
            {"target_region": "341181100", "start_on": "2026-05-01", "targets": [{"indicator": "培训", "number": -1}]},
            "targets",
        ),
    ):
        with pytest.raises(RowErrors) as exc:
            services.assignment_save(actor=staff, commissioner=c, data=data)
        assert fld in exc.value.errors, data
    assert c.assignments.count() == 1


def test_assignment_to_cooperative(staff):
    c = make_commissioner(staff)
    org = make_org("341181100")
    a = services.assignment_save(
        actor=staff, commissioner=c, data={"target_organization": org.pk, "start_on": "2026-01-01"}
    )
    assert a.region_id == "341181100" and a.target_label == org.name


# ------------------------------------------------------------------ diary


def _diary(**over):
    data = {
        "served_on": date.today() - timedelta(days=1),
        "place_region": "341181100001",
        "place": "村部",
        "served": "种粮大户张某",
        "content": "指导水稻育秧",
        "hours": "2.5",
        "request_refs": "service.request:12",
    }
    data.update(over)
    return data


def test_diary_by_own_commissioner_account(staff, comm_user):
    c = make_commissioner(staff, user=comm_user.pk)
    make_assignment(staff, c)
    d = services.diary_create(actor=comm_user, commissioner=c, data=_diary(), photos=[png()])
    assert d.assignment.commissioner_id == c.pk and d.region_id == "341181100001" and d.hours == Decimal("2.5")
    assert d.request_refs == ["service.request:12"]
    assert Attachment.objects.filter(owner_id=str(d.pk), purpose="服务照片").count() == 1
    assert OperationLog.objects.filter(action="outreach.diary_create", actor=comm_user).exists()
    assert selectors.commissioner_summary(commissioner=c)["requests"] == 1


def test_diary_other_account_forbidden(staff, make_user):
    c = make_commissioner(staff)
    make_assignment(staff, c)
    other = make_user("commissioner", "341181")
    with pytest.raises(BusinessError) as exc:
        services.diary_create(actor=other, commissioner=c, data=_diary())
    assert exc.value.code == "forbidden"


def test_diary_in_town_not_assigned_refused(staff, regions):
    from kejiju.core.testing.factories import region

    region("341181101", "另一镇")
    c = make_commissioner(staff)
    make_assignment(staff, c)
    with pytest.raises(RowErrors) as exc:
        services.diary_create(actor=staff, commissioner=c, data=_diary(place_region="341181101"), photos=[png()])
    assert "不在该特派员" in exc.value.errors["place_region"][0]
    assert ServiceDiary.objects.count() == 0 and not Attachment.objects.exists()


def test_diary_before_assignment_start_refused(staff):
    c = make_commissioner(staff)
    make_assignment(staff, c, start_on=date.today() - timedelta(days=5))
    with pytest.raises(RowErrors) as exc:
        services.diary_create(actor=staff, commissioner=c, data=_diary(served_on=date.today() - timedelta(days=30)))
    assert "place_region" in exc.value.errors


def test_diary_photo_not_image_refused(staff):
    c = make_commissioner(staff)
    make_assignment(staff, c)
    with pytest.raises(RowErrors) as exc:
        services.diary_create(
            actor=staff, commissioner=c, data=_diary(), photos=[services.Upload("fake.jpg", b"not an image at all")]
        )
    assert "不是图片" in exc.value.errors["photos"][0]
    with pytest.raises(RowErrors):
        services.diary_create(actor=staff, commissioner=c, data=_diary(), photos=[services.Upload("a.pdf", PDF)])
    assert ServiceDiary.objects.count() == 0 and not Attachment.objects.exists()


@pytest.mark.parametrize(
    "over,fld",
    [
        ({"hours": "0"}, "hours"),
        ({"hours": "-1"}, "hours"),
        ({"hours": "25"}, "hours"),
        ({"hours": "1.25"}, "hours"),
        ({"served_on": date.today() + timedelta(days=2)}, "served_on"),
        ({"served_on": "2026-13-01"}, "served_on"),
        ({"content": ""}, "content"),
        ({"served": ""}, "served"),
        ({"request_refs": "DROP TABLE"}, "request_refs"),
        ({"place_region": "999999"}, "place_region"),
    ],
)
def test_diary_bad_input(staff, over, fld):
    c = make_commissioner(staff)
    make_assignment(staff, c)
    with pytest.raises(RowErrors) as exc:
        services.diary_create(actor=staff, commissioner=c, data=_diary(**over))
    assert fld in exc.value.errors
    assert ServiceDiary.objects.count() == 0


# ------------------------------------------------------------------ assessment


def test_template_weights_must_sum_to_100(staff):
    with pytest.raises(RowErrors) as exc:
        services.template_save(
            actor=staff, data={"name": "模板", "items": [{"name": "甲", "weight": 50}, {"name": "乙", "weight": 40}]}
        )
    assert "之和应为 100，现为 90" in exc.value.errors["items"][0]


@pytest.mark.parametrize(
    "items,bands,fld",
    [
        ([], None, "items"),
        ([{"name": "", "weight": 100}], None, "items"),
        ([{"name": "甲", "weight": 0}, {"name": "乙", "weight": 100}], None, "items"),
        ([{"name": "甲", "weight": 50}, {"name": "甲", "weight": 50}], None, "items"),
        ([{"name": "甲", "weight": 100}], [{"grade": "优秀", "min": 90}], "grade_bands"),
        ([{"name": "甲", "weight": 100}], [{"grade": "优秀", "min": 101}, {"grade": "差", "min": 0}], "grade_bands"),
        ([{"name": "甲", "weight": 100}], [{"grade": "优秀", "min": 0}, {"grade": "差", "min": 0}], "grade_bands"),
    ],
)
def test_template_bad_input(staff, items, bands, fld):
    with pytest.raises(RowErrors) as exc:
        services.template_save(actor=staff, data={"name": "模板", "items": items, "grade_bands": bands})
    assert fld in exc.value.errors


def test_assessment_total_and_grade(staff):
    c = make_commissioner(staff)
    t = make_template(staff)
    a = services.assessment_save(actor=staff, commissioner=c, year=2025, template=t, scores=["95", "90", "80"])
    assert a.total == Decimal("90.00") and a.grade == "优秀"
    again = services.assessment_save(actor=staff, commissioner=c, year=2025, template=t, scores=[50, 60, 70])
    assert again.pk == a.pk and again.total == Decimal("58.00") and again.grade == "不合格"
    assert OperationLog.objects.filter(action="outreach.assess").count() == 2


@pytest.mark.parametrize(
    "scores", [["101", "90", "80"], ["-1", "90", "80"], ["90", "90"], ["90.123", "1", "1"], ["x", "1", "1"]]
)
def test_assessment_scores_out_of_range(staff, scores):
    c = make_commissioner(staff)
    t = make_template(staff)
    with pytest.raises(RowErrors) as exc:
        services.assessment_save(actor=staff, commissioner=c, year=2025, template=t, scores=scores)
    assert "scores" in exc.value.errors
    assert Assessment.objects.count() == 0


def test_assessment_needs_perm(staff, make_user):
    c = make_commissioner(staff)
    t = make_template(staff)
    leader = make_user("bureau_leader", "341181")
    with pytest.raises(BusinessError):
        services.assessment_save(actor=leader, commissioner=c, year=2025, template=t, scores=[1, 1, 1])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.decimals(min_value=0, max_value=100, places=2), min_size=3, max_size=3))
def test_total_within_bounds(scores):
    items = [{"name": "a", "weight": 40}, {"name": "b", "weight": 40}, {"name": "c", "weight": 20}]
    total = services.score_total(items, scores)
    assert Decimal(0) <= total <= Decimal(100)
    grade = services.grade_for(total, [{"grade": "优", "min": 90}, {"grade": "差", "min": 0}])
    assert grade == ("优" if total >= 90 else "差")


# ------------------------------------------------------------------ activities


def test_activity_plan_hold_and_records(staff):
    c = make_commissioner(staff)
    a = make_activity(staff, trainers=[c.person_id], commissioners=[c.pk])
    assert a.status == "planned" and list(a.trainers.all()) == [c.person]
    held = services.activity_hold(
        actor=staff,
        activity=a,
        data={
            "start_on": a.planned_start,
            "end_on": a.planned_end,
            "attendance": "86",
            "materials": "300",
            "cost": "1200.50",
            "attendees": [c.person_id],
        },
        photos=[png()],
        sign_in_sheets=[services.Upload("签到表.pdf", PDF)],
    )
    assert held.status == "held" and held.attendance == 86 and held.cost == Decimal("1200.50")
    assert ActivityTransition.objects.get(activity=a).to_status == "held"
    assert list(selectors.activities_for_person(c.person)) == [held]
    assert selectors.commissioner_summary(commissioner=c)["activities"] == 1
    assert selectors.attachments_of(held, "签到表").count() == 1
    assert OperationLog.objects.filter(action="outreach.activity_hold").exists()
    # a correction keeps the status and writes another transition row
    services.activity_hold(actor=staff, activity=held, data={"start_on": a.planned_start, "attendance": 90})
    assert Activity.objects.get(pk=a.pk).attendance == 90 and ActivityTransition.objects.count() == 2


@pytest.mark.parametrize(
    "data,fld",
    [
        ({"attendance": "-5"}, "attendance"),
        ({"attendance": ""}, "attendance"),
        ({"attendance": "12.5"}, "attendance"),
        ({"materials": "-1"}, "materials"),
        ({"cost": "10.005"}, "cost"),
        ({"cost": "-3"}, "cost"),
        ({"end_on": "2020-01-01"}, "end_on"),
        ({"start_on": date.today() + timedelta(days=3)}, "start_on"),
    ],
)
def test_activity_hold_bad_input(staff, data, fld):
    a = make_activity(staff)
    base = {"start_on": a.planned_start, "end_on": a.planned_end, "attendance": "50"}
    with pytest.raises(RowErrors) as exc:
        services.activity_hold(actor=staff, activity=a, data={**base, **data})
    assert fld in exc.value.errors
    a.refresh_from_db()
    assert a.status == "planned" and a.attendance is None and not ActivityTransition.objects.exists()


def test_activity_hold_photo_not_image(staff):
    a = make_activity(staff)
    with pytest.raises(RowErrors) as exc:
        services.activity_hold(
            actor=staff,
            activity=a,
            data={"start_on": a.planned_start, "attendance": 5},
            photos=[services.Upload("x.png", b"MZ\x90\x00")],
        )
    assert "photos" in exc.value.errors
    assert not Attachment.objects.exists() and Activity.objects.get(pk=a.pk).status == "planned"


@pytest.mark.parametrize(
    "data,fld",
    [
        ({"planned_end": "2020-01-01"}, "planned_end"),
        ({"planned_attendance": "-1"}, "planned_attendance"),
        ({"kind": "sci_nope"}, "kind"),
        ({"title": ""}, "title"),
        ({"region": "341182"}, "region"),
        ({"trainers": ["999999"]}, "trainers"),
    ],
)
def test_activity_plan_bad_input(staff, regions, data, fld):
    with pytest.raises(RowErrors) as exc:
        make_activity(staff, **data)
    assert fld in exc.value.errors
    assert Activity.objects.count() == 0


def test_activity_cancel_needs_reason_and_is_final(staff):
    a = make_activity(staff)
    with pytest.raises(BusinessError) as exc:
        services.activity_cancel(actor=staff, activity=a, reason=" ")
    assert exc.value.field == "reason"
    services.activity_cancel(actor=staff, activity=a, reason="天气原因")
    with pytest.raises(BusinessError):
        services.activity_hold(actor=staff, activity=a, data={"start_on": a.planned_start, "attendance": 1})
    with pytest.raises(BusinessError):
        services.activity_update(actor=staff, activity=a, data={"title": "新"})


def test_activity_update_keeps_unsent_fields(staff):
    a = make_activity(staff)
    services.activity_update(actor=staff, activity=a, data={"topic": "小麦赤霉病"})
    a.refresh_from_db()
    assert a.topic == "小麦赤霉病" and a.title == "水稻病虫害绿色防控培训班"


def test_stats_and_indicators(staff):
    from kejiju.core.indicators import get_indicator, registered_indicators

    a = make_activity(staff)
    services.activity_hold(
        actor=staff, activity=a, data={"start_on": a.planned_start, "attendance": 60, "materials": 200}
    )
    make_activity(staff, kind="sci_week", title="科技活动周")
    year = a.planned_start.year
    stats = selectors.activity_stats(user=staff, year=year)
    assert stats["plan"]["planned"] >= 1 and stats["totals"]["attendance"] == 60
    assert stats["by_town"][0]["town"] == "341181100"
    codes = {i.code for i in registered_indicators("outreach")}
    assert {"outreach.activities_held", "outreach.people_trained", "outreach.commissioners_active"} <= codes
    start, end = date(year, 1, 1), date(year, 12, 31)
    people = get_indicator("outreach.people_trained")
    assert people.value(people.records("341181", start, end)) == 60
    assert (
        get_indicator("outreach.materials_distributed").value(
            get_indicator("outreach.materials_distributed").records("3411", start, end)
        )
        == 200
    )
    assert get_indicator("outreach.activities_held").records("341182", start, end).count() == 0
    for ind in registered_indicators("outreach"):
        assert ind.list_url("341181", start, end).startswith("/outreach/")


def test_topic_sources():
    def source(region, today):
        return ["稻瘟病", "小麦赤霉病", "稻瘟病"]

    def broken(region, today):
        raise RuntimeError

    register_topic_source(source)
    register_topic_source(broken)
    try:
        assert topic_suggestions("341181") == ["稻瘟病", "小麦赤霉病"]
    finally:
        unregister_topic_source(source)
        unregister_topic_source(broken)


def test_kind_save(staff, make_user):
    admin = make_user("bureau_admin", "341181")
    k = services.kind_save(actor=admin, group="activity", code="farm_school", name="田间学校", is_training=True)
    assert k.is_training
    with pytest.raises(RowErrors):
        services.kind_save(actor=admin, group="activity", code="farm_school", name="重复")
    with pytest.raises(BusinessError):
        services.kind_save(actor=staff, group="activity", code="x_y", name="无权限")
