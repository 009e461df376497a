"""Organization pages: list (search, filters, export), detail with its panels, create/edit with errors on
their fields, archive, qualifications and IP, merge, and the permission matrix."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kejiju.core.models import OperationLog
from kejiju.core.testing.factories import region
from kejiju.core.testing.matrix import Endpoint, matrix_cases, run_matrix_case
from kejiju.engines.idcodes import make_credit_code
from kejiju.orgs import services
from kejiju.orgs.models import IntellectualProperty, Organization, Qualification
from kejiju.orgs.selectors import register_organization_panel
from kejiju.orgs.services import ip_save, organization_create, qualification_save

pytestmark = pytest.mark.django_db


def code(n: int) -> str:
    return make_credit_code(f"91341181MA{n:07d}")


def data(n: int = 1, **overrides):
    base = {
        "name": f"天长市青禾农业科技有限公司{n}",
        "credit_code": code(n),
        "region": "341181",
        "org_type": "enterprise",
        "industry_code": "A",
        "contact_phone": "0550-7301234",
        "founded_on": "2018-03-01",
        "staff_count": "35",
    }
    base.update(overrides)
    return base


def form_data(org_data: dict) -> dict:
    return {k: ("" if v is None else v) for k, v in org_data.items()}


@pytest.fixture
def staff(regions, make_user):
    return make_user("bureau_staff", "341181")


@pytest.fixture
def admin(regions, make_user):
    return make_user("bureau_admin", "341181")


@pytest.fixture
def city(regions, make_user):
    return make_user("bureau_staff", "3411")


def make(actor, n: int = 1, **overrides) -> Organization:
    return organization_create(actor=actor, data=data(n, **overrides))


LIST = reverse("orgs:organization_list")


# ------------------------------------------------------------------ list


def test_list_search_by_name_code_and_initials(client, staff):
    qinghe = make(staff, 1, name="天长市青禾农业科技有限公司")
    jinqiao = make(staff, 2, name="天长市金桥电子有限公司", industry_code="C")
    client.force_login(staff)
    for q in ("青禾", qinghe.credit_code, qinghe.credit_code[:17], "tcsqh"):
        body = client.get(LIST, {"q": q}).content.decode()
        assert qinghe.name in body, q
        assert jinqiao.name not in body, q
    body = client.get(LIST, {"q": "tcsjq"}).content.decode()  # 天长市金桥 initials
    assert jinqiao.name in body and qinghe.name not in body


def test_list_search_finds_former_names(client, staff):
    org = make(staff, 1, name="天长市老名字有限公司")
    services.organization_update(actor=staff, organization=org, data=data(1, name="天长市新名字有限公司"))
    client.force_login(staff)
    body = client.get(LIST, {"q": "老名字"}).content.decode()
    assert "天长市新名字有限公司" in body


def test_list_filters(client, staff, regions):
    town = make(staff, 1, name="镇上的合作社", region="341181100", org_type="cooperative", industry_code="39")
    county = make(staff, 2, name="县里的企业", industry_code="A")
    archived = make(staff, 3, name="已归档的企业")
    services.organization_archive(actor=staff, organization=archived)
    expired = make(staff, 4, name="过期高企")
    qualification_save(actor=staff, organization=county, kind="tech_sme", issued_on=date.today() - timedelta(days=30))
    qualification_save(
        actor=staff, organization=expired, kind="tech_sme", issued_on=date(2020, 1, 1), expires_on=date(2020, 12, 31)
    )
    client.force_login(staff)

    def names(**params):
        body = client.get(LIST, params).content.decode()
        return {o.name for o in (town, county, archived, expired) if o.name in body}

    assert names() == {town.name, county.name, expired.name}
    assert names(org_type="cooperative") == {town.name}
    assert names(region="341181100") == {town.name}
    assert names(industry="C") == {town.name}  # the section includes its division 39
    assert names(industry="39") == {town.name}
    assert names(qualification="tech_sme") == {county.name}  # held and valid today
    assert names(archived="1") == {town.name, county.name, archived.name, expired.name}
    response = client.get(LIST, {"org_type": "bogus", "region": "abc"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "单位类型" in body and "区划代码应为 2 至 12 位数字" in body
    assert town.name in body and county.name in body  # the bad filters are not applied


def test_list_sorting_and_pagination(client, staff):
    for n in range(1, 26):
        make(staff, n, name=f"排序测试单位{n:02d}")
    client.force_login(staff)
    body = client.get(LIST, {"sort": "-name_initials"}).content.decode()
    assert body.index("排序测试单位25") < body.index("排序测试单位24")
    assert "排序测试单位01" not in body  # page 1 of 20 rows
    assert "排序测试单位01" in client.get(LIST, {"sort": "-name_initials", "page": 2}).content.decode()


def test_export_escapes_formulas_and_stays_in_scope(client, staff, city, make_user):
    dangerous = make(staff, 1, name="=cmd|'/c;calc'!A1")
    plus = make(staff, 2, name="+天长市加号公司", contact_person="@某人")
    other_staff = make_user("bureau_staff", "341182")
    elsewhere = organization_create(actor=other_staff, data=data(3, name="明光市别处公司", region="341182"))
    client.force_login(staff)
    response = client.get(LIST, {"export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "单位名称" and "统一社会信用代码" in rows[0]
    names = {row[0] for row in rows[1:]}
    assert "'=cmd|'/c;calc'!A1" in names and "'+天长市加号公司" in names
    assert not any(str(v).startswith(("=", "+", "@", "-")) for row in rows[1:] for v in row if v)
    assert elsewhere.name not in names and len(rows) == 3
    assert dangerous.pk and plus.pk
    assert OperationLog.objects.filter(action="core.export", actor=staff).exists()
    # the city bureau sees both counties
    client.force_login(city)
    sheet = load_workbook(io.BytesIO(client.get(LIST, {"export": "xlsx"}).content)).active
    assert elsewhere.name in {row[0] for row in sheet.iter_rows(values_only=True)}


def test_export_applies_filters(client, staff):
    make(staff, 1, name="合作社甲", org_type="cooperative")
    make(staff, 2, name="企业乙")
    client.force_login(staff)
    sheet = load_workbook(io.BytesIO(client.get(LIST, {"export": "xlsx", "org_type": "cooperative"}).content)).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["合作社甲"]


# ------------------------------------------------------------------ detail


def test_detail_shows_qualifications_ip_aliases_and_operations(client, staff, admin):
    org = make(staff, 1, name="天长市旧名公司")
    services.organization_update(actor=staff, organization=org, data=data(1, name="天长市新名公司"))
    qualification_save(
        actor=staff,
        organization=org,
        kind="hnte",
        issued_on=date(2024, 12, 1),
        certificate_no="GR202434001234",
        level="national",
    )
    ip_save(
        actor=staff,
        organization=org,
        ip_type="invention",
        title="一种水稻育秧方法",
        number="202310123456.6",
        applied_on=date(2023, 1, 5),
    )
    ip_save(actor=staff, organization=org, ip_type="software", title="农机调度软件", number="2024SR0123456")
    client.force_login(admin)  # holds core.view_operationlog: recent operations and the history link
    response = client.get(reverse("orgs:organization_detail", args=[org.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "天长市新名公司" in body and "天长市旧名公司" in body  # former name
    assert "高新技术企业" in body and "GR202434001234" in body and "2027-12-01" in body
    assert "一种水稻育秧方法" in body and "Ⅰ类" in body and "农机调度软件" in body and "Ⅱ类" in body
    assert 'data-testid="org-operations"' in body and "保存资质" in body and "单位更名" in body
    assert reverse("core:history_detail", kwargs={"model": "organization", "pk": org.pk}) in body
    assert 'data-testid="qualification-add"' in body and 'data-testid="org-edit"' in body


def test_history_page_of_an_organization(client, staff, admin):
    org = make(staff, 1)
    services.organization_update(actor=staff, organization=org, data=data(1, staff_count="40"))
    client.force_login(admin)
    response = client.get(reverse("core:history_detail", kwargs={"model": "organization", "pk": org.pk}))
    assert response.status_code == 200
    assert "职工人数" in response.content.decode()


def test_detail_of_leader_is_read_only(client, staff, make_user):
    org = make(staff, 1)
    leader = make_user("bureau_leader", "341181")
    client.force_login(leader)
    body = client.get(reverse("orgs:organization_detail", args=[org.pk])).content.decode()
    assert org.name in body and 'data-testid="org-edit"' not in body and 'data-testid="qualification-add"' not in body
    assert client.get(reverse("orgs:organization_edit", args=[org.pk])).status_code == 403


def test_registered_panels_show_on_detail(client, staff, settings, tmp_path):
    """Another module adds a panel through the registry; a panel whose context function answers None
    (no permission, nothing to show) is left out."""
    from kejiju.orgs import panels

    org = make(staff, 1)
    (tmp_path / "test_panel.html").write_text(
        '<div class="card-body">第三方面板：{{ answer }} · {{ organization.name }}</div>', encoding="utf-8"
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0].get("DIRS", [])]}]
    register_organization_panel("第三方", "test_panel.html", lambda user, o: {"answer": 42}, order=5, key="t1")
    register_organization_panel("隐藏面板", "test_panel.html", lambda user, o: None, key="t2")
    try:
        client.force_login(staff)
        body = client.get(reverse("orgs:organization_detail", args=[org.pk])).content.decode()
    finally:
        panels._PANELS.pop("t1", None)
        panels._PANELS.pop("t2", None)
    assert "第三方面板：42 · %s" % org.name in body
    assert body.index("第三方面板") < body.index('data-testid="panel-qualifications"')  # order 5 before 10
    assert body.count("第三方面板") == 1


# ------------------------------------------------------------------ create / edit


def test_create_happy_path_with_gb11714_warning(client, staff):
    client.force_login(staff)
    response = client.post(reverse("orgs:organization_create"), form_data(data(1)), follow=True)
    org = Organization.objects.get()
    assert response.redirect_chain[-1][0] == reverse("orgs:organization_detail", args=[org.pk])
    body = response.content.decode()
    assert "已新增单位" in body and "GB 11714" in body  # the warning after saving
    assert OperationLog.objects.filter(action="orgs.create", actor=staff).exists()


def test_create_errors_on_their_fields_and_nothing_saved(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("orgs:organization_create"),
        form_data(
            data(
                1,
                name="",
                credit_code="91110000600037341N",
                contact_phone="9999",
                founded_on="2020-13-01",
                staff_count="-3",
            )
        ),
    )
    assert response.status_code == 400
    body = response.content.decode()
    for fld, fragment in (
        ("name", "单位名称不能为空"),
        ("credit_code", "校验位"),
        ("contact_phone", "联系电话"),
        ("founded_on", "成立日期"),
        ("staff_count", "非负整数"),
    ):
        marker = f'data-testid="error-{fld}">'
        assert marker in body, fld
        assert fragment in body.split(marker, 1)[1].split("</div>", 1)[0], fld
    assert Organization.objects.count() == 0
    assert not OperationLog.objects.filter(action="orgs.create").exists()


def test_create_refuses_region_outside_scope(client, staff):
    client.force_login(staff)
    response = client.post(reverse("orgs:organization_create"), form_data(data(1, region="341182")))
    assert response.status_code == 400
    assert 'data-testid="error-region"' in response.content.decode()
    assert Organization.objects.count() == 0


def test_create_duplicate_credit_code(client, staff):
    existing = make(staff, 1)
    client.force_login(staff)
    response = client.post(reverse("orgs:organization_create"), form_data(data(1, name="另一个名字")))
    assert response.status_code == 400
    assert "已登记为“%s”" % existing.name in response.content.decode()
    assert Organization.objects.count() == 1


def test_edit_prefills_and_saves_rename(client, staff):
    org = make(staff, 1, name="天长市甲公司")
    client.force_login(staff)
    url = reverse("orgs:organization_edit", args=[org.pk])
    body = client.get(url).content.decode()
    assert 'value="天长市甲公司"' in body and 'value="2018-03-01"' in body
    response = client.post(url, form_data(data(1, name="天长市乙公司")))
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.name == "天长市乙公司" and org.aliases.filter(name="天长市甲公司").exists()


def test_edit_errors_change_nothing(client, staff):
    org = make(staff, 1, name="天长市甲公司")
    client.force_login(staff)
    response = client.post(
        reverse("orgs:organization_edit", args=[org.pk]),
        form_data(data(1, name="天长市乙公司", contact_phone="12", industry_code="")),
    )
    assert response.status_code == 400
    assert 'data-testid="error-contact_phone"' in response.content.decode()
    org.refresh_from_db()
    assert org.name == "天长市甲公司" and org.history.count() == 1


def test_other_county_record_is_404(client, staff, make_user):
    other_staff = make_user("bureau_staff", "341182")
    elsewhere = organization_create(actor=other_staff, data=data(3, region="341182"))
    client.force_login(staff)
    for name in ("orgs:organization_detail", "orgs:organization_edit"):
        assert client.get(reverse(name, args=[elsewhere.pk])).status_code == 404
    assert client.post(reverse("orgs:organization_archive", args=[elsewhere.pk])).status_code == 404
    assert client.get(reverse("orgs:organization_detail", args=[2**70])).status_code == 404


# ------------------------------------------------------------------ archive


def test_archive_and_restore(client, staff):
    org = make(staff, 1)
    client.force_login(staff)
    url = reverse("orgs:organization_archive", args=[org.pk])
    assert client.get(url).status_code == 405
    client.post(url, {"archived": "1"}, follow=True)  # the redirect shows (and consumes) the message
    org.refresh_from_db()
    assert org.is_archived
    assert org.name not in client.get(LIST).content.decode()
    client.post(url, {"archived": "0"})
    org.refresh_from_db()
    assert not org.is_archived
    assert OperationLog.objects.filter(action="orgs.archive").count() == 2


# ------------------------------------------------------------------ qualifications and IP


def test_qualification_add_edit_archive(client, staff):
    org = make(staff, 1)
    client.force_login(staff)
    add = reverse("orgs:qualification_create", args=[org.pk])
    response = client.post(add, {"kind": "tech_sme", "issued_on": "2025-05-01", "expires_on": "2025-01-01"})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="error-expires_on"' in body and "早于发证日期" in body
    assert Qualification.objects.count() == 0
    response = client.post(add, {"kind": "hnte", "issued_on": "2024-12-01", "certificate_no": "GR202434001234"})
    assert response.status_code == 302
    qual = Qualification.objects.get()
    assert qual.expires_on == date(2027, 12, 1)
    edit = reverse("orgs:qualification_edit", args=[org.pk, qual.pk])
    assert "GR202434001234" in client.get(edit).content.decode()
    client.post(
        edit, {"kind": "hnte", "issued_on": "2024-12-01", "certificate_no": "GR202434009999", "level": "national"}
    )
    qual.refresh_from_db()
    assert qual.certificate_no == "GR202434009999" and qual.level == "national"
    client.post(reverse("orgs:qualification_archive", args=[org.pk, qual.pk]), follow=True)
    qual.refresh_from_db()
    assert qual.is_archived
    assert "GR202434009999" not in client.get(reverse("orgs:organization_detail", args=[org.pk])).content.decode()
    assert OperationLog.objects.filter(action="orgs.qualification_archive", actor=staff).exists()


def test_qualification_of_another_organization_is_404(client, staff):
    org, other = make(staff, 1), make(staff, 2)
    qual = qualification_save(actor=staff, organization=other, kind="tech_sme", issued_on=date(2025, 5, 1))
    client.force_login(staff)
    assert client.get(reverse("orgs:qualification_edit", args=[org.pk, qual.pk])).status_code == 404


def test_ip_add_with_errors_then_edit_and_archive(client, staff):
    org = make(staff, 1)
    client.force_login(staff)
    add = reverse("orgs:ip_create", args=[org.pk])
    response = client.post(add, {"ip_type": "invention", "title": "一种方法", "number": "ABC", "status": "applied"})
    assert response.status_code == 400
    assert 'data-testid="error-number"' in response.content.decode()
    assert IntellectualProperty.objects.count() == 0
    response = client.post(
        add,
        {
            "ip_type": "utility",
            "title": "一种播种机",
            "number": "202320123456.1",
            "applied_on": "2023-02-01",
            "granted_on": "2023-08-01",
            "status": "granted",
        },
    )
    assert response.status_code == 302
    ip = IntellectualProperty.objects.get()
    assert ip.ip_class == "II"
    client.post(
        reverse("orgs:ip_edit", args=[org.pk, ip.pk]),
        {"ip_type": "invention", "title": "一种播种机", "number": "202310123456.6", "status": "applied"},
    )
    ip.refresh_from_db()
    assert ip.ip_class == "I"
    client.post(reverse("orgs:ip_archive", args=[org.pk, ip.pk]))
    ip.refresh_from_db()
    assert ip.is_archived


# ------------------------------------------------------------------ merge


def test_merge_page_happy_path(client, staff, admin):
    keep = make(staff, 1, name="天长市青禾农业科技有限公司")
    dup = make(staff, 2, name="青禾农业（重复）", contact_phone="13912345678")
    qualification_save(actor=staff, organization=dup, kind="tech_sme", issued_on=date(2025, 5, 1))
    client.force_login(admin)
    url = reverse("orgs:organization_merge")
    body = client.get(url, {"keep_q": "青禾", "dup_q": dup.credit_code}).content.decode()
    assert 'data-testid="merge-keep-candidates"' in body and keep.name in body
    body = client.get(url, {"keep": keep.pk, "duplicate": dup.pk}).content.decode()
    assert 'data-testid="merge-comparison"' in body and "13912345678" in body and "data-confirm" in body
    response = client.post(url, {"keep": keep.pk, "duplicate": dup.pk, "reason": ""})
    assert response.status_code == 400 and "请填写合并原因" in response.content.decode()
    response = client.post(url, {"keep": keep.pk, "duplicate": dup.pk, "reason": "重复录入"})
    assert response.status_code == 302
    dup.refresh_from_db()
    assert dup.merged_into_id == keep.pk and dup.is_archived
    assert Qualification.objects.get().organization_id == keep.pk
    body = client.get(reverse("orgs:organization_detail", args=[dup.pk])).content.decode()
    assert "已合并至" in body and keep.name in body
    body = client.get(reverse("orgs:organization_detail", args=[keep.pk])).content.decode()
    assert "青禾农业（重复）" in body  # former name from the merge
    # a merged record can no longer be edited, archived or restored
    response = client.get(reverse("orgs:organization_edit", args=[dup.pk]))
    assert response.status_code == 302
    client.post(reverse("orgs:organization_archive", args=[dup.pk]), {"archived": "0"})
    dup.refresh_from_db()
    assert dup.is_archived


def test_merge_with_itself_is_refused(client, staff, admin):
    org = make(staff, 1)
    client.force_login(admin)
    response = client.post(reverse("orgs:organization_merge"), {"keep": org.pk, "duplicate": org.pk, "reason": "x"})
    assert response.status_code == 400 and "不能把单位与自身合并" in response.content.decode()


def test_merge_refused_for_staff(client, staff):
    keep, dup = make(staff, 1), make(staff, 2)
    client.force_login(staff)
    url = reverse("orgs:organization_merge")
    assert client.get(url).status_code == 403
    assert client.post(url, {"keep": keep.pk, "duplicate": dup.pk, "reason": "x"}).status_code == 403
    dup.refresh_from_db()
    assert dup.merged_into_id is None


def test_merge_cannot_reach_other_county(client, staff, admin, make_user):
    keep = make(staff, 1)
    other_staff = make_user("bureau_staff", "341182")
    elsewhere = organization_create(actor=other_staff, data=data(3, region="341182"))
    client.force_login(admin)
    url = reverse("orgs:organization_merge")
    assert elsewhere.name not in client.get(url, {"dup_q": elsewhere.credit_code}).content.decode()
    response = client.post(url, {"keep": keep.pk, "duplicate": elsewhere.pk, "reason": "x"})
    assert response.status_code == 400
    elsewhere.refresh_from_db()
    assert elsewhere.merged_into_id is None


def test_import_menu_entry_leads_to_generic_import(client, staff, make_user):
    client.force_login(staff)
    response = client.get(reverse("orgs:organization_import"))
    assert response.status_code == 302 and response["Location"] == reverse("core:import_upload", args=["organizations"])
    leader = make_user("bureau_leader", "341181")
    client.force_login(leader)
    assert client.get(reverse("orgs:organization_import")).status_code == 403


# ------------------------------------------------------------------ permission matrix


def _make(region_code: str) -> Organization:
    region(region_code)
    n = int(region_code[-2:])
    return Organization.objects.create(
        name=f"矩阵测试单位{region_code}", credit_code=code(900 + n), region_id=region_code, org_type="enterprise"
    )


ENDPOINTS = [
    Endpoint(
        "organization_list",
        perm="orgs.view_organization",
        make=_make,
        detail=False,
        url=lambda obj: LIST,
        marker=lambda obj: obj.name,
    ),
    Endpoint(
        "organization_detail",
        perm="orgs.view_organization",
        make=_make,
        url=lambda obj: reverse("orgs:organization_detail", args=[obj.pk]),
    ),
    Endpoint(
        "organization_edit",
        perm=("orgs.view_organization", "orgs.change_organization"),
        make=_make,
        url=lambda obj: reverse("orgs:organization_edit", args=[obj.pk]),
    ),
    Endpoint(
        "api_organization_list",
        perm="orgs.view_organization",
        make=_make,
        kind="api",
        detail=False,
        url=lambda obj: "/api/v1/orgs/organizations/",
        marker=lambda obj: obj.credit_code,
    ),
    Endpoint(
        "api_organization_detail",
        perm="orgs.view_organization",
        make=_make,
        kind="api",
        url=lambda obj: f"/api/v1/orgs/organizations/{obj.pk}/",
    ),
]


@pytest.mark.parametrize("case", matrix_cases(ENDPOINTS), ids=str)
def test_permission_matrix(case, client):
    run_matrix_case(case, client)


def test_list_and_detail_query_counts_do_not_grow_with_rows(client, staff, django_assert_max_num_queries):
    for n in range(1, 41):
        make(staff, n)
    org = Organization.objects.first()
    for n in range(3):
        qualification_save(actor=staff, organization=org, kind="other", issued_on=date(2024, 1, 1 + n))
    client.force_login(staff)
    with django_assert_max_num_queries(15):
        assert client.get(LIST, {"size": 100}).status_code == 200
    # The detail page's count depends on the panels other apps register; what matters is that it does not
    # grow with the organization's records.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("orgs:organization_detail", args=[org.pk])
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(5):
        qualification_save(actor=staff, organization=org, kind="other", issued_on=date(2024, 2, 1 + n))
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
