"""The organizations API: list filters, nested detail, create and partial update through the services
(400 with per-field Chinese reasons, nothing changed), scope (404) and permissions (401/403)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from rest_framework.authtoken.models import Token

from kejiju.engines.idcodes import make_credit_code
from kejiju.orgs.models import Organization, OrganizationAlias
from kejiju.orgs.services import ip_save, organization_create, organization_merge, qualification_save

pytestmark = pytest.mark.django_db

LIST = "/api/v1/orgs/organizations/"


def code(n: int) -> str:
    return make_credit_code(f"91341181MA{n:07d}")


def data(n: int = 1, **overrides):
    base = {
        "name": f"天长市接口测试{n}有限公司",
        "credit_code": code(n),
        "region": "341181",
        "org_type": "enterprise",
        "industry_code": "C",
        "contact_phone": "13912345678",
        "founded_on": "2018-03-01",
        "staff_count": 35,
    }
    base.update(overrides)
    return base


def detail(org: Organization) -> str:
    return f"{LIST}{org.pk}/"


@pytest.fixture
def staff(regions, make_user):
    return make_user("bureau_staff", "341181")


@pytest.fixture
def api(client, staff):
    """A client signed in with the staff account's API token."""
    token = Token.objects.create(user=staff)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client


def make(actor, n: int = 1, **overrides) -> Organization:
    return organization_create(actor=actor, data=data(n, **overrides))


def names(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


def test_list_filters(api, staff, make_user):
    a = make(staff, 1, name="天长市甲科技有限公司", industry_code="39")
    b = make(staff, 2, name="天长市乙合作社", org_type="cooperative", region="341181100", industry_code="A")
    other = make_user("bureau_staff", "341182")
    elsewhere = organization_create(actor=other, data=data(3, region="341182"))
    qualification_save(actor=staff, organization=a, kind="hnte", issued_on=date.today() - timedelta(days=10))
    assert names(api.get(LIST)) == {a.name, b.name}
    assert elsewhere.name not in names(api.get(LIST, {"q": elsewhere.credit_code}))
    assert names(api.get(LIST, {"q": "甲科技"})) == {a.name}
    assert names(api.get(LIST, {"q": a.credit_code[:17]})) == {a.name}
    assert names(api.get(LIST, {"q": "tcsy"})) == {b.name}
    assert names(api.get(LIST, {"org_type": "cooperative"})) == {b.name}
    assert names(api.get(LIST, {"region": "341181100"})) == {b.name}
    assert names(api.get(LIST, {"industry": "C"})) == {a.name}
    assert names(api.get(LIST, {"qualification": "hnte"})) == {a.name}
    body = api.get(LIST, {"page_size": 1}).json()
    assert body["count"] == 2 and len(body["results"]) == 1 and body["next"]
    row = api.get(LIST, {"q": "甲科技"}).json()["results"][0]
    assert row["region"] == "341181" and row["org_type_label"] == "企业" and row["merged_into"] is None


def test_list_archived_filter(api, staff, make_user):
    keep, dup = make(staff, 1), make(staff, 2)
    organization_merge(actor=make_user("bureau_admin", "341181"), keep=keep, duplicate=dup, reason="重复")
    assert names(api.get(LIST)) == {keep.name}
    rows = api.get(LIST, {"archived": "true"}).json()["results"]
    assert {r["name"]: r["merged_into"] for r in rows} == {keep.name: None, dup.name: keep.pk}


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"org_type": "company"}, "单位类型"),
        ({"qualification": "nobel"}, "持有资质"),
        ({"region": "34x"}, "区划代码应为"),
        ({"industry": "Z99"}, "行业"),
        ({"archived": "maybe"}, "true 或 false"),
    ],
)
def test_bad_filters_answer_400_in_chinese(api, params, fragment):
    response = api.get(LIST, params)
    assert response.status_code == 400
    assert fragment in response.json()["detail"]


def test_detail_nests_aliases_qualifications_and_ip(api, staff):
    org = make(staff, 1, name="天长市旧名有限公司")
    api.patch(detail(org), {"name": "天长市新名有限公司"}, content_type="application/json")
    qualification_save(
        actor=staff,
        organization=org,
        kind="tech_sme",
        issued_on=date.today() - timedelta(days=1),
        certificate_no="202534118100001",
    )
    ip_save(actor=staff, organization=org, ip_type="invention", title="一种育秧方法", number="202310123456.6")
    body = api.get(detail(org)).json()
    assert body["name"] == "天长市新名有限公司"
    assert [a["name"] for a in body["aliases"]] == ["天长市旧名有限公司"]
    assert body["qualifications"][0]["kind"] == "tech_sme" and body["qualifications"][0]["valid_today"] is True
    assert body["intellectual_property"][0]["ip_class"] == "I"
    assert body["intellectual_property"][0]["ip_class_label"] == "Ⅰ类"


def test_create(api, staff):
    response = api.post(LIST, data(1), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    org = Organization.objects.get()
    assert body["id"] == org.pk and body["credit_code"] == code(1) and body["staff_count"] == 35
    assert org.history.first().history_user_id == staff.pk


def test_create_errors_per_field_and_nothing_saved(api):
    response = api.post(
        LIST,
        data(1, name="", credit_code="91110000600037341N", contact_phone="9999", industry_code="Z"),
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert "单位名称" in body["detail"] or body["field"] == "name"
    response = api.post(
        LIST,
        data(1, credit_code="91110000600037341N", contact_phone="9999", industry_code="Z"),
        content_type="application/json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "校验位" in errors["credit_code"][0]
    assert "联系电话" in errors["contact_phone"][0]
    assert "行业代码" in errors["industry_code"][0]
    assert Organization.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"region": "341182"}, "region"),
        ({"org_type": "company"}, "org_type"),
        ({"founded_on": "2020-13-01"}, "founded_on"),
        ({"staff_count": -1}, "staff_count"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_create_shape_errors(api, body, field):
    response = api.post(LIST, {**data(1), **body}, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert Organization.objects.count() == 0


def test_create_duplicate_credit_code(api, staff):
    existing = make(staff, 1)
    response = api.post(LIST, data(1, name="另一家"), content_type="application/json")
    assert response.status_code == 400
    assert existing.name in response.json()["errors"]["credit_code"][0]


def test_partial_update(api, staff):
    org = make(staff, 1, name="天长市甲有限公司")
    response = api.patch(detail(org), {"name": "天长市乙有限公司", "staff_count": 80}, content_type="application/json")
    assert response.status_code == 200, response.content
    org.refresh_from_db()
    assert org.name == "天长市乙有限公司" and org.staff_count == 80 and org.industry_code == "C"
    assert OrganizationAlias.objects.filter(organization=org, name="天长市甲有限公司").exists()
    response = api.patch(detail(org), {"contact_phone": "9999"}, content_type="application/json")
    assert response.status_code == 400 and "contact_phone" in response.json()["errors"]
    org.refresh_from_db()
    assert org.contact_phone == "13912345678"


def test_partial_update_of_merged_record_is_refused(api, staff, make_user):
    keep, dup = make(staff, 1), make(staff, 2)
    organization_merge(actor=make_user("bureau_admin", "341181"), keep=keep, duplicate=dup, reason="重复")
    response = api.patch(detail(dup), {"name": "复活"}, content_type="application/json")
    assert response.status_code == 400 and "已合并" in response.json()["detail"]


def test_scope_and_permissions(api, client, staff, make_user):
    other = make_user("bureau_staff", "341182")
    elsewhere = organization_create(actor=other, data=data(3, region="341182"))
    assert api.get(detail(elsewhere)).status_code == 404
    assert api.patch(detail(elsewhere), {"name": "x"}, content_type="application/json").status_code == 404
    assert api.get(f"{LIST}99999999999999999999/").status_code == 404
    assert api.get(f"{LIST}abc/").status_code == 404
    leader = make_user("bureau_leader", "341181")
    org = make(staff, 1)
    client.defaults.pop("HTTP_AUTHORIZATION", None)
    client.force_login(leader)
    assert client.get(detail(org)).status_code == 200
    assert client.patch(detail(org), {"name": "x"}, content_type="application/json").status_code == 403
    assert client.post(LIST, data(2), content_type="application/json").status_code == 403
    client.logout()
    assert client.get(LIST).status_code == 401
    assert Organization.objects.count() == 2


# ------------------------------------------------------------------ the committed OpenAPI schema


ORGS_OPERATIONS = [
    ("GET", "/api/v1/orgs/organizations/"),
    ("POST", "/api/v1/orgs/organizations/"),
    ("GET", "/api/v1/orgs/organizations/{id}/"),
    ("PATCH", "/api/v1/orgs/organizations/{id}/"),
]


@pytest.fixture
def fuzz_world(regions, make_user, keep_connection):
    """A city account holding every orgs permission (by token) and one organization to aim at."""
    actor = make_user("bureau_admin", "3411")
    org = organization_create(actor=actor, data=data(1))
    token = Token.objects.create(user=actor)
    return {"headers": {"Authorization": f"Token {token.key}"}, "org": org}


@pytest.mark.parametrize(("method", "path"), ORGS_OPERATIONS, ids=lambda v: v)
def test_api_conforms_to_committed_schema(fuzz_world, method, path):
    """Generated requests (valid and invalid, on a record that exists) never get a 5xx nor an answer
    the committed docs/api/openapi.yaml does not describe."""
    from pathlib import Path

    import schemathesis
    from django.core.wsgi import get_wsgi_application
    from hypothesis import HealthCheck, given, settings
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        negative_data_rejection,
        response_schema_conformance,
        status_code_conformance,
    )

    schema = schemathesis.openapi.from_path(Path(__file__).resolve().parents[4] / "docs" / "api" / "openapi.yaml")
    operation = schema[path][method]
    app = get_wsgi_application()
    checks = [
        not_a_server_error,
        negative_data_rejection,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    fixed = {"path_parameters": {"id": fuzz_world["org"].pk}} if "{id}" in path else {}
    # with its one parameter fixed, the detail GET has no input left to make invalid
    modes = [GenerationMode.POSITIVE] if (method, path) == ORGS_OPERATIONS[2] else list(GenerationMode)
    runs = [(mode, fixed) for mode in modes] + ([(GenerationMode.POSITIVE, {})] if fixed else [])  # random ids too
    for mode, params in runs:

        @settings(
            max_examples=25, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck)
        )
        @given(case=operation.as_strategy(generation_mode=mode, **params))
        def fuzz(case):
            case.call_and_validate(app=app, headers=fuzz_world["headers"], checks=checks)

        fuzz()
