"""知识产权日 and other promotion events held through the outreach module: picked from the activities in
the user's region (newest first, IP-related ones first, the last two years), checked by the service
(existing, in scope, not cancelled; a foreign or made-up reference stores nothing), blank name, date and
participants taken from the activity, and the record's pages link to the activity."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.apps import apps
from django.urls import reverse

from kejiju.core.errors import BusinessError
from kejiju.core.models import OperationLog
from kejiju.core.testing.factories import region
from kejiju.core.testing.matrix import Endpoint, matrix_cases, run_matrix_case
from kejiju.orgs import actions, selectors, services
from kejiju.orgs.models import IpCase
from kejiju.outreach import services as outreach_services

pytestmark = pytest.mark.django_db

TODAY = date.today()


@pytest.fixture
def staff(regions, make_user):
    return make_user("bureau_staff", "341181")


@pytest.fixture
def other_staff(regions, make_user):
    region("341182100", "明光街道")
    return make_user("bureau_staff", "341182")


def _activity(actor, title, *, town="341181100", days_ago=30, held=True, attendance=260, topic="", venue=""):
    start = TODAY - timedelta(days=days_ago)
    activity = outreach_services.activity_plan(
        actor=actor,
        data={
            "kind": "sci_fair",
            "title": title,
            "topic": topic,
            "venue": venue,
            "region": town,
            "planned_start": start,
            "planned_end": start,
            "planned_attendance": 300,
        },
    )
    if held:
        activity = outreach_services.activity_hold(
            actor=actor,
            activity=activity,
            data={"start_on": start, "end_on": start, "attendance": str(attendance)},
        )
    return activity


def _ref(activity) -> str:
    return "outreach.activity:%d" % activity.pk


def _save(actor, **kwargs):
    args = {"region": "341181", "kind": "promotion", "title": "", "occurred_on": None, **kwargs}
    return services.ip_case_save(actor=actor, **args)


# ------------------------------------------------------------------ picker


def test_picker_lists_only_in_scope_recent_activities_ip_related_first(staff, other_staff):
    recent = _activity(staff, "科普大集进社区", days_ago=10, venue="人民广场")
    ip_day = _activity(staff, "4·26 世界知识产权日宣传周", days_ago=200, venue="文化广场")
    planned = _activity(staff, "专利申请实务讲座", days_ago=-20, held=False)
    old = _activity(staff, "三年前的科普展览", days_ago=3 * 365)
    cancelled = _activity(staff, "取消的科普电影放映", days_ago=5, held=False)
    outreach_services.activity_cancel(actor=staff, activity=cancelled, reason="下雨")
    foreign = _activity(other_staff, "明光市知识产权宣传", town="341182100", days_ago=3)

    options = selectors.ip_activity_options(user=staff)
    refs = [ref for ref, _ in options]
    # IP-related first (newest of them first), then the rest newest first; old, cancelled, foreign left out
    assert refs == [_ref(planned), _ref(ip_day), _ref(recent)]
    assert _ref(old) not in refs and _ref(cancelled) not in refs and _ref(foreign) not in refs
    labels = dict(options)
    start = (TODAY - timedelta(days=200)).isoformat()
    assert labels[_ref(ip_day)] == f"{start} 4·26 世界知识产权日宣传周（文化广场/天长街道）"
    assert labels[_ref(planned)].endswith("[计划]")
    # the other county's staff see only their own
    assert [ref for ref, _ in selectors.ip_activity_options(user=other_staff)] == [_ref(foreign)]


def test_create_page_offers_the_picker(staff, other_staff, client):
    mine = _activity(staff, "世界知识产权日咨询台", venue="天长市文化广场")
    foreign = _activity(other_staff, "明光市科普大集", town="341182100")
    client.force_login(staff)
    body = client.get(reverse("orgs:ip_case_create")).content.decode()
    assert '<select name="activity_ref"' in body
    assert f'value="{_ref(mine)}"' in body and "世界知识产权日咨询台（天长市文化广场/天长街道）" in body
    assert _ref(foreign) not in body and "明光市科普大集" not in body
    assert "取该活动的名称、实际举办日期和参加人次" in body


# ------------------------------------------------------------------ service rules


def test_linked_activity_fills_blank_fields_and_is_audited(staff):
    activity = _activity(staff, "4·26 知识产权宣传进企业", days_ago=40, attendance=312)
    case = _save(staff, activity_ref=_ref(activity), outcome="发放宣传资料 800 份")
    assert case.title == "4·26 知识产权宣传进企业"
    assert case.occurred_on == TODAY - timedelta(days=40)
    assert case.participants == 312 and case.activity_ref == _ref(activity)
    log = OperationLog.objects.get(action=actions.IP_CASE_SAVE)
    assert log.extra["activity"] == _ref(activity)
    assert case.history.count() == 1


def test_entered_values_win_over_the_activity(staff):
    activity = _activity(staff, "知识产权日", attendance=312)
    case = _save(
        staff,
        activity_ref=" %s " % _ref(activity),
        title="知识产权日主会场",
        occurred_on=TODAY - timedelta(days=1),
        participants=0,
    )
    assert case.title == "知识产权日主会场" and case.participants == 0 and case.activity_ref == _ref(activity)


@pytest.mark.parametrize(
    "ref",
    [
        "outreach.activity:999999",
        "outreach.activity:0",
        "bad ref",
        "people.person:1",
        "outreach.activity:99999999999999999999",
    ],
)
def test_unknown_or_malformed_ref_refused_nothing_stored(staff, ref):
    with pytest.raises(BusinessError) as exc:
        _save(staff, activity_ref=ref, title="x", occurred_on=TODAY)
    assert exc.value.field == "activity_ref"
    assert exc.value.message == "所选科普活动不存在或不在您的管辖范围内。"
    assert not IpCase.objects.exists() and not OperationLog.objects.filter(action=actions.IP_CASE_SAVE).exists()


def test_other_regions_activity_refused_nothing_stored(staff, other_staff):
    foreign = _activity(other_staff, "明光市知识产权宣传", town="341182100")
    with pytest.raises(BusinessError, match="所选科普活动不存在或不在您的管辖范围内") as exc:
        _save(staff, activity_ref=_ref(foreign))
    assert exc.value.field == "activity_ref"
    assert not IpCase.objects.exists()
    # the owner's bureau may link it
    assert _save(other_staff, region="341182", activity_ref=_ref(foreign)).title == "明光市知识产权宣传"


def test_cancelled_activity_and_other_kinds_refused(staff):
    cancelled = _activity(staff, "取消的知识产权讲座", held=False)
    outreach_services.activity_cancel(actor=staff, activity=cancelled, reason="专家临时有事")
    with pytest.raises(BusinessError, match="已取消") as exc:
        _save(staff, activity_ref=_ref(cancelled), title="x", occurred_on=TODAY)
    assert exc.value.field == "activity_ref"
    held = _activity(staff, "知识产权日")
    with pytest.raises(BusinessError, match="只有宣传活动") as exc:
        _save(staff, kind="case", activity_ref=_ref(held), title="x", occurred_on=TODAY)
    assert exc.value.field == "activity_ref"
    assert not IpCase.objects.exists()


def test_planned_activity_needs_a_date(staff):
    planned = _activity(staff, "知识产权培训", held=False, days_ago=3)
    with pytest.raises(BusinessError, match="尚未登记举办情况") as exc:
        _save(staff, activity_ref=_ref(planned))
    assert exc.value.field == "occurred_on" and not IpCase.objects.exists()
    case = _save(staff, activity_ref=_ref(planned), occurred_on=TODAY - timedelta(days=3))
    assert case.title == "知识产权培训" and case.participants is None


def test_without_activity_name_and_date_still_required(staff):
    with pytest.raises(BusinessError, match="请填写名称") as exc:
        _save(staff, occurred_on=TODAY)
    assert exc.value.field == "title"
    with pytest.raises(BusinessError, match="请填写日期") as exc:
        _save(staff, title="宣传")
    assert exc.value.field == "occurred_on" and not IpCase.objects.exists()


# ------------------------------------------------------------------ pages


def test_form_post_links_and_pages_show_the_activity(staff, client):
    activity = _activity(staff, "世界知识产权日宣传", attendance=150, venue="文化广场")
    client.force_login(staff)
    response = client.post(
        reverse("orgs:ip_case_create"),
        {"kind": "promotion", "activity_ref": _ref(activity), "region": "341181", "outcome": "现场咨询"},
    )
    case = IpCase.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("orgs:ip_case_detail", args=[case.pk])
    assert case.participants == 150 and case.occurred_on == activity.start_on
    link = '<a href="%s">世界知识产权日宣传</a>' % reverse("outreach:activity_detail", args=[activity.pk])
    detail = client.get(reverse("orgs:ip_case_detail", args=[case.pk])).content.decode()
    assert link in detail and "outreach.activity:" not in detail
    listing = client.get(reverse("orgs:ip_case_list")).content.decode()
    assert link in listing and "outreach.activity:" not in listing
    export = client.get(reverse("orgs:ip_case_list") + "?export=xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_form_refuses_a_foreign_activity(staff, other_staff, client):
    foreign = _activity(other_staff, "明光市知识产权宣传", town="341182100")
    client.force_login(staff)
    response = client.post(
        reverse("orgs:ip_case_create"),
        {"kind": "promotion", "activity_ref": _ref(foreign), "region": "341181", "title": "x"},
    )
    assert response.status_code == 400
    assert "所选科普活动不存在或不在您的管辖范围内" in response.content.decode()
    assert not IpCase.objects.exists()


def test_activity_out_of_viewer_scope_shown_without_link(staff, make_user, client):
    activity = _activity(staff, "县级知识产权日", town="341181")
    case = _save(staff, region="341181100", activity_ref=_ref(activity))
    town_user = make_user("bureau_staff", "341181100")
    client.force_login(town_user)
    body = client.get(reverse("orgs:ip_case_detail", args=[case.pk])).content.decode()
    assert "不在您管辖范围内的科普活动" in body
    assert reverse("outreach:activity_detail", args=[activity.pk]) not in body


def test_stored_reference_names_the_activity(staff):
    """The record keeps the reference text (no new column); it names the outreach activity picked."""
    activity = _activity(staff, "知识产权日")
    case = _save(staff, activity_ref=_ref(activity))
    Activity = apps.get_model("outreach", "Activity")
    assert Activity.objects.get(pk=selectors.activity_ref_pk(case.activity_ref)).title == "知识产权日"


# ------------------------------------------------------------------ matrix


def _make_case(code: str):
    from kejiju.core.testing.factories import UserFactory, grant_perms

    actor = grant_perms(UserFactory(region=region(code), username=f"casemaker{code}"), "orgs.add_ipcase")
    return services.ip_case_save(
        actor=actor, region=code, kind="case", title="矩阵案件" + code, occurred_on=date(2024, 5, 1)
    )


ENDPOINTS = [
    Endpoint(
        "ip case list",
        "orgs.view_ipcase",
        _make_case,
        lambda o: reverse("orgs:ip_case_list"),
        detail=False,
        marker=lambda o: o.title,
    ),
    Endpoint("ip case detail", "orgs.view_ipcase", _make_case, lambda o: reverse("orgs:ip_case_detail", args=[o.pk])),
]


@pytest.mark.parametrize("case", matrix_cases(ENDPOINTS), ids=str)
def test_permission_matrix(case, client, db):
    run_matrix_case(case, client)
