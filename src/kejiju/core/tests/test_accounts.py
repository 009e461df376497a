"""Account management (账号管理): the services and their rules, the pages, and the permission matrix."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from kejiju.core import actions
from kejiju.core.choices import Role
from kejiju.core.errors import BusinessError
from kejiju.core.models import LoginAttempt, OperationLog, User
from kejiju.core.roles import group_name
from kejiju.core.services.accounts import (
    normalize_phone,
    user_create,
    user_reset_password,
    user_set_active,
    user_unlock,
    user_update,
)
from kejiju.core.services.regions import bureau_save, department_save
from kejiju.core.testing.factories import TEST_PASSWORD, region
from kejiju.core.testing.matrix import Endpoint, matrix_cases, run_matrix_case

NEW_PASSWORD = "Xin-mima-2026"

pytestmark = pytest.mark.django_db


# ----------------------------------------------------------------------------- helpers


def logs(action: str, account: User | None = None) -> list[OperationLog]:
    qs = OperationLog.objects.filter(action=action)
    if account is not None:
        qs = qs.filter(target_id=str(account.pk))
    return list(qs)


def snapshot(account: User) -> dict[str, Any]:
    """Every stored field of an account (to prove a refused call changed nothing)."""
    fresh = User.objects.get(pk=account.pk)
    return {f.attname: getattr(fresh, f.attname) for f in User._meta.concrete_fields}


def counts() -> tuple[int, int, int]:
    return User.objects.count(), User.history.count(), OperationLog.objects.count()


def new_account(actor: Any = None, **kwargs: Any) -> User:
    data: dict[str, Any] = {
        "username": "zhangsan",
        "full_name": "张三",
        "password": TEST_PASSWORD,
        "role": Role.TOWN_STATION,
        "region": region("341181100"),
    }
    data.update(kwargs)
    return user_create(actor=actor, **data)


@pytest.fixture
def admin(regions: Any, make_user: Any) -> User:
    """The bureau account administrator of 天长市 (341181)."""
    return make_user(Role.BUREAU_ADMIN, "341181", username="tc_admin", full_name="天长管理员")


@pytest.fixture
def sysadmin(regions: Any, make_user: Any) -> User:
    return make_user(Role.SYSTEM_ADMIN, None, username="root_admin", full_name="系统管理员甲")


@pytest.fixture
def other_admin(regions: Any, make_user: Any) -> User:
    """The account administrator of the neighbouring county 明光市 (341182)."""
    return make_user(Role.BUREAU_ADMIN, "341182", username="mg_admin", full_name="明光管理员")


@pytest.fixture
def departments(regions: Any) -> dict[str, Any]:
    county = bureau_save(actor=None, region=regions["county"], name="天长市科学技术局")
    other = bureau_save(actor=None, region=regions["other_county"], name="明光市科学技术局")
    return {
        "plan": department_save(actor=None, bureau=county, name="计划科"),
        "office": department_save(actor=None, bureau=county, name="办公室"),
        "other": department_save(actor=None, bureau=other, name="综合科"),
    }


# ----------------------------------------------------------------------------- user_create


def test_create_account(admin: User) -> None:
    account = new_account(admin, phone="139 1234 5678", email="zs@example.com")
    account.refresh_from_db()
    assert (account.username, account.full_name, account.role, account.region_id) == (
        "zhangsan",
        "张三",
        Role.TOWN_STATION,
        "341181100",
    )
    assert account.phone == "13912345678"  # spaces dropped
    assert account.check_password(TEST_PASSWORD) and account.password != TEST_PASSWORD
    assert account.must_change_password and account.password_changed_at is not None
    assert not account.is_superuser and not account.is_staff
    assert [g.name for g in account.groups.all()] == [group_name(Role.TOWN_STATION)]
    [log] = logs(actions.USER_CREATE, account)
    assert log.actor == admin and log.region_id == "341181100" and log.extra == {"role": Role.TOWN_STATION}
    [row] = account.history.all()
    assert row.history_type == "+" and row.history_user == admin


def test_create_with_department(admin: User, departments: dict[str, Any]) -> None:
    account = new_account(admin, role=Role.BUREAU_STAFF, region=region("341181"), department=departments["plan"])
    assert account.department == departments["plan"]
    before = counts()
    with pytest.raises(BusinessError) as exc:
        new_account(
            admin, username="lisi", role=Role.BUREAU_STAFF, region=region("341181"), department=departments["other"]
        )
    assert exc.value.field == "department" and exc.value.message == "所选科室不属于该区划的科技局。"
    assert counts() == before


def test_create_duplicate_username(admin: User) -> None:
    new_account(admin)
    before = counts()
    with pytest.raises(BusinessError) as exc:
        new_account(admin, username="ZhangSan", full_name="另一个张三")
    assert exc.value.code == "duplicate" and exc.value.field == "username"
    assert exc.value.message == "用户名“ZhangSan”已被使用。"
    assert counts() == before


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Ab1-x", "密码长度太短"),
        ("abcdefghijkl", "至少三类"),
        ("1234567890123", "数字"),
    ],
)
def test_create_weak_password(admin: User, password: str, reason: str) -> None:
    before = counts()
    with pytest.raises(BusinessError) as exc:
        new_account(admin, password=password)
    assert exc.value.code == "weak_password" and exc.value.field == "password"
    assert exc.value.message.startswith("密码不符合要求：") and reason in exc.value.message
    assert not re.search("[A-Za-z]", exc.value.message)  # Chinese, not Django's English
    assert counts() == before


def test_create_out_of_scope_region(admin: User) -> None:
    before = counts()
    with pytest.raises(BusinessError) as exc:
        new_account(admin, region=region("341182"))
    assert exc.value.code == "out_of_scope" and exc.value.field == "region"
    assert exc.value.message == "所选区划不在您的管辖范围内。"
    with pytest.raises(BusinessError):
        new_account(admin, region=region("3411"))  # the city above is out of reach too
    assert counts() == before


def test_bureau_admin_cannot_grant_system_admin(admin: User, sysadmin: User) -> None:
    before = counts()
    with pytest.raises(BusinessError) as exc:
        new_account(admin, role=Role.SYSTEM_ADMIN, region=region("341181"))
    assert exc.value.code == "forbidden" and exc.value.field == "role"
    assert "系统管理员" in exc.value.message
    assert counts() == before
    root = new_account(sysadmin, username="root2", role=Role.SYSTEM_ADMIN, region=None)
    assert root.is_superuser and root.is_staff and root.region_id is None


def test_create_region_rules(admin: User, sysadmin: User) -> None:
    with pytest.raises(BusinessError) as exc:
        new_account(admin, region=None)
    assert exc.value.field == "region" and exc.value.message == "请选择账号所属区划。"
    with pytest.raises(BusinessError) as exc:
        new_account(sysadmin, region=None)  # only a system administrator may have no region
    assert exc.value.field == "region"
    town = region("341181101")
    type(town).objects.filter(pk=town.pk).update(is_active=False)
    with pytest.raises(BusinessError) as exc:
        new_account(admin, region=type(town).objects.get(pk=town.pk))
    assert exc.value.code == "inactive" and exc.value.field == "region"
    assert not User.objects.filter(username="zhangsan").exists()


def test_create_needs_permission(regions: Any, make_user: Any) -> None:
    staff = make_user(Role.BUREAU_STAFF, "341181")
    before = counts()
    with pytest.raises(BusinessError) as exc:
        new_account(staff)
    assert exc.value.code == "forbidden" and exc.value.message == "您没有管理账号的权限。"
    assert counts() == before


def test_create_checks_input(admin: User) -> None:
    for kwargs, field in [
        ({"username": "  "}, "username"),
        ({"username": "张 三!"}, "username"),
        ({"full_name": " "}, "full_name"),
        ({"full_name": "长" * 41}, "full_name"),
        ({"email": "not-an-email"}, "email"),
        ({"phone": "12345"}, "phone"),
        ({"role": "boss"}, "role"),
    ]:
        with pytest.raises(BusinessError) as exc:
            new_account(admin, **kwargs)
        assert exc.value.field == field, kwargs
        assert exc.value.message.endswith("。")
    assert not User.objects.filter(full_name="张三").exists()


@pytest.mark.parametrize(
    "phone",
    [
        "13912345678",
        "+8613912345678",
        "0550-7021234",
        "05507021234",
        "(0550)7021234",
        "021-61234567",
        "7021234",
        "0550-7021234-801",
        "",
    ],
)
def test_phone_accepted(phone: str) -> None:
    assert normalize_phone(phone) == phone


@pytest.mark.parametrize("phone", ["12912345678", "1391234567", "139123456789", "abc", "0550-123", "110"])
def test_phone_refused(phone: str) -> None:
    with pytest.raises(BusinessError) as exc:
        normalize_phone(phone)
    assert exc.value.field == "phone" and "手机号码格式不正确" in exc.value.message


# ----------------------------------------------------------------------------- user_update


def test_update_account(admin: User, departments: dict[str, Any]) -> None:
    account = new_account(admin)
    updated = user_update(
        actor=admin,
        user=account,
        full_name="张三丰",
        role=Role.BUREAU_STAFF,
        region=region("341181"),
        department=departments["office"],
        phone="0550-7021234",
        email="zsf@example.com",
    )
    account.refresh_from_db()
    assert updated.pk == account.pk
    assert (account.full_name, account.role, account.region_id, account.department_id, account.phone) == (
        "张三丰",
        Role.BUREAU_STAFF,
        "341181",
        departments["office"].pk,
        "0550-7021234",
    )
    assert [g.name for g in account.groups.all()] == [group_name(Role.BUREAU_STAFF)]
    [log] = logs(actions.USER_UPDATE, account)
    assert log.actor == admin
    assert log.extra["changes"]["full_name"] == ["张三", "张三丰"]
    assert log.extra["changes"]["region"] == ["341181100", "341181"]
    latest = account.history.first()
    assert latest.history_type == "~" and latest.history_user == admin and latest.full_name == "张三丰"


def test_update_other_county_refused(admin: User, other_admin: User) -> None:
    account = new_account(other_admin, region=region("341182"), username="mg_user")
    before, totals = snapshot(account), counts()
    with pytest.raises(BusinessError) as exc:
        user_update(actor=admin, user=account, full_name="改名", role=account.role, region=region("341181"))
    assert exc.value.code == "out_of_scope" and exc.value.message == "该账号不在您的管辖范围内。"
    assert snapshot(account) == before and counts() == totals


def test_update_into_other_county_refused(admin: User) -> None:
    account = new_account(admin)
    before, totals = snapshot(account), counts()
    with pytest.raises(BusinessError) as exc:
        user_update(actor=admin, user=account, full_name="张三", role=account.role, region=region("341182"))
    assert exc.value.code == "out_of_scope" and exc.value.field == "region"
    with pytest.raises(BusinessError) as exc:
        user_update(actor=admin, user=account, full_name="张三", role=Role.SYSTEM_ADMIN, region=region("341181"))
    assert exc.value.field == "role"
    assert snapshot(account) == before and counts() == totals


def test_update_own_role_refused(admin: User) -> None:
    before = snapshot(admin)
    with pytest.raises(BusinessError) as exc:
        user_update(actor=admin, user=admin, full_name=admin.full_name, role=Role.BUREAU_LEADER, region=admin.region)
    assert exc.value.field == "role" and exc.value.message == "不能修改自己的角色。"
    assert snapshot(admin) == before


def test_bureau_admin_cannot_manage_system_admin(admin: User, sysadmin: User) -> None:
    root = new_account(sysadmin, username="county_root", role=Role.SYSTEM_ADMIN, region=region("341181"))
    before = snapshot(root)
    for call in (
        lambda: user_update(actor=admin, user=root, full_name="x", role=Role.BUREAU_STAFF, region=root.region),
        lambda: user_set_active(actor=admin, user=root, active=False),
        lambda: user_reset_password(actor=admin, user=root, new_password=NEW_PASSWORD),
    ):
        with pytest.raises(BusinessError) as exc:
            call()
        assert exc.value.code == "forbidden"
    assert snapshot(root) == before


# ----------------------------------------------------------------------------- user_set_active


def test_deactivate_and_activate(admin: User) -> None:
    account = new_account(admin)
    user_set_active(actor=admin, user=account, active=False)
    account.refresh_from_db()
    assert not account.is_active
    assert len(logs(actions.USER_DEACTIVATE, account)) == 1
    assert account.history.first().history_user == admin and not account.history.first().is_active
    with pytest.raises(BusinessError) as exc:
        user_set_active(actor=admin, user=account, active=False)
    assert exc.value.code == "no_change"
    user_set_active(actor=admin, user=account, active=True)
    account.refresh_from_db()
    assert account.is_active and len(logs(actions.USER_ACTIVATE, account)) == 1
    assert User.objects.filter(pk=account.pk).exists()  # never deleted


def test_deactivate_self_refused(admin: User) -> None:
    totals = counts()
    with pytest.raises(BusinessError) as exc:
        user_set_active(actor=admin, user=admin, active=False)
    assert exc.value.message == "不能停用或启用自己的账号。"
    admin.refresh_from_db()
    assert admin.is_active and counts() == totals


def test_deactivate_other_county_refused(admin: User, other_admin: User) -> None:
    account = new_account(other_admin, region=region("341182"), username="mg_user")
    totals = counts()
    with pytest.raises(BusinessError) as exc:
        user_set_active(actor=admin, user=account, active=False)
    assert exc.value.code == "out_of_scope"
    account.refresh_from_db()
    assert account.is_active and counts() == totals


# ----------------------------------------------------------------------------- passwords and locks


def test_reset_password(admin: User) -> None:
    account = new_account(admin, must_change_password=False)
    User.objects.filter(pk=account.pk).update(locked_until=timezone.now() + timedelta(minutes=20))
    LoginAttempt.objects.create(username="zhangsan", success=False)
    user_reset_password(actor=admin, user=account, new_password=NEW_PASSWORD)
    account.refresh_from_db()
    assert account.check_password(NEW_PASSWORD) and not account.check_password(TEST_PASSWORD)
    assert account.must_change_password and account.locked_until is None
    assert not LoginAttempt.objects.filter(username="zhangsan", success=False).exists()
    assert len(logs(actions.USER_RESET_PASSWORD, account)) == 1
    assert account.history.first().history_user == admin


def test_reset_password_weak_refused(admin: User) -> None:
    account = new_account(admin)
    before, totals = snapshot(account), counts()
    with pytest.raises(BusinessError) as exc:
        user_reset_password(actor=admin, user=account, new_password="123")
    assert exc.value.code == "weak_password" and "密码长度太短" in exc.value.message
    assert snapshot(account) == before and counts() == totals


def test_unlock(admin: User, make_user: Any) -> None:
    account = new_account(admin)
    User.objects.filter(pk=account.pk).update(locked_until=timezone.now() + timedelta(minutes=20))
    LoginAttempt.objects.bulk_create([LoginAttempt(username="zhangsan", success=False) for _ in range(5)])
    leader = make_user(Role.BUREAU_LEADER, "341181")
    with pytest.raises(BusinessError) as exc:
        user_unlock(actor=leader, user=account)
    assert exc.value.code == "forbidden" and exc.value.message == "您没有解除账号锁定的权限。"
    account.refresh_from_db()
    assert account.locked_until is not None
    user_unlock(actor=admin, user=account)
    account.refresh_from_db()
    assert account.locked_until is None
    assert not LoginAttempt.objects.filter(username="zhangsan").exists()
    [log] = logs(actions.USER_UNLOCK, account)
    assert log.actor == admin
    assert account.history.first().history_user == admin


def test_unlock_other_county_refused(admin: User, other_admin: User) -> None:
    account = new_account(other_admin, region=region("341182"), username="mg_user")
    until = timezone.now() + timedelta(minutes=20)
    User.objects.filter(pk=account.pk).update(locked_until=until)
    with pytest.raises(BusinessError) as exc:
        user_unlock(actor=admin, user=account)
    assert exc.value.code == "out_of_scope"
    account.refresh_from_db()
    assert account.locked_until == until and not logs(actions.USER_UNLOCK)


# ----------------------------------------------------------------------------- list page


@pytest.fixture
def population(admin: User, other_admin: User, departments: dict[str, Any]) -> dict[str, User]:
    return {
        "staff": new_account(
            admin,
            username="tc_staff",
            full_name="天长科员",
            role=Role.BUREAU_STAFF,
            region=region("341181"),
            department=departments["plan"],
            phone="13800000001",
        ),
        "town": new_account(admin, username="tc_town", full_name="天长站员", phone="13900000002"),
        "expert": new_account(
            admin, username="tc_expert", full_name="天长专家", role=Role.EXPERT, region=region("341181")
        ),
        "other": new_account(
            other_admin, username="mg_staff", full_name="明光科员", role=Role.BUREAU_STAFF, region=region("341182")
        ),
    }


def list_body(client: Any, **params: Any) -> str:
    response = client.get(reverse("core:user_list"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_list_shows_own_region_only(client: Any, admin: User, population: dict[str, User]) -> None:
    client.force_login(admin)
    body = list_body(client)
    for name in ("天长科员", "天长站员", "天长专家", "计划科", "乡镇科技站", "天长街道"):
        assert name in body
    assert "明光科员" not in body
    for header in ("用户名", "姓名", "角色", "所属区划", "科室", "手机", "状态", "最后登录"):
        assert f">{header}" in body
    assert "新建账号" in body and reverse("core:user_create") in body
    assert reverse("core:user_detail", args=[population["staff"].pk]) in body


def test_list_search_filters_and_status(client: Any, admin: User, population: dict[str, User]) -> None:
    client.force_login(admin)
    assert "天长站员" in (body := list_body(client, q="tc_town")) and "天长科员" not in body
    assert "天长科员" in (body := list_body(client, q="科员")) and "天长站员" not in body
    assert "天长站员" in (body := list_body(client, q="13900000002")) and "天长专家" not in body
    assert "天长专家" in (body := list_body(client, role=Role.EXPERT)) and "天长科员" not in body
    assert "天长站员" in (body := list_body(client, region="341181100")) and "天长科员" not in body
    assert "明光科员" not in list_body(client, region="341182")  # a region out of scope finds nothing
    user_set_active(actor=admin, user=population["expert"], active=False)
    User.objects.filter(pk=population["town"].pk).update(locked_until=timezone.now() + timedelta(minutes=30))
    body = list_body(client, status="inactive")
    assert "天长专家" in body and "天长科员" not in body and "停用" in body
    body = list_body(client, status="locked")
    assert "天长站员" in body and "天长专家" not in body and "锁定至 " in body
    assert "天长专家" not in list_body(client, status="active")


def test_list_filter_offers_regions_in_scope(client: Any, admin: User, population: dict[str, User]) -> None:
    client.force_login(admin)
    body = list_body(client)
    assert 'name="region"' in body and "js-tomselect" in body
    assert 'value="341181100"' in body and 'value="341182"' not in body


def test_list_sort_and_pages(client: Any, admin: User) -> None:
    for i in range(23):
        new_account(admin, username=f"bulk{i:02d}", full_name=f"批量{i:02d}")
    client.force_login(admin)
    body = list_body(client, sort="-full_name")
    assert body.index("批量22") < body.index("批量21")
    assert "共 24 条" in body and "批量00" not in body  # 20 a page: the last ones go to page 2
    assert "批量00" in list_body(client, sort="-full_name", page=2)


def test_list_export(client: Any, admin: User, population: dict[str, User]) -> None:
    from python_calamine import CalamineWorkbook

    client.force_login(admin)
    response = client.get(reverse("core:user_list"), {"export": "xlsx", "q": "天长"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert rows[0] == ["用户名", "姓名", "角色", "所属区划", "科室", "手机", "状态", "最后登录"]
    names = {r[1] for r in rows[1:]}
    assert names == {"天长科员", "天长站员", "天长专家", "天长管理员"}
    assert ["tc_staff", "天长科员", "科室工作人员", "天长市", "计划科", "13800000001", "启用", ""] in rows
    [log] = logs(actions.EXPORT)
    assert log.actor == admin and log.extra["list"] == "users"


def test_list_without_create_button_for_leader(client: Any, make_user: Any, population: dict[str, User]) -> None:
    client.force_login(make_user(Role.BUREAU_LEADER, "341181"))
    body = list_body(client)
    assert "天长科员" in body and "新建账号" not in body


def test_list_forbidden_without_permission(client: Any, make_user: Any, regions: Any) -> None:
    client.force_login(make_user(Role.TOWN_STATION, "341181100"))
    response = client.get(reverse("core:user_list"))
    assert response.status_code == 403 and "没有权限" in response.content.decode()


# ----------------------------------------------------------------------------- detail page


def test_detail_page(client: Any, admin: User, population: dict[str, User]) -> None:
    account = population["staff"]
    client.force_login(admin)
    body = client.get(reverse("core:user_detail", args=[account.pk])).content.decode()
    for text in ("tc_staff", "天长科员", "科室工作人员", "天长市", "计划科", "13800000001", "启用", "从未登录"):
        assert text in body
    assert "新建账号" in body  # its creation, in the recent operations
    assert reverse("core:history_detail", kwargs={"model": "user", "pk": account.pk}) in body
    assert reverse("core:user_edit", args=[account.pk]) in body
    for name in ("user_reset_password", "user_set_active"):
        url = reverse(f"core:{name}", args=[account.pk])
        assert f'action="{url}" data-confirm="' in body
    assert reverse("core:user_unlock", args=[account.pk]) not in body  # not locked


def test_detail_unlock_button_when_locked(client: Any, admin: User, population: dict[str, User]) -> None:
    account = population["town"]
    User.objects.filter(pk=account.pk).update(locked_until=timezone.now() + timedelta(minutes=30))
    client.force_login(admin)
    body = client.get(reverse("core:user_detail", args=[account.pk])).content.decode()
    assert f'action="{reverse("core:user_unlock", args=[account.pk])}" data-confirm="' in body
    assert "锁定至 " in body and "解除锁定" in body


def test_detail_without_buttons_for_leader(client: Any, make_user: Any, population: dict[str, User]) -> None:
    account = population["staff"]
    client.force_login(make_user(Role.BUREAU_LEADER, "341181"))
    body = client.get(reverse("core:user_detail", args=[account.pk])).content.decode()
    assert "天长科员" in body
    for name in ("user_edit", "user_reset_password", "user_set_active", "user_unlock"):
        assert reverse(f"core:{name}", args=[account.pk]) not in body


def test_detail_own_account_cannot_be_deactivated(client: Any, admin: User) -> None:
    client.force_login(admin)
    body = client.get(reverse("core:user_detail", args=[admin.pk])).content.decode()
    assert reverse("core:user_set_active", args=[admin.pk]) not in body


def test_detail_other_county_is_404(client: Any, admin: User, population: dict[str, User]) -> None:
    client.force_login(admin)
    response = client.get(reverse("core:user_detail", args=[population["other"].pk]))
    assert response.status_code == 404 and "页面不存在" in response.content.decode()
    assert client.get(reverse("core:user_detail", args=[999999])).status_code == 404


# ----------------------------------------------------------------------------- create and edit pages


def create_data(**kwargs: Any) -> dict[str, str]:
    data = {
        "username": "wangwu",
        "full_name": "王五",
        "role": Role.BUREAU_STAFF,
        "region": "341181",
        "department": "",
        "phone": "13700000003",
        "email": "",
        "password": NEW_PASSWORD,
    }
    data.update(kwargs)
    return data


def test_create_page(client: Any, admin: User, departments: dict[str, Any]) -> None:
    client.force_login(admin)
    response = client.get(reverse("core:user_create"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'select name="region"' in body and "js-tomselect" in body
    assert 'value="341181100"' in body and 'value="341182"' not in body and 'value="3411"' not in body
    assert 'value="bureau_admin"' in body and 'value="system_admin"' not in body
    assert "初始密码" in body and "手机" in body and "邮箱" in body
    # the 科室 list follows the chosen region (htmx reloads it with ?region=)
    assert 'hx-get="/accounts/new/"' in body and 'id="department-field"' in body
    body = client.get(reverse("core:user_create"), {"region": "341181"}).content.decode()
    assert "计划科" in body and "综合科" not in body
    body = client.get(reverse("core:user_create"), {"region": "341182"}).content.decode()
    assert "综合科" not in body  # a region out of scope shows no departments


def test_create_page_saves(client: Any, admin: User, departments: dict[str, Any]) -> None:
    client.force_login(admin)
    response = client.post(reverse("core:user_create"), create_data(department=str(departments["plan"].pk)))
    account = User.objects.get(username="wangwu")
    assert response.status_code == 302 and response["Location"] == reverse("core:user_detail", args=[account.pk])
    assert account.department == departments["plan"] and account.must_change_password
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["已新建账号“wangwu”，首次登录时须修改初始密码。"]
    assert logs(actions.USER_CREATE, account)[0].actor == admin


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"password": "abc"}, "password", "密码长度太短"),
        ({"region": "341182"}, "region", "所选区划不存在或不在您的管辖范围内。"),
        ({"region": "3411"}, "region", "所选区划不存在或不在您的管辖范围内。"),
        ({"region": ""}, "region", "请选择账号所属区划。"),
        ({"role": "system_admin"}, "role", "所选角色无效，或您无权授予该角色。"),
        ({"phone": "1234"}, "phone", "手机号码格式不正确"),
        ({"email": "a@"}, "email", "邮箱格式不正确"),
        ({"username": ""}, "username", "请填写用户名。"),
        ({"department": "other"}, "department", "所选科室不属于所选区划"),
    ],
)
def test_create_page_errors(
    client: Any, admin: User, departments: dict[str, Any], data: dict[str, str], field: str, message: str
) -> None:
    if data.get("department") == "other":
        data = {"department": str(departments["other"].pk)}
    client.force_login(admin)
    totals = counts()
    response = client.post(reverse("core:user_create"), create_data(**data))
    assert response.status_code == 400
    body = response.content.decode()
    assert f'data-testid="error-{field}">' in body and message in body
    assert counts() == totals


def test_create_page_duplicate_username(client: Any, admin: User) -> None:
    new_account(admin, username="wangwu")
    client.force_login(admin)
    totals = counts()
    response = client.post(reverse("core:user_create"), create_data(username="WANGWU"))
    assert response.status_code == 400
    assert 'data-testid="error-username">用户名“WANGWU”已被使用。' in response.content.decode()
    assert counts() == totals


def test_create_page_forbidden(client: Any, make_user: Any, regions: Any) -> None:
    client.force_login(make_user(Role.BUREAU_LEADER, "341181"))
    assert client.get(reverse("core:user_create")).status_code == 403
    assert client.post(reverse("core:user_create"), create_data()).status_code == 403
    assert not User.objects.filter(username="wangwu").exists()


def test_system_admin_may_grant_system_admin(client: Any, sysadmin: User) -> None:
    client.force_login(sysadmin)
    assert 'value="system_admin"' in client.get(reverse("core:user_create")).content.decode()
    response = client.post(reverse("core:user_create"), create_data(role="system_admin", region=""))
    assert response.status_code == 302
    assert User.objects.get(username="wangwu").is_superuser


def test_edit_page(client: Any, admin: User, population: dict[str, User], departments: dict[str, Any]) -> None:
    account = population["town"]
    client.force_login(admin)
    body = client.get(reverse("core:user_edit", args=[account.pk])).content.decode()
    assert "天长站员" in body and 'name="password"' not in body and 'name="username"' not in body
    data = {
        "full_name": "天长科长",
        "role": Role.BUREAU_STAFF,
        "region": "341181",
        "department": str(departments["office"].pk),
        "phone": "0550-7021234",
        "email": "kz@example.com",
    }
    response = client.post(reverse("core:user_edit", args=[account.pk]), data)
    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.full_name, account.role, account.region_id, account.department_id) == (
        "天长科长",
        Role.BUREAU_STAFF,
        "341181",
        departments["office"].pk,
    )
    assert account.history.first().history_user == admin
    assert logs(actions.USER_UPDATE, account)[0].actor == admin


def test_edit_page_forged_region_changes_nothing(client: Any, admin: User, population: dict[str, User]) -> None:
    account = population["town"]
    client.force_login(admin)
    before, totals = snapshot(account), counts()
    response = client.post(
        reverse("core:user_edit", args=[account.pk]), {"full_name": "改名", "role": account.role, "region": "341182"}
    )
    assert response.status_code == 400
    assert "所选区划不存在或不在您的管辖范围内。" in response.content.decode()
    assert snapshot(account) == before and counts() == totals


def test_edit_page_own_role_error_on_field(client: Any, admin: User) -> None:
    client.force_login(admin)
    response = client.post(
        reverse("core:user_edit", args=[admin.pk]),
        {"full_name": admin.full_name, "role": Role.BUREAU_STAFF, "region": "341181"},
    )
    assert response.status_code == 400
    assert 'data-testid="error-role">不能修改自己的角色。' in response.content.decode()
    admin.refresh_from_db()
    assert admin.role == Role.BUREAU_ADMIN


def test_edit_page_other_county_is_404(client: Any, admin: User, population: dict[str, User]) -> None:
    account = population["other"]
    client.force_login(admin)
    before = snapshot(account)
    assert client.get(reverse("core:user_edit", args=[account.pk])).status_code == 404
    response = client.post(
        reverse("core:user_edit", args=[account.pk]), {"full_name": "改名", "role": account.role, "region": "341181"}
    )
    assert response.status_code == 404
    assert snapshot(account) == before


# ----------------------------------------------------------------------------- action views


def test_actions_need_post(client: Any, admin: User, population: dict[str, User]) -> None:
    client.force_login(admin)
    for name in ("user_reset_password", "user_unlock", "user_set_active"):
        assert client.get(reverse(f"core:{name}", args=[population["town"].pk])).status_code == 405


def test_action_views(client: Any, admin: User, population: dict[str, User]) -> None:
    account = population["town"]
    detail = reverse("core:user_detail", args=[account.pk])
    client.force_login(admin)

    response = client.post(reverse("core:user_set_active", args=[account.pk]), {"active": "0"})
    assert response.status_code == 302 and response["Location"] == detail
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["已停用账号“tc_town”。"]
    account.refresh_from_db()
    assert not account.is_active
    response = client.post(reverse("core:user_set_active", args=[account.pk]), {"active": "1"}, follow=True)
    assert "已启用账号“tc_town”。" in response.content.decode()

    response = client.post(reverse("core:user_reset_password", args=[account.pk]), {"new_password": "123"}, follow=True)
    assert "密码不符合要求" in response.content.decode()
    response = client.post(reverse("core:user_reset_password", args=[account.pk]), {"new_password": NEW_PASSWORD})
    assert response["Location"] == detail
    account.refresh_from_db()
    assert account.check_password(NEW_PASSWORD)

    User.objects.filter(pk=account.pk).update(locked_until=timezone.now() + timedelta(minutes=30))
    response = client.post(reverse("core:user_unlock", args=[account.pk]), follow=True)
    assert "已解除账号“tc_town”的锁定。" in response.content.decode()
    account.refresh_from_db()
    assert account.locked_until is None
    assert [log.action for log in OperationLog.objects.filter(target_id=str(account.pk)).order_by("id")] == [
        actions.USER_CREATE,
        actions.USER_DEACTIVATE,
        actions.USER_ACTIVATE,
        actions.USER_RESET_PASSWORD,
        actions.USER_UNLOCK,
    ]


def test_action_views_refusals(client: Any, admin: User, population: dict[str, User], make_user: Any) -> None:
    client.force_login(admin)
    response = client.post(reverse("core:user_set_active", args=[admin.pk]), {"active": "0"}, follow=True)
    assert "不能停用或启用自己的账号。" in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active
    response = client.post(reverse("core:user_set_active", args=[population["town"].pk]), {"active": "x"}, follow=True)
    assert "操作无效" in response.content.decode()
    other = population["other"]
    for name in ("user_reset_password", "user_unlock", "user_set_active"):
        response = client.post(reverse(f"core:{name}", args=[other.pk]), {"active": "0", "new_password": NEW_PASSWORD})
        assert response.status_code == 404
    other.refresh_from_db()
    assert other.is_active and other.check_password(TEST_PASSWORD)
    client.force_login(make_user(Role.BUREAU_LEADER, "341181"))
    town = population["town"]
    for name in ("user_reset_password", "user_unlock", "user_set_active"):
        response = client.post(reverse(f"core:{name}", args=[town.pk]), {"active": "0", "new_password": NEW_PASSWORD})
        assert response.status_code == 403
    town.refresh_from_db()
    assert town.is_active and town.check_password(TEST_PASSWORD)


# ----------------------------------------------------------------------------- permission matrix


def _matrix_account(region_code: str) -> User:
    return user_create(
        actor=None,
        username=f"target{region_code}",
        full_name="矩阵目标账号",
        password=TEST_PASSWORD,
        role=Role.BUREAU_STAFF,
        region=region(region_code),
    )


ENDPOINTS = [
    Endpoint(
        "user_list",
        perm="core.view_user",
        make=_matrix_account,
        detail=False,
        url=lambda obj: reverse("core:user_list"),
        marker=lambda obj: obj.full_name,
    ),
    Endpoint(
        "user_detail",
        perm="core.view_user",
        make=_matrix_account,
        url=lambda obj: reverse("core:user_detail", args=[obj.pk]),
        marker=lambda obj: obj.full_name,
    ),
    Endpoint(
        "user_edit",
        perm="core.change_user",
        make=_matrix_account,
        url=lambda obj: reverse("core:user_edit", args=[obj.pk]),
        marker=lambda obj: obj.full_name,
    ),
]


@pytest.mark.parametrize("case", matrix_cases(ENDPOINTS), ids=str)
def test_permission_matrix(case: Any, client: Any) -> None:
    run_matrix_case(case, client)


def test_create_page_shows_all_errors_at_once(client: Any, admin: User) -> None:
    client.force_login(admin)
    response = client.post(reverse("core:user_create"), create_data(password="wangwu", region="341182", phone="1"))
    body = response.content.decode()
    assert response.status_code == 400
    for field in ("password", "region", "phone"):
        assert f'data-testid="error-{field}">' in body
    assert "密码不符合要求" in body and not User.objects.filter(username="wangwu").exists()
