"""Pages and API of the outreach app: the four-actor matrix, forms with bad input, the commissioner's own
pages, exports, and the API answering bad input with 400 (never 500)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from kejiju.core.testing.matrix import Endpoint, matrix_cases, run_matrix_case
from kejiju.outreach import services
from kejiju.outreach.models import Activity, Assessment, ServiceDiary
from kejiju.outreach.tests.factories import PNG, make_activity, make_assignment, make_commissioner, make_template
from kejiju.outreach.topics import register_topic_source

pytestmark = pytest.mark.django_db


def _commissioner(region_code: str):
    c = make_commissioner(None, region_code=region_code, expertise="标记专长%s" % region_code)
    return c


def _activity(region_code: str):
    return make_activity(None, region_code=region_code, title="标记活动%s" % region_code)


def _diary(region_code: str):
    from kejiju.core.testing.factories import region

    town = region(region_code + "100").code
    c = make_commissioner(None, region_code=region_code)
    make_assignment(None, c, town=town)
    return services.diary_create(
        actor=None,
        commissioner=c,
        data={
            "served_on": date.today(),
            "place_region": town,
            "served": "标记对象%s" % region_code,
            "content": "指导",
            "hours": 1,
        },
    )


ENDPOINTS = [
    Endpoint(
        "commissioner list",
        "outreach.view_commissioner",
        _commissioner,
        lambda o: reverse("outreach:commissioner_list"),
        detail=False,
        marker=lambda o: o.expertise,
    ),
    Endpoint(
        "commissioner detail",
        "outreach.view_commissioner",
        _commissioner,
        lambda o: reverse("outreach:commissioner_detail", args=[o.pk]),
    ),
    Endpoint(
        "activity list",
        "outreach.view_activity",
        _activity,
        lambda o: reverse("outreach:activity_list"),
        detail=False,
        marker=lambda o: o.title,
    ),
    Endpoint(
        "activity detail",
        "outreach.view_activity",
        _activity,
        lambda o: reverse("outreach:activity_detail", args=[o.pk]),
    ),
    Endpoint(
        "activity stats",
        "outreach.view_activity",
        _activity,
        lambda o: reverse("outreach:activity_stats"),
        detail=False,
    ),
    Endpoint(
        "diary list",
        "outreach.view_servicediary",
        _diary,
        lambda o: reverse("outreach:diary_list"),
        detail=False,
        marker=lambda o: o.served,
    ),
    Endpoint(
        "api commissioner list",
        "outreach.view_commissioner",
        _commissioner,
        lambda o: "/api/v1/outreach/commissioners/",
        kind="api",
        detail=False,
        marker=lambda o: o.expertise,
    ),
    Endpoint(
        "api commissioner detail",
        "outreach.view_commissioner",
        _commissioner,
        lambda o: f"/api/v1/outreach/commissioners/{o.pk}/",
        kind="api",
    ),
    Endpoint(
        "api activity list",
        "outreach.view_activity",
        _activity,
        lambda o: "/api/v1/outreach/activities/",
        kind="api",
        detail=False,
        marker=lambda o: o.title,
    ),
    Endpoint(
        "api activity detail",
        "outreach.view_activity",
        _activity,
        lambda o: f"/api/v1/outreach/activities/{o.pk}/",
        kind="api",
    ),
    Endpoint(
        "api diary list",
        "outreach.view_servicediary",
        _diary,
        lambda o: "/api/v1/outreach/diaries/",
        kind="api",
        detail=False,
        marker=lambda o: o.served,
    ),
]


@pytest.mark.parametrize("case", matrix_cases(ENDPOINTS), ids=str)
def test_permission_matrix(case, client, regions):
    run_matrix_case(case, client)


@pytest.fixture
def staff(regions, make_user):
    return make_user("bureau_staff", "341181")


def test_activity_plan_and_hold_through_pages(client, staff):
    client.force_login(staff)
    register_topic_source(lambda region, today: ["稻瘟病防治"])
    try:
        page = client.get(reverse("outreach:activity_create"))
        assert "稻瘟病防治" in page.content.decode()
    finally:
        from kejiju.outreach import topics

        topics._sources.clear()
    day = (date.today() - timedelta(days=3)).isoformat()
    bad = client.post(
        reverse("outreach:activity_create"),
        {"kind": "training", "title": "培训", "region": "341181100", "planned_start": day, "planned_end": "2020-01-01"},
    )
    assert bad.status_code == 400 and "计划结束日期不能早于开始日期" in bad.content.decode()
    assert not Activity.objects.exists()
    ok = client.post(
        reverse("outreach:activity_create"),
        {
            "kind": "training",
            "title": "水稻培训",
            "region": "341181100",
            "planned_start": day,
            "planned_attendance": "50",
        },
    )
    assert ok.status_code == 302
    a = Activity.objects.get()
    neg = client.post(reverse("outreach:activity_hold", args=[a.pk]), {"start_on": day, "attendance": "-3"})
    assert neg.status_code == 400 and "参加人次不能为负数" in neg.content.decode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = client.post(
        reverse("outreach:activity_hold", args=[a.pk]),
        {
            "start_on": day,
            "attendance": "40",
            "photos": SimpleUploadedFile("x.jpg", b"plain text", content_type="image/jpeg"),
        },
    )
    assert fake.status_code == 400 and "不是图片" in fake.content.decode()
    good = client.post(
        reverse("outreach:activity_hold", args=[a.pk]),
        {
            "start_on": day,
            "attendance": "40",
            "materials": "120",
            "cost": "300.00",
            "photos": SimpleUploadedFile("p.png", PNG, content_type="image/png"),
        },
    )
    assert good.status_code == 302
    a.refresh_from_db()
    assert a.status == "held" and a.attendance == 40
    detail = client.get(reverse("outreach:activity_detail", args=[a.pk])).content.decode()
    assert "p.png" in detail and "已举办" in detail
    export = client.get(reverse("outreach:activity_list") + "?export=xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")
    stats = client.get(reverse("outreach:activity_stats") + "?year=%s" % day[:4]).content.decode()
    assert "40" in stats


def test_commissioner_pages_and_assessment(client, staff, make_user):
    client.force_login(staff)
    from kejiju.outreach.tests.factories import id_number

    resp = client.post(
        reverse("outreach:commissioner_create"),
        {
            "holder_type": "individual",
            "kind": "commissioner",
            "selection_year": str(date.today().year),
            "region": "341181",
            "person_name": "赵农",
            "person_id_number": id_number(),
        },
    )
    assert resp.status_code == 302, resp.content.decode()[:2000]
    c = services_commissioner = __import__(
        "kejiju.outreach.models", fromlist=["Commissioner"]
    ).Commissioner.objects.get()
    resp = client.post(
        reverse("outreach:assignment_create", args=[c.pk]),
        {"target_region": "341181100", "start_on": "2026-01-01", "targets": "推广新品种 3\n培训农民 200"},
    )
    assert resp.status_code == 302
    assert c.assignments.get().targets == [
        {"indicator": "推广新品种", "number": "3"},
        {"indicator": "培训农民", "number": "200"},
    ]
    t = make_template(staff)
    bad = client.post(
        reverse("outreach:assessment_create", args=[c.pk]),
        {"year": "2026", "template": t.pk, "score_0": "120", "score_1": "80", "score_2": "80"},
    )
    assert bad.status_code == 400 and "不能大于 100" in bad.content.decode()
    ok = client.post(
        reverse("outreach:assessment_create", args=[c.pk]),
        {"year": "2026", "template": t.pk, "score_0": "90", "score_1": "80", "score_2": "70"},
    )
    assert ok.status_code == 302
    assert Assessment.objects.get().grade == "合格"
    detail = client.get(reverse("outreach:commissioner_detail", args=[services_commissioner.pk])).content.decode()
    assert "赵农" in detail and "合格" in detail and "推广新品种" in detail
    tpl = client.post(
        reverse("outreach:template_create"), {"name": "新模板", "items": "甲 50\n乙 40", "grade_bands": "好 80\n差 0"}
    )
    assert tpl.status_code == 400 and "现为 90" in tpl.content.decode()


def test_commissioner_own_pages(client, staff, make_user):
    me = make_user("commissioner", "341181")
    other = make_user("commissioner", "341181")
    mine = make_commissioner(staff, user=me.pk)
    theirs = make_commissioner(staff, user=other.pk, expertise="别人的专长")
    make_assignment(staff, mine)
    make_assignment(staff, theirs, town="341181100")
    client.force_login(me)
    home = client.get(reverse("outreach:my_home")).content.decode()
    assert "记录服务" in home and "别人的专长" not in home
    assert client.get(reverse("outreach:my_diary_create", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("outreach:commissioner_list")).status_code == 403
    resp = client.post(
        reverse("outreach:my_diary_create", args=[mine.pk]),
        {
            "served_on": date.today().isoformat(),
            "place_region": "341181100001",
            "served": "农户",
            "content": "测土配方",
            "hours": "3",
        },
    )
    assert resp.status_code == 302
    assert ServiceDiary.objects.get().commissioner_id == mine.pk
    resp = client.post(
        reverse("outreach:my_diary_create", args=[mine.pk]),
        {
            "served_on": date.today().isoformat(),
            "place_region": "341181100001",
            "served": "农户",
            "content": "x",
            "hours": "-2",
        },
    )
    assert resp.status_code == 400 and ServiceDiary.objects.count() == 1
    # the API: own record only
    api = client.post(
        f"/api/v1/outreach/commissioners/{theirs.pk}/diaries/",
        {
            "served_on": date.today().isoformat(),
            "place_region": "341181100",
            "served": "a",
            "content": "b",
            "hours": "1",
        },
        content_type="application/json",
    )
    assert api.status_code == 404
    api = client.post(
        f"/api/v1/outreach/commissioners/{mine.pk}/diaries/",
        {
            "served_on": date.today().isoformat(),
            "place_region": "341181100",
            "served": "a",
            "content": "b",
            "hours": "1",
        },
        content_type="application/json",
    )
    assert api.status_code == 201


def test_api_bad_input_is_400(client, staff):
    client.force_login(staff)
    a = make_activity(staff)
    for body in (
        {"start_on": "2026-01-01", "attendance": -1},
        {"start_on": "2026-02-01", "end_on": "2026-01-01", "attendance": 3},
        {"start_on": "x", "attendance": 1},
        {"start_on": "2026-01-01", "attendance": 1, "cost": "1.234"},
        {"start_on": "2026-01-01", "attendance": 1, "nope": 1},
    ):
        resp = client.post(f"/api/v1/outreach/activities/{a.pk}/hold/", body, content_type="application/json")
        assert resp.status_code == 400, (body, resp.content)
    assert Activity.objects.get().status == "planned"
    resp = client.post(
        "/api/v1/outreach/activities/",
        {
            "kind": "training",
            "title": "t",
            "region": "341181100",
            "planned_start": "2026-05-02",
            "planned_end": "2026-05-01",
        },
        content_type="application/json",
    )
    assert resp.status_code == 400 and "planned_end" in resp.json()["errors"]
    assert client.get("/api/v1/outreach/activities/99999999999999999999/").status_code == 404
    assert client.get("/api/v1/outreach/activities/?year=abc&region=9").status_code == 200
    nul = client.get("/api/v1/outreach/activities/?year=abc&region=%00")
    assert nul.status_code == 400 and nul.json()["field"] == "region"
    resp = client.post(
        "/api/v1/outreach/commissioners/",
        {"kind": "commissioner", "selection_year": 2026, "person": {"name": "钱", "id_number": "1"}},
        content_type="application/json",
    )
    assert resp.status_code == 400
    resp = client.post(
        f"/api/v1/outreach/activities/{a.pk}/cancel/", {"reason": "下雨"}, content_type="application/json"
    )
    assert resp.status_code == 200 and resp.json()["status"] == "cancelled"


def test_kind_page(client, make_user, regions):
    admin = make_user("bureau_admin", "341181")
    client.force_login(admin)
    assert "科技活动周" in client.get(reverse("outreach:kind_list")).content.decode()
    resp = client.post(reverse("outreach:kind_list"), {"group": "activity", "code": "Bad Code", "name": "x"})
    assert resp.status_code == 400
    resp = client.post(
        reverse("outreach:kind_list"),
        {"group": "activity", "code": "farm_school", "name": "田间学校", "is_training": "on", "sort": "5"},
    )
    assert resp.status_code == 302
