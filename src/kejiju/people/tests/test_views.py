"""People and talent pages: list (search, filters, masked ID numbers, export), detail with roles,
create/edit with errors on their fields, archive, talent records, selection round pages, the public
publicity page, statistics, import, and the permission matrix."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from kejiju.core.importing import get_importer, run_import
from kejiju.core.models import OperationLog
from kejiju.core.testing.factories import UserFactory, grant_perms, region
from kejiju.core.testing.matrix import Endpoint, matrix_cases, run_matrix_case
from kejiju.people.models import Honour, Nomination, Objection, Person, SelectionRound, TalentMembership
from kejiju.people.registry import PersonRole, register_person_role
from kejiju.people.services import membership_grant
from kejiju.people.tests.factories import category, id_number, make_person, make_round

pytestmark = pytest.mark.django_db

LIST = reverse("people:person_list")


@pytest.fixture
def staff(regions, make_user):
    category()
    return make_user("bureau_staff", "341181")


@pytest.fixture
def leader(regions, make_user):
    category()
    return make_user("bureau_leader", "341181")


def _staff_in(code: str):
    return UserFactory(region=region(code), username="u%s" % code)


def _person(code: str) -> Person:
    category()
    user = _staff_in(code)
    grant_perms(user, "people.add_person")
    return make_person(user, name="矩阵人员", region=code, id_number=id_number())


def _membership(code: str) -> Person:
    person = _person(code)
    TalentMembership.objects.create(person=person, category=category(), year=2025, region_id=code)
    return person


def _round(code: str) -> SelectionRound:
    category()
    user = _staff_in(code)
    grant_perms(user, "people.add_selectionround")
    return make_round(user, region=code, title="矩阵评选")


ENDPOINTS = [
    Endpoint("person list", "people.view_person", _person, lambda o: LIST, detail=False, marker=lambda o: o.name),
    Endpoint("person detail", "people.view_person", _person, lambda o: reverse("people:person_detail", args=[o.pk])),
    Endpoint(
        "person edit",
        ("people.view_person", "people.change_person"),
        _person,
        lambda o: reverse("people:person_edit", args=[o.pk]),
    ),
    Endpoint(
        "honour create",
        ("people.view_person", "people.change_person"),
        _person,
        lambda o: reverse("people:honour_create", args=[o.pk]),
    ),
    Endpoint(
        "talent list",
        "people.view_talentmembership",
        _membership,
        lambda o: reverse("people:talent_list"),
        detail=False,
        marker=lambda o: o.name,
    ),
    Endpoint(
        "talent stats",
        "people.view_talentmembership",
        _membership,
        lambda o: reverse("people:talent_stats"),
        detail=False,
    ),
    Endpoint(
        "round list",
        "people.view_selectionround",
        _round,
        lambda o: reverse("people:round_list"),
        detail=False,
        marker=lambda o: o.title,
    ),
    Endpoint(
        "round detail", "people.view_selectionround", _round, lambda o: reverse("people:round_detail", args=[o.pk])
    ),
    Endpoint(
        "round edit",
        ("people.view_selectionround", "people.change_selectionround"),
        _round,
        lambda o: reverse("people:round_edit", args=[o.pk]),
    ),
    Endpoint(
        "api person list",
        "people.view_person",
        _person,
        lambda o: "/api/v1/people/persons/",
        kind="api",
        detail=False,
        marker=lambda o: o.name,
    ),
    Endpoint(
        "api person detail", "people.view_person", _person, lambda o: "/api/v1/people/persons/%d/" % o.pk, kind="api"
    ),
    Endpoint(
        "api talent list",
        "people.view_talentmembership",
        _membership,
        lambda o: "/api/v1/people/talents/",
        kind="api",
        detail=False,
        marker=lambda o: o.name,
    ),
]


@pytest.mark.parametrize("case", matrix_cases(ENDPOINTS), ids=str)
def test_permission_matrix(case, client, db):
    run_matrix_case(case, client)


# ------------------------------------------------------------------ list


def test_list_search_by_name_initials_phone_and_id(client, staff):
    a = make_person(staff, name="王晓明", phone="13805500001")
    b = make_person(staff, name="李建国", phone="13805500002")
    client.force_login(staff)
    for q in ("晓明", "wxm", "13805500001", a.id_number, a.id_number.lower()):
        body = client.get(LIST, {"q": q}).content.decode()
        assert a.name in body and b.name not in body, q
    body = client.get(LIST, {"q": a.id_number[:10]}).content.decode()
    assert a.name not in body  # a partial ID number finds nothing (no fishing)


def test_list_filters_and_category(client, staff):
    a = make_person(staff, name="甲", education="master")
    make_person(staff, name="乙", education="bachelor", region="341181100")
    membership_grant(actor=staff, person=a, category=category("rural"), year=2025)
    client.force_login(staff)
    body = client.get(LIST, {"education": "master"}).content.decode()
    assert ">甲<" in body and ">乙<" not in body
    body = client.get(LIST, {"region": "341181100"}).content.decode()
    assert ">乙<" in body and ">甲<" not in body
    body = client.get(LIST, {"category": "rural"}).content.decode()
    assert ">甲<" in body and ">乙<" not in body


def test_id_numbers_masked_for_viewers(client, staff, leader):
    person = make_person(staff)
    client.force_login(leader)
    body = client.get(LIST).content.decode()
    assert person.id_number not in body and person.masked_id_number in body
    detail = client.get(reverse("people:person_detail", args=[person.pk])).content.decode()
    assert person.id_number not in detail
    api = client.get("/api/v1/people/persons/%d/" % person.pk).json()
    assert api["id_number"] == person.masked_id_number
    client.force_login(staff)
    assert person.id_number in client.get(LIST).content.decode()


def test_export_masks_and_logs(client, staff, leader):
    person = make_person(staff, name="导出人")
    client.force_login(leader)
    response = client.get(LIST, {"export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert "导出人" in values and person.masked_id_number in values and person.id_number not in values
    assert OperationLog.objects.filter(action="core.export", actor=leader).exists()


# ------------------------------------------------------------------ detail, create, edit, archive


def test_detail_lists_roles_from_other_apps(client, staff):
    person = make_person(staff, name="多角色")
    register_person_role(
        "zz_test.expert", lambda user, p: [PersonRole("评审专家（测试）", "/x/")] if p.pk == person.pk else []
    )
    try:
        membership_grant(
            actor=staff, person=person, category=category("sanqu"), year=2024, document_no="皖科〔2024〕1号"
        )
        client.force_login(staff)
        body = client.get(reverse("people:person_detail", args=[person.pk])).content.decode()
        assert "评审专家（测试）" in body and "三区科技人才（2024 年入选）" in body and "皖科〔2024〕1号" in body
    finally:
        from kejiju.people import registry

        registry._providers[:] = [p for p in registry._providers if p[1] != "zz_test.expert"]


def test_create_with_errors_keeps_nothing(client, staff):
    client.force_login(staff)
    url = reverse("people:person_create")
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "", "id_number": "341181198506150010", "region": "341181", "phone": "99"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "姓名不能为空" in body and "校验位" in body and "联系电话" in body
    assert Person.objects.count() == 0


def test_create_duplicate_and_success(client, staff):
    existing = make_person(staff, name="已在库")
    client.force_login(staff)
    url = reverse("people:person_create")
    response = client.post(url, {"name": "已在库", "id_number": existing.id_number, "region": "341181"})
    assert response.status_code == 400 and "同一人只能有一条记录" in response.content.decode()
    number = id_number()
    response = client.post(url, {"name": "新来的", "id_number": number, "region": "341181", "subjects": "210, 230"})
    assert response.status_code == 302
    person = Person.objects.get(id_number=number)
    assert person.subjects == ["210", "230"] and person.birth_date is not None


def test_create_passport_person(client, staff):
    client.force_login(staff)
    url = reverse("people:person_create")
    response = client.post(url, {"name": "Maria", "id_type": "passport", "id_number": "x1", "region": "341181"})
    assert response.status_code == 400 and "5 至 20 位" in response.content.decode()
    response = client.post(
        url,
        {
            "name": "Maria",
            "id_type": "passport",
            "id_number": "X1234567",
            "region": "341181",
            "birth_date": "1988-02-03",
            "gender": "female",
        },
    )
    assert response.status_code == 302
    maria = Person.objects.get(name="Maria")
    assert maria.birth_date.isoformat() == "1988-02-03" and maria.gender == "female"


def test_edit_and_unknown_organization(client, staff):
    person = make_person(staff)
    client.force_login(staff)
    url = reverse("people:person_edit", args=[person.pk])
    assert client.get(url).status_code == 200
    data = {
        "name": person.name,
        "id_number": person.id_number,
        "region": "341181",
        "organization": "91341181MA2T3K4P5X",
    }
    response = client.post(url, data)
    assert response.status_code == 400 and "主体库中没有" in response.content.decode()
    response = client.post(url, {**data, "organization": "", "title": "正高级工程师"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.title == "正高级工程师"


def test_archive_and_restore(client, staff, leader):
    person = make_person(staff)
    url = reverse("people:person_archive", args=[person.pk])
    client.force_login(leader)
    assert client.post(url).status_code == 403
    client.force_login(staff)
    client.post(url, {"archived": "1"})
    person.refresh_from_db()
    assert person.is_archived
    client.post(url, {"archived": "0"})
    person.refresh_from_db()
    assert not person.is_archived


def test_talent_record_pages(client, staff):
    person = make_person(staff)
    client.force_login(staff)
    response = client.post(
        reverse("people:membership_create", args=[person.pk]), {"category": category("rural").pk, "year": "20x5"}
    )
    assert response.status_code == 400 and "入选年度" in response.content.decode()
    response = client.post(
        reverse("people:membership_create", args=[person.pk]), {"category": category("rural").pk, "year": "2025"}
    )
    assert response.status_code == 302
    membership = TalentMembership.objects.get()
    client.post(reverse("people:membership_archive", args=[person.pk, membership.pk]), {"reason": "迁出"})
    membership.refresh_from_db()
    assert membership.is_archived
    response = client.post(
        reverse("people:honour_create", args=[person.pk]), {"title": "县拔尖人才", "level": "county", "year": "2023"}
    )
    assert response.status_code == 302 and Honour.objects.count() == 1
    response = client.post(
        reverse("people:training_create", args=[person.pk]), {"title": "培训", "start_date": "2025-01-01", "hours": "8"}
    )
    assert response.status_code == 302
    body = client.get(reverse("people:person_detail", args=[person.pk])).content.decode()
    assert "县拔尖人才" in body and "培训" in body and "已出库" in body


def test_talent_list_and_stats(client, staff):
    person = make_person(staff, name="统计人")
    membership_grant(actor=staff, person=person, category=category("young"), year=2025)
    client.force_login(staff)
    body = client.get(reverse("people:talent_list"), {"category": "young"}).content.decode()
    assert "统计人" in body
    body = client.get(reverse("people:talent_stats")).content.decode()
    assert 'id="talent-chart-data"' in body and "echarts.min.js" in body and "people/talent_stats.js" in body
    assert "青年人才" in body


def test_category_pages(client, regions, make_user, staff):
    admin = make_user("bureau_admin", "341181")
    client.force_login(staff)
    assert client.get(reverse("people:category_list")).status_code == 200
    assert client.get(reverse("people:category_create")).status_code == 403
    client.force_login(admin)
    response = client.post(
        reverse("people:category_create"), {"code": "tech", "name": "技能人才", "order": "60", "is_active": "on"}
    )
    assert response.status_code == 302
    response = client.post(reverse("people:category_create"), {"code": "tech", "name": "技能人才"})
    assert response.status_code == 400


# ------------------------------------------------------------------ selection round pages


def test_round_pages_from_creation_to_granting(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("people:round_create"),
        {"title": "2026 年度乡土人才评选", "category": category("rural").pk, "year": "2026", "quota": "2"},
    )
    assert response.status_code == 302
    rnd = SelectionRound.objects.get()
    detail = reverse("people:round_detail", args=[rnd.pk])
    client.post(reverse("people:round_transition", args=[rnd.pk, "open"]))
    bad = client.post(reverse("people:nomination_create", args=[rnd.pk]), {"name": "甲", "id_number": "123"})
    assert bad.status_code == 400 and "身份证号码应为 18 位" in bad.content.decode()
    for name in ("甲", "乙"):
        r = client.post(
            reverse("people:nomination_create", args=[rnd.pk]),
            {"name": name, "id_number": id_number(), "achievements": "带动农户增收。"},
        )
        assert r.status_code == 302
    client.post(reverse("people:round_transition", args=[rnd.pk, "start_review"]))
    for n in Nomination.objects.all():
        client.post(reverse("people:nomination_action", args=[rnd.pk, n.pk, "score"]), {"score": "88.5"})
        client.post(reverse("people:nomination_action", args=[rnd.pk, n.pk, "decide"]), {"result": "selected"})
    assert set(Nomination.objects.values_list("result", flat=True)) == {"selected"}
    client.post(reverse("people:round_transition", args=[rnd.pk, "decide"]))
    bad = client.post(reverse("people:round_transition", args=[rnd.pk, "publish"]), {"publicity_start": "2026-13-01"})
    assert bad.status_code == 400
    today = timezone.localdate()
    client.post(
        reverse("people:round_transition", args=[rnd.pk, "publish"]),
        {
            "publicity_start": today.isoformat(),
            "publicity_end": (today + timedelta(days=4)).isoformat(),
            "decision_document_no": "天科〔2026〕9号",
        },
    )
    rnd.refresh_from_db()
    assert rnd.status == "publicity"
    # the public page, anonymous
    client.logout()
    public = reverse("people:public_round", args=[rnd.pk])
    body = client.get(public).content.decode()
    assert "甲" in body and "乙" in body and "提出异议" in body
    person = Person.objects.get(name="甲")
    assert person.id_number not in body
    bad = client.post(public, {"submitter_name": "", "submitter_phone": "1", "content": "短"})
    assert bad.status_code == 400 and Objection.objects.count() == 0
    ok = client.post(
        public,
        {"submitter_name": "群众", "submitter_phone": "13800000000", "content": "对名单有意见，请核实有关情况。"},
    )
    assert ok.status_code == 200 and "已收到您的异议" in ok.content.decode()
    assert client.get(reverse("people:public_round_list")).status_code == 200
    # handle, end the period, grant
    client.force_login(staff)
    objection = Objection.objects.get()
    client.post(
        reverse("people:objection_handle", args=[rnd.pk, objection.pk]), {"upheld": "0", "handling": "经核实不成立。"}
    )
    SelectionRound.objects.filter(pk=rnd.pk).update(
        publicity_end=today - timedelta(days=1), publicity_start=today - timedelta(days=5)
    )
    client.post(reverse("people:round_transition", args=[rnd.pk, "grant"]))
    rnd.refresh_from_db()
    assert rnd.status == "granted"
    assert TalentMembership.objects.filter(selection_round=rnd, document_no="天科〔2026〕9号").count() == 2
    assert "已认定入库" in client.get(detail).content.decode()


def test_public_page_hidden_before_publicity(client, staff):
    rnd = make_round(staff)
    assert client.get(reverse("people:public_round", args=[rnd.pk])).status_code == 404


def test_round_actions_need_permission(client, staff, leader):
    rnd = make_round(staff)
    client.force_login(leader)
    assert client.get(reverse("people:round_detail", args=[rnd.pk])).status_code == 200
    assert client.post(reverse("people:round_transition", args=[rnd.pk, "open"])).status_code == 403
    rnd.refresh_from_db()
    assert rnd.status == "draft"


def test_wrong_step_is_a_message_not_an_error(client, staff):
    rnd = make_round(staff)
    client.force_login(staff)
    response = client.post(reverse("people:round_transition", args=[rnd.pk, "grant"]), follow=True)
    assert response.status_code == 200 and "不能执行" in response.content.decode()
    response = client.post(reverse("people:round_transition", args=[rnd.pk, "nonsense"]), follow=True)
    assert response.status_code == 200 and "未知的操作" in response.content.decode()


# ------------------------------------------------------------------ import


def _sheet(rows):
    wb = Workbook()
    ws = wb.active
    importer = get_importer("persons")
    ws.append(importer.headers())
    for row in rows:
        ws.append([row.get(h, "") for h in importer.headers()])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_import_all_or_nothing(staff):
    existing = make_person(staff, name="老人")
    importer = get_importer("persons")
    good = id_number()
    rows = [
        {"姓名": "新人", "证件号码": good, "所属区划代码": "341181", "最高学历": "硕士研究生"},
        {"姓名": "错号", "证件号码": "341181198506150010", "所属区划代码": "341181"},
        {"姓名": "老人", "证件号码": existing.id_number, "所属区划代码": "341181"},
        {"姓名": "护照", "证件类型": "护照", "证件号码": "A1", "所属区划代码": "341181"},
        {"姓名": "重复", "证件号码": good, "所属区划代码": "341181"},
        {"姓名": "越界", "证件号码": id_number(), "所属区划代码": "341182"},
    ]
    report = run_import(importer, _sheet(rows), "persons.xlsx", actor=staff, commit=True)
    assert not report.committed
    messages = {(e["row"], e["column"]): e["message"] for e in report.errors}
    assert "校验位" in messages[(3, "证件号码")]
    assert "同一人只能有一条记录" in messages[(4, "证件号码")]
    assert "5 至 20 位" in messages[(5, "证件号码")]
    assert "第 2 行重复" in messages[(6, "证件号码")]
    assert "管辖范围" in messages[(7, "所属区划代码")]
    assert Person.objects.count() == 1
    report = run_import(importer, _sheet(rows[:1]), "persons.xlsx", actor=staff, commit=True)
    assert report.committed and report.created == 1
    assert Person.objects.get(id_number=good).education == "master"
    assert OperationLog.objects.filter(action="people.import").count() == 1


def _talent_sheet(rows):
    wb = Workbook()
    ws = wb.active
    headers = get_importer("talents").headers()
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h, "") for h in headers])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_talent_import_all_or_nothing(client, staff):
    """人才入库导入: a person is found by document number (one record) or registered, then put into the
    category; a person already in that category, a name that differs from the registered one, an unknown
    category, a bad year or a row repeated in the file is an error on its row and nothing is stored."""
    existing = make_person(staff, name="老王")
    membership_grant(actor=staff, person=existing, category=category("top"), year=2023, document_no="天科〔2023〕5号")
    elsewhere = _person("341182")
    importer = get_importer("talents")
    assert importer is not None and importer.allowed(staff)
    fresh = id_number()
    base = {"所属区划代码": "341181", "入选年度": "2025", "文件文号": "天科〔2025〕9号"}
    rows = [
        {**base, "姓名": "新秀", "证件号码": fresh, "人才类别": "乡土人才", "最高学历": "大学本科"},
        {**base, "姓名": "老王", "证件号码": existing.id_number, "人才类别": "拔尖人才"},
        {**base, "姓名": "王老", "证件号码": existing.id_number, "人才类别": "青年人才"},
        {**base, "姓名": "某某", "证件号码": id_number(), "人才类别": "科技明星"},
        {**base, "姓名": "新秀", "证件号码": fresh, "人才类别": "乡土人才"},
        {**base, "姓名": "某甲", "证件号码": id_number(), "人才类别": "引进人才", "入选年度": "20x5"},
        {**base, "姓名": "某乙", "证件号码": "341181198506150010", "人才类别": "引进人才"},
        {**base, "姓名": "老王", "证件号码": existing.id_number, "人才类别": "三区科技人才"},
        {**base, "姓名": "矩阵人员", "证件号码": elsewhere.id_number, "人才类别": "引进人才"},
    ]
    persons, memberships = Person.objects.count(), TalentMembership.objects.count()
    report = run_import(importer, _talent_sheet(rows), "talents.xlsx", actor=staff, commit=True)
    assert not report.committed
    messages = {(e["row"], e["column"]): e["message"] for e in report.errors}
    assert "已在“拔尖人才”中" in messages[(3, "人才类别")]
    assert "不一致" in messages[(4, "姓名")]
    assert "科技明星" in messages[(5, "人才类别")]
    assert "已在“乡土人才”中" in messages[(6, "人才类别")]
    assert "入选年度" in messages[(7, "入选年度")]
    assert "校验位" in messages[(8, "证件号码")]
    assert "管辖范围" in messages[(10, "证件号码")]
    assert {e["row"] for e in report.errors} == {3, 4, 5, 6, 7, 8, 10}
    assert Person.objects.count() == persons and TalentMembership.objects.count() == memberships
    report = run_import(importer, _talent_sheet([rows[0], rows[7]]), "talents.xlsx", actor=staff, commit=True)
    assert report.committed and report.created == 2, report.errors
    assert Person.objects.count() == persons + 1
    newcomer = Person.objects.get(id_number=fresh)
    assert newcomer.education == "bachelor"
    assert TalentMembership.objects.get(person=newcomer).category.code == "rural"
    assert set(existing.memberships.values_list("category__code", flat=True)) == {"top", "sanqu"}
    assert TalentMembership.objects.get(person=existing, category__code="sanqu").document_no == "天科〔2025〕9号"
    assert OperationLog.objects.filter(action="people.talent_import").count() == 1
    assert OperationLog.objects.filter(action="people.membership_grant").count() == 3
    client.force_login(staff)
    page = client.get(reverse("people:talent_list")).content.decode()
    assert reverse("core:import_upload", args=["talents"]) in page
    template = client.get(reverse("core:import_template", args=["talents"]))
    assert template.status_code == 200


def test_one_record_shows_expert_commissioner_talent_and_outreach_training(client, staff):
    """One person, one record: the expert and commissioner profiles registered by their modules reuse the
    person found by ID number, and the page lists those roles, the talent category and the trainings the
    person attended in the outreach module (never typed in again here)."""
    from kejiju.outreach import services as outreach_services
    from kejiju.review import services as review_services

    person = make_person(staff, name="李多能")
    membership_grant(actor=staff, person=person, category=category("sanqu"), year=2025, document_no="天科〔2025〕3号")
    expert = review_services.expert_create(
        actor=staff,
        data={
            "name": "李多能",
            "id_number": person.id_number,
            "region": "341181",
            "subjects": "520",
            "title": "正高级工程师",
        },
    )
    commissioner = outreach_services.commissioner_create(
        actor=staff,
        data={
            "kind": "commissioner",
            "holder_type": "individual",
            "selection_year": date.today().year,
            "region": "341181",
            "person": {"name": "李多能", "id_number": person.id_number, "phone": "13905501234"},
            "expertise": "水稻栽培",
        },
    )
    activity = outreach_services.activity_plan(
        actor=staff,
        data={
            "kind": "training",
            "title": "稻渔综合种养技术培训班",
            "topic": "稻渔综合种养",
            "region": "341181100",
            "planned_start": date.today() - timedelta(days=10),
            "planned_end": date.today() - timedelta(days=9),
            "planned_attendance": 80,
        },
    )
    outreach_services.activity_hold(
        actor=staff,
        activity=activity,
        data={
            "start_on": activity.planned_start,
            "end_on": activity.planned_end,
            "attendance": "40",
            "attendees": [person.pk],
        },
    )
    assert expert.person_id == person.pk and commissioner.person_id == person.pk
    assert Person.objects.filter(name="李多能").count() == 1
    client.force_login(staff)
    body = client.get(reverse("people:person_detail", args=[person.pk])).content.decode()
    roles = body.split("在平台中的角色", 1)[1]
    assert "专家" in roles and "科技特派员" in roles and "三区科技人才（2025 年入选）" in body
    activities = body.split('data-testid="person-activities"', 1)[1].split("</ul>", 1)[0]
    assert "稻渔综合种养技术培训班" in activities
