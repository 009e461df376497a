"""The core REST API (/api/v1/): token and session authentication, the current account,
regions and accounts — happy paths, every refusal in Chinese, nothing changed on error, and the
four-actor permission matrix."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from kejiju.core import actions
from kejiju.core.middleware import SESSION_KEY
from kejiju.core.models import Bureau, Department, LoginAttempt, OperationLog, Region, User
from kejiju.core.testing.factories import UserFactory, grant_perms, region
from kejiju.core.testing.matrix import Endpoint, matrix_cases, run_matrix_case

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
ME = "/api/v1/me/"
TOKEN = "/api/v1/token/"
REGIONS = "/api/v1/regions/"
USERS = "/api/v1/users/"
GOOD_PASSWORD = "Kejiju-Api-2026"


def region_url(code: str) -> str:
    return f"{REGIONS}{code}/"


def user_url(pk: Any) -> str:
    return f"{USERS}{pk}/"


def token_key(user: User) -> str | None:
    return Token.objects.filter(user=user).values_list("key", flat=True).first()


def as_user(user: User, *, enforce_csrf_checks: bool = False) -> APIClient:
    """A client authenticated the way scripts are: ``Authorization: Token <key>``."""
    client = APIClient(enforce_csrf_checks=enforce_csrf_checks)
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def assert_refused(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    """A 4xx in the API's error shape with a Chinese ``detail`` (and ``field`` when given)."""
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert CJK.search(body["detail"]), body
    assert body["code"]
    if field is not None:
        assert body.get("field") == field, body
    return body


def snapshot() -> tuple[Any, ...]:
    """Everything an API write could touch: regions, accounts, tokens, audit and history."""
    return (
        list(Region.objects.order_by("code").values_list("code", "name", "kind", "is_active", "parent_id")),
        list(
            User.objects.order_by("pk").values_list(
                "pk", "username", "full_name", "role", "region_id", "department_id", "phone", "email", "is_active"
            )
        ),
        OperationLog.objects.count(),
        Region.history.count(),
        User.history.count(),
        Token.objects.count(),
    )


@pytest.fixture
def admin(regions: dict[str, Region], make_user: Any) -> User:
    """The county's account administrator (view/add/change regions and accounts), with a token."""
    user = make_user("bureau_admin", "341181", username="county-admin")
    Token.objects.create(user=user)
    return user


@pytest.fixture
def leader(regions: dict[str, Region], make_user: Any) -> User:
    """A bureau leader: may look at regions and accounts, change nothing; with a token."""
    user = make_user("bureau_leader", "341181", username="county-leader")
    Token.objects.create(user=user)
    return user


@pytest.fixture
def department(regions: dict[str, Region]) -> Department:
    bureau = Bureau.objects.create(region=regions["county"], name="天长市科学技术局")
    return Department.objects.create(bureau=bureau, region=regions["county"], name="综合科")


@pytest.fixture
def other_department(regions: dict[str, Region]) -> Department:
    bureau = Bureau.objects.create(region=regions["other_county"], name="明光市科学技术局")
    return Department.objects.create(bureau=bureau, region=regions["other_county"], name="综合科")


# ---------------------------------------------------------------- authentication


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", ME),
        ("get", REGIONS),
        ("post", REGIONS),
        ("get", region_url("341181")),
        ("patch", region_url("341181")),
        ("get", USERS),
        ("post", USERS),
        ("get", user_url(1)),
        ("patch", user_url(1)),
    ],
)
def test_anonymous_gets_401_with_token_challenge(regions: Any, method: str, url: str) -> None:
    before = snapshot()
    response = getattr(APIClient(), method)(url, {"name": "x"}, format="json")
    body = assert_refused(response, 401)
    assert response["WWW-Authenticate"] == "Token"
    assert body["code"] == "not_authenticated"
    assert snapshot() == before


def test_invalid_token_is_401(admin: User) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    assert assert_refused(client.get(ME), 401)["code"] == "authentication_failed"
    client.credentials(HTTP_AUTHORIZATION="Token two words")
    assert_refused(client.get(ME), 401)


def test_session_login_works_and_writes_need_csrf(admin: User) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(admin)
    assert client.get(ME).json()["username"] == "county-admin"
    before = snapshot()
    body = assert_refused(client.post(REGIONS, {"code": "341181101", "name": "新镇"}, format="json"), 403)
    assert body["code"] == "csrf_failed"
    assert snapshot() == before


def test_token_writes_need_no_csrf(admin: User) -> None:
    client = as_user(admin, enforce_csrf_checks=True)
    assert client.post(REGIONS, {"code": "341181101", "name": "新镇"}, format="json").status_code == 201


# ---------------------------------------------------------------- token


def test_token_obtained_with_password_and_used(admin: User, password: str) -> None:
    old_key = token_key(admin)
    response = APIClient(enforce_csrf_checks=True).post(
        TOKEN, {"username": "county-admin", "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    key = response.json()["token"]
    assert response.json()["username"] == "county-admin"
    assert Token.objects.get(user=admin).key == key != old_key
    logged = set(OperationLog.objects.filter(actor=admin).values_list("action", flat=True))
    assert {actions.LOGIN, actions.TOKEN_CREATE} <= logged
    assert LoginAttempt.objects.filter(username="county-admin", success=True).exists()

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(ME).json()["username"] == "county-admin"

    # a new token replaces the old one
    again = APIClient().post(TOKEN, {"username": "county-admin", "password": password}, format="json")
    assert again.status_code == 200 and again.json()["token"] != key
    assert_refused(client.get(ME), 401)


def test_token_wrong_password_is_throttled_then_locked(admin: User, password: str, settings: Any) -> None:
    key = token_key(admin)
    settings.KEJIJU_LOGIN_FAILURE_LIMIT = 3
    client = APIClient()
    first = assert_refused(client.post(TOKEN, {"username": "county-admin", "password": "wrong"}, format="json"), 400)
    assert "用户名或密码不正确" in first["detail"] and first["code"] == "login_failed"
    for _ in range(2):
        client.post(TOKEN, {"username": "county-admin", "password": "wrong"}, format="json")
    locked = assert_refused(client.post(TOKEN, {"username": "county-admin", "password": password}, format="json"), 400)
    assert "锁定" in locked["detail"]
    admin.refresh_from_db()
    assert admin.locked_until is not None
    assert token_key(admin) == key
    assert OperationLog.objects.filter(action=actions.LOGIN_LOCKED, target_id=str(admin.pk)).exists()


def test_token_unknown_user_answers_like_wrong_password(admin: User) -> None:
    unknown = APIClient().post(TOKEN, {"username": "nobody-here", "password": "wrong"}, format="json")
    known = APIClient().post(TOKEN, {"username": "county-admin", "password": "wrong"}, format="json")
    assert assert_refused(unknown, 400)["detail"] == assert_refused(known, 400)["detail"]


def test_token_refused_while_password_must_be_changed(admin: User, password: str) -> None:
    User.objects.filter(pk=admin.pk).update(must_change_password=True)
    key = token_key(admin)
    body = assert_refused(
        APIClient().post(TOKEN, {"username": "county-admin", "password": password}, format="json"),
        400,
        field="password",
    )
    assert body["code"] == "must_change_password"
    assert token_key(admin) == key


def test_token_refused_for_disabled_account(admin: User, password: str) -> None:
    User.objects.filter(pk=admin.pk).update(is_active=False)
    key = token_key(admin)
    body = assert_refused(
        APIClient().post(TOKEN, {"username": "county-admin", "password": password}, format="json"), 400
    )
    assert "停用" in body["detail"]
    assert token_key(admin) == key


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        ('{"username": "county-admin"}', "application/json", 400),
        ('{"username": "county-admin", "password": "x", "remember": true}', "application/json", 400),
        ('{"username": "county-admin", "password": ', "application/json", 400),
        ('["county-admin"]', "application/json", 400),
        ('{"username": ["a"], "password": "x"}', "application/json", 400),
        ("username=county-admin&password=x", "application/x-www-form-urlencoded", 415),
    ],
)
def test_token_malformed_requests_change_nothing(admin: User, data: str, content_type: str, status: int) -> None:
    before = (snapshot(), LoginAttempt.objects.count())
    assert_refused(APIClient().post(TOKEN, data, content_type=content_type), status)
    assert (snapshot(), LoginAttempt.objects.count()) == before


# ---------------------------------------------------------------- me


def test_me_describes_the_account(admin: User) -> None:
    body = as_user(admin).get(ME).json()
    assert body["username"] == "county-admin"
    assert body["role"] == "bureau_admin" and body["role_label"] == "科技局账号管理员"
    assert body["region"] == {"code": "341181", "name": "天长市", "level": 6}
    assert body["active_region"] == body["region"]
    assert {"core.view_region", "core.add_user"} <= set(body["permissions"])
    assert body["permissions"] == sorted(body["permissions"])
    assert "password" not in body


def test_me_follows_the_region_switcher(regions: Any, make_user: Any) -> None:
    city = make_user("bureau_leader", "3411", username="city-leader")
    client = APIClient()
    client.force_login(city)
    session = client.session
    session[SESSION_KEY] = "341182"
    session.save()
    body = client.get(ME).json()
    assert body["region"]["code"] == "3411"
    assert body["active_region"] == {"code": "341182", "name": "明光市", "level": 6}
    # and the region list follows it
    codes = {r["code"] for r in client.get(REGIONS).json()["results"]}
    assert codes == {"341182"}


# ---------------------------------------------------------------- regions: reading


def codes_of(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["code"] for row in response.json()["results"]}


def test_region_list_is_the_active_region(admin: User) -> None:
    response = as_user(admin).get(REGIONS)
    assert codes_of(response) == {"341181", "341181100", "341181100001"}
    row = next(r for r in response.json()["results"] if r["code"] == "341181100")
    assert row["parent"] == "341181" and row["level"] == 9 and row["level_label"] == "乡级"


def test_region_list_filters(admin: User, regions: Any) -> None:
    Region.objects.filter(code="341181100001").update(is_active=False)
    client = as_user(admin)
    assert codes_of(client.get(REGIONS, {"parent": "341181"})) == {"341181100"}
    assert codes_of(client.get(REGIONS, {"level": 12})) == {"341181100001"}
    assert codes_of(client.get(REGIONS, {"q": "天长"})) == {"341181", "341181100"}
    assert codes_of(client.get(REGIONS, {"q": "341181100"})) == {"341181100", "341181100001"}
    assert codes_of(client.get(REGIONS, {"is_active": "false"})) == {"341181100001"}
    assert codes_of(client.get(REGIONS, {"is_active": "true", "level": 9})) == {"341181100"}
    # empty values mean "no filter", as from a form
    assert len(codes_of(client.get(REGIONS, {"q": "", "level": ""}))) == 3
    # a filter never widens the scope
    assert codes_of(client.get(REGIONS, {"q": "明光"})) == set()
    assert codes_of(client.get(REGIONS, {"parent": "3411"})) == {"341181"}
    assert codes_of(client.get(REGIONS, {"parent": "341182"})) == set()


def test_region_list_pages(admin: User) -> None:
    client = as_user(admin)
    body = client.get(REGIONS, {"page_size": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    assert len(client.get(REGIONS, {"page_size": 2, "page": 2}).json()["results"]) == 1
    assert_refused(client.get(REGIONS, {"page": 9}), 404)
    assert_refused(client.get(REGIONS, {"page_size": "abc"}), 400, field="page_size")
    assert_refused(client.get(REGIONS, {"page_size": 0}), 400, field="page_size")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"level": 7}, "level"),
        ({"level": "县"}, "level"),
        ({"is_active": "maybe"}, "is_active"),
        ({"parent": "3" * 13}, "parent"),
        ({"q": "a\x00b"}, "q"),
    ],
)
def test_region_list_bad_filters_are_400(admin: User, params: dict[str, Any], field: str) -> None:
    body = assert_refused(as_user(admin).get(REGIONS, params), 400, field=field)
    if field == "q":  # a NUL character is refused before the API reads the query (core.middleware)
        assert "“q”含有空字符" in body["detail"]
    else:
        assert body["detail"].split("：")[0] in {"级别", "启用", "上级区划"}


def test_region_list_needs_view_permission(regions: Any, make_user: Any) -> None:
    expert = make_user("expert", "341181")
    body = assert_refused(as_user(expert).get(REGIONS), 403)
    assert "权限" in body["detail"]


def test_region_detail(admin: User) -> None:
    body = as_user(admin).get(region_url("341181100")).json()
    assert body["name"] == "天长街道" and body["parent"] == "341181" and body["source_label"]


@pytest.mark.parametrize(
    "code", ["341182", "3411", "341189", "abc", "3" * 13, "34118%00", "３４１１８１", "341181%0A", "341181%20"]
)
def test_region_detail_outside_or_unknown_is_404(admin: User, code: str) -> None:
    body = assert_refused(as_user(admin).get(region_url(code)), 404)
    # "not yours" and "does not exist" answer exactly alike
    assert body == {"detail": "区划不存在。", "code": "not_found"}


# ---------------------------------------------------------------- regions: writing


def test_region_create(admin: User) -> None:
    response = as_user(admin).post(REGIONS, {"code": "341181100002", "name": "新建村", "kind": "村委会"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["code"] == "341181100002" and response.json()["level"] == 12
    created = Region.objects.get(code="341181100002")
    assert (created.name, created.kind, created.parent_id, created.source) == ("新建村", "村委会", "341181100", "form")
    log = OperationLog.objects.get(action=actions.REGION_CREATE, target_id="341181100002")
    assert log.actor == admin
    assert created.history.first().history_user == admin


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"code": "34118110", "name": "坏代码"}, 400, "code"),
        ({"code": "3411811000a1", "name": "坏代码"}, 400, "code"),
        ({"code": "341181100001", "name": "重复"}, 400, "code"),
        ({"code": "341181200001", "name": "无上级"}, 400, "code"),
        ({"code": "341181101"}, 400, "name"),
        ({"code": "341181101", "name": ""}, 400, "name"),
        ({"code": "341181101", "name": "长" * 65}, 400, "name"),
        ({"code": "341181101", "name": ["镇"]}, 400, "name"),
        ({"code": 341181101, "name": True}, 400, "name"),
        ({"code": "341181101", "name": "新镇", "parent": "341181"}, 400, "parent"),
        ({"code": "341181101", "name": "新镇", "kind": "x" * 17}, 400, "kind"),
    ],
)
def test_region_create_refusals_change_nothing(admin: User, body: dict[str, Any], status: int, field: str) -> None:
    before = snapshot()
    assert_refused(as_user(admin).post(REGIONS, body, format="json"), status, field=field)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        ("{", "application/json", 400),
        ("[]", "application/json", 400),
        ("null", "application/json", 400),
        ('"text"', "application/json", 400),
        ('{"code": NaN}', "application/json", 400),
        ('{"code": "\\ud800", "name": "x"}', "application/json", 400),
        (b"\xff\xfe", "application/json", 400),
        ("code=341181101&name=x", "application/x-www-form-urlencoded", 415),
    ],
)
def test_region_create_malformed_bodies_change_nothing(admin: User, data: Any, content_type: str, status: int) -> None:
    before = snapshot()
    assert_refused(as_user(admin).post(REGIONS, data, content_type=content_type), status)
    assert snapshot() == before


def test_region_create_outside_scope_does_not_reveal_existence(admin: User) -> None:
    region("341182100", "明光街道")
    client = as_user(admin)
    before = snapshot()
    existing = assert_refused(client.post(REGIONS, {"code": "341182100", "name": "x"}, format="json"), 400, "code")
    missing = assert_refused(client.post(REGIONS, {"code": "341182199", "name": "x"}, format="json"), 400, "code")
    assert existing == missing
    assert "管辖范围" in existing["detail"]
    assert snapshot() == before


def test_region_create_needs_add_permission(leader: User) -> None:
    before = snapshot()
    assert_refused(as_user(leader).post(REGIONS, {"code": "341181101", "name": "新镇"}, format="json"), 403)
    assert snapshot() == before


def test_region_update(admin: User) -> None:
    client = as_user(admin)
    Region.objects.filter(code="341181100").update(kind="街道")
    response = client.patch(region_url("341181100"), {"name": "天长新街道"}, format="json")
    assert response.status_code == 200, response.content
    town = Region.objects.get(code="341181100")
    assert (town.name, town.kind, town.is_active) == ("天长新街道", "街道", True)  # omitted fields kept
    log = OperationLog.objects.get(action=actions.REGION_UPDATE, target_id="341181100")
    assert log.extra["before"]["name"] == "天长街道" and log.actor == admin

    response = client.patch(region_url("341181100"), {"is_active": False}, format="json")
    assert response.json()["is_active"] is False
    assert Region.objects.get(code="341181100").name == "天长新街道"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": None}, "name"),
        ({"is_active": "maybe"}, "is_active"),
        ({"code": "341181101"}, "code"),
        ({"level": 12}, "level"),
        ({"kind": {"a": 1}}, "kind"),
    ],
)
def test_region_update_refusals_change_nothing(admin: User, body: dict[str, Any], field: str) -> None:
    before = snapshot()
    assert_refused(as_user(admin).patch(region_url("341181100"), body, format="json"), 400, field=field)
    assert snapshot() == before


@pytest.mark.parametrize("code", ["341182", "341189", "x", "3411"])
def test_region_update_outside_scope_is_404(admin: User, code: str) -> None:
    before = snapshot()
    assert_refused(as_user(admin).patch(region_url(code), {"name": "改名"}, format="json"), 404)
    assert snapshot() == before


def test_region_update_needs_change_permission(leader: User) -> None:
    before = snapshot()
    assert_refused(as_user(leader).patch(region_url("341181100"), {"name": "改名"}, format="json"), 403)
    assert snapshot() == before


# ---------------------------------------------------------------- users: reading


def names_of(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["username"] for row in response.json()["results"]}


@pytest.fixture
def people(regions: Any, admin: User) -> dict[str, User]:
    return {
        "staff": UserFactory(
            username="zhang-san", full_name="张三", region=regions["county"], phone="13912345678", role="bureau_staff"
        ),
        "town": UserFactory(username="li-si", full_name="李四", region=regions["town"], role="town_station"),
        "disabled": UserFactory(
            username="wang-wu", full_name="王五", region=regions["county"], is_active=False, role="expert"
        ),
        "other": UserFactory(username="zhao-liu", full_name="赵六", region=regions["other_county"]),
    }


def test_user_list_is_the_active_region(admin: User, people: dict[str, User]) -> None:
    response = as_user(admin).get(USERS)
    assert names_of(response) == {"county-admin", "zhang-san", "li-si", "wang-wu"}
    row = next(r for r in response.json()["results"] if r["username"] == "zhang-san")
    assert row["region"] == "341181" and row["region_name"] == "天长市" and row["role_label"] == "科室工作人员"
    assert "password" not in row


def test_user_list_filters(admin: User, people: dict[str, User]) -> None:
    client = as_user(admin)
    assert names_of(client.get(USERS, {"q": "张"})) == {"zhang-san"}
    assert names_of(client.get(USERS, {"q": "1391234"})) == {"zhang-san"}
    assert names_of(client.get(USERS, {"role": "town_station"})) == {"li-si"}
    assert names_of(client.get(USERS, {"active": "false"})) == {"wang-wu"}
    assert names_of(client.get(USERS, {"status": "inactive"})) == {"wang-wu"}
    assert "wang-wu" not in names_of(client.get(USERS, {"active": "true"}))
    assert names_of(client.get(USERS, {"region": "341181100"})) == {"li-si"}
    assert names_of(client.get(USERS, {"region": "341182"})) == set()  # never wider than the scope
    assert names_of(client.get(USERS, {"q": "赵"})) == set()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"role": "boss"}, "role"),
        ({"status": "gone"}, "status"),
        ({"active": "yes please"}, "active"),
        ({"region": "3" * 13}, "region"),
        ({"q": "x" * 65}, "q"),
    ],
)
def test_user_list_bad_filters_are_400(admin: User, params: dict[str, Any], field: str) -> None:
    assert_refused(as_user(admin).get(USERS, params), 400, field=field)


def test_user_list_needs_view_permission(regions: Any, make_user: Any) -> None:
    station = make_user("town_station", "341181100")
    assert_refused(as_user(station).get(USERS), 403)


def test_user_detail(admin: User, people: dict[str, User]) -> None:
    body = as_user(admin).get(user_url(people["staff"].pk)).json()
    assert body["username"] == "zhang-san" and body["phone"] == "13912345678" and body["is_locked"] is False
    assert "password" not in body


@pytest.mark.parametrize(
    "pk", ["other", "missing", "abc", "0", "-1", "1.5", "99999999999999999999", "%20", "１", "own%0A"]
)
def test_user_detail_outside_or_unknown_is_404(admin: User, people: dict[str, User], pk: str) -> None:
    value = {"other": people["other"].pk, "missing": 987654, "own%0A": f"{admin.pk}%0A"}.get(pk, pk)
    body = assert_refused(as_user(admin).get(user_url(value)), 404)
    assert body == {"detail": "账号不存在。", "code": "not_found"}


# ---------------------------------------------------------------- users: writing


def new_user(**overrides: Any) -> dict[str, Any]:
    data = {
        "username": "new-staff",
        "full_name": "新同事",
        "password": GOOD_PASSWORD,
        "role": "bureau_staff",
        "region": "341181",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not ...}


def test_user_create(admin: User, department: Department) -> None:
    response = as_user(admin).post(
        USERS, new_user(department=department.pk, phone="13912345678", email="new@example.org"), format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert "password" not in body and GOOD_PASSWORD not in response.content.decode()
    assert body["department_name"] == "综合科" and body["must_change_password"] is True
    created = User.objects.get(username="new-staff")
    assert created.check_password(GOOD_PASSWORD)
    assert (created.region_id, created.department_id, created.role) == ("341181", department.pk, "bureau_staff")
    assert created.groups.filter(name="科室工作人员").exists()
    log = OperationLog.objects.get(action=actions.USER_CREATE, target_id=str(created.pk))
    assert log.actor == admin


def test_user_create_in_a_town(admin: User) -> None:
    response = as_user(admin).post(
        USERS, new_user(region="341181100", role="town_station", must_change_password=False), format="json"
    )
    assert response.status_code == 201, response.content
    assert User.objects.get(username="new-staff").must_change_password is False


@pytest.mark.parametrize(
    ("overrides", "status", "field"),
    [
        ({"username": "county-admin"}, 400, "username"),
        ({"username": "COUNTY-ADMIN"}, 400, "username"),
        ({"username": "has space"}, 400, "username"),
        ({"username": ...}, 400, "username"),
        ({"password": "short"}, 400, "password"),
        ({"password": "1234567890123"}, 400, "password"),
        ({"password": ...}, 400, "password"),
        ({"full_name": ""}, 400, "full_name"),
        ({"full_name": "名" * 41}, 400, "full_name"),
        ({"role": "boss"}, 400, "role"),
        ({"role": 3}, 400, "role"),
        ({"role": "system_admin"}, 403, "role"),
        ({"region": "341181999"}, 400, "region"),
        ({"region": None}, 400, "region"),
        ({"region": ...}, 400, "region"),
        ({"region": ["341181"]}, 400, "region"),
        ({"department": "综合科"}, 400, "department"),
        ({"department": 987654}, 400, "department"),
        ({"department": 2**70}, 400, "department"),
        ({"phone": "12345"}, 400, "phone"),
        ({"email": "not-an-email"}, 400, "email"),
        ({"is_superuser": True}, 400, "is_superuser"),
        ({"must_change_password": "sometimes"}, 400, "must_change_password"),
    ],
)
def test_user_create_refusals_change_nothing(admin: User, overrides: dict[str, Any], status: int, field: str) -> None:
    before = snapshot()
    body = assert_refused(as_user(admin).post(USERS, new_user(**overrides), format="json"), status, field=field)
    assert GOOD_PASSWORD not in json.dumps(body, ensure_ascii=False)
    assert snapshot() == before


def test_user_create_forged_region_does_not_reveal_existence(admin: User) -> None:
    client = as_user(admin)
    before = snapshot()
    existing = assert_refused(client.post(USERS, new_user(region="341182"), format="json"), 400, "region")
    missing = assert_refused(client.post(USERS, new_user(region="341189"), format="json"), 400, "region")
    assert existing == missing
    assert existing["detail"] == "所属区划：所选区划不在您的管辖范围内。"
    assert snapshot() == before


def test_user_create_department_of_another_county_is_refused(admin: User, other_department: Department) -> None:
    before = snapshot()
    body = assert_refused(
        as_user(admin).post(USERS, new_user(department=other_department.pk), format="json"), 400, "department"
    )
    assert body["detail"] == "科室：所选科室不存在。"
    assert snapshot() == before


@pytest.mark.parametrize("data", ["{", "[]", "null", '{"username": "\\udfff"}'])
def test_user_create_malformed_bodies_change_nothing(admin: User, data: str) -> None:
    before = snapshot()
    assert_refused(as_user(admin).post(USERS, data, content_type="application/json"), 400)
    assert snapshot() == before


def test_user_create_needs_add_permission(leader: User) -> None:
    before = snapshot()
    assert_refused(as_user(leader).post(USERS, new_user(), format="json"), 403)
    assert snapshot() == before


def test_user_update(admin: User, people: dict[str, User], department: Department) -> None:
    staff = people["staff"]
    response = as_user(admin).patch(
        user_url(staff.pk), {"full_name": "张三丰", "department": department.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    staff.refresh_from_db()
    assert (staff.full_name, staff.department_id) == ("张三丰", department.pk)
    assert (staff.phone, staff.role, staff.region_id) == ("13912345678", "bureau_staff", "341181")  # kept
    log = OperationLog.objects.get(action=actions.USER_UPDATE, target_id=str(staff.pk))
    assert log.extra["before"]["full_name"] == "张三" and log.actor == admin

    response = as_user(admin).patch(
        user_url(staff.pk), {"region": "341181100", "role": "town_station", "department": None}, format="json"
    )
    assert response.status_code == 200, response.content
    staff.refresh_from_db()
    assert (staff.region_id, staff.role, staff.department_id) == ("341181100", "town_station", None)


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"full_name": ""}, 400, "full_name"),
        ({"role": "system_admin"}, 403, "role"),
        ({"region": "341182"}, 400, "region"),
        ({"region": "341189"}, 400, "region"),
        ({"region": None}, 400, "region"),
        ({"username": "renamed"}, 400, "username"),
        ({"password": GOOD_PASSWORD}, 400, "password"),
        ({"is_active": False}, 400, "is_active"),
        ({"phone": "call me"}, 400, "phone"),
        ({"department": 0}, 400, "department"),
    ],
)
def test_user_update_refusals_change_nothing(
    admin: User, people: dict[str, User], body: dict[str, Any], status: int, field: str
) -> None:
    before = snapshot()
    assert_refused(as_user(admin).patch(user_url(people["staff"].pk), body, format="json"), status, field=field)
    assert snapshot() == before


def test_user_cannot_change_own_role(admin: User) -> None:
    before = snapshot()
    body = assert_refused(
        as_user(admin).patch(user_url(admin.pk), {"role": "bureau_staff"}, format="json"), 403, field="role"
    )
    assert body["detail"] == "不能修改自己的角色。"
    assert snapshot() == before


@pytest.mark.parametrize("pk", ["other", "abc", "99999999999999999999"])
def test_user_update_outside_scope_is_404(admin: User, people: dict[str, User], pk: str) -> None:
    value = people["other"].pk if pk == "other" else pk
    before = snapshot()
    assert_refused(as_user(admin).patch(user_url(value), {"full_name": "改名"}, format="json"), 404)
    assert snapshot() == before


def test_user_update_needs_change_permission(leader: User, people: dict[str, User]) -> None:
    before = snapshot()
    assert_refused(as_user(leader).patch(user_url(people["staff"].pk), {"full_name": "改名"}, format="json"), 403)
    assert snapshot() == before


# ---------------------------------------------------------------- schema and 404 outside the API


def test_schema_is_public_openapi() -> None:
    response = APIClient().get(reverse("core_api:schema"), {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/regions/{code}/" in schema["paths"]


def test_unknown_api_path_is_404() -> None:
    assert APIClient().get("/api/v1/nothing-here/").status_code == 404


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("delete", region_url("341181100")),
        ("put", region_url("341181100")),
        ("delete", USERS),
        ("options", REGIONS),
        ("get", TOKEN),
    ],
)
def test_unsupported_method_is_405_in_chinese(admin: User, method: str, url: str) -> None:
    before = snapshot()
    body = assert_refused(getattr(as_user(admin), method)(url), 405)
    assert method.upper() in body["detail"]
    assert snapshot() == before


# ---------------------------------------------------------------- permission matrix


def _matrix_town(code: str) -> Region:
    return region(f"{code}777", f"矩阵测试镇{code}")


def _matrix_user(code: str) -> User:
    return UserFactory(region=region(code), username=f"matrix-target-{code}")


ENDPOINTS = [
    Endpoint(
        "api region list",
        perm="core.view_region",
        kind="api",
        detail=False,
        make=_matrix_town,
        url=lambda obj: REGIONS,
        marker=lambda obj: obj.name,
    ),
    Endpoint(
        "api region detail",
        perm="core.view_region",
        kind="api",
        make=_matrix_town,
        url=lambda obj: region_url(obj.code),
    ),
    Endpoint(
        "api user list",
        perm="core.view_user",
        kind="api",
        detail=False,
        make=_matrix_user,
        url=lambda obj: USERS,
        marker=lambda obj: obj.username,
    ),
    Endpoint("api user detail", perm="core.view_user", kind="api", make=_matrix_user, url=lambda obj: user_url(obj.pk)),
]


@pytest.mark.parametrize("case", matrix_cases(ENDPOINTS), ids=str)
def test_permission_matrix(case: Any, client: Any) -> None:
    run_matrix_case(case, client)


def test_matrix_holds_with_token_authentication(regions: Any) -> None:
    """The same answers through a token instead of a session."""
    town = _matrix_town("341181")
    own = UserFactory(region=regions["county"])
    other = UserFactory(region=regions["other_county"])
    grant_perms(own, "core.view_region")
    grant_perms(other, "core.view_region")
    assert as_user(own).get(region_url(town.code)).status_code == 200
    assert as_user(other).get(region_url(town.code)).status_code == 404
    assert as_user(UserFactory(region=regions["county"])).get(region_url(town.code)).status_code == 403
