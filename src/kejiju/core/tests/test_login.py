"""Login security: the login page, throttling and lockout, passwords, logout, sessions, CSRF and
the region switcher."""

from __future__ import annotations

import importlib
import re
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from kejiju.core import actions
from kejiju.core.choices import Role
from kejiju.core.middleware import SESSION_KEY as REGION_SESSION_KEY
from kejiju.core.models import LoginAttempt, OperationLog, User
from kejiju.core.services.accounts import user_create, user_set_active
from kejiju.core.testing.factories import TEST_PASSWORD, region

pytestmark = pytest.mark.django_db

LOGIN = reverse("core:login")
LIMIT = 5
NEW_PASSWORD = "Xin-mima-2026"


@pytest.fixture
def account(regions: Any) -> User:
    return user_create(
        actor=None,
        username="zhangsan",
        full_name="张三",
        password=TEST_PASSWORD,
        role=Role.BUREAU_STAFF,
        region=regions["county"],
        must_change_password=False,
    )


@pytest.fixture
def admin(regions: Any, make_user: Any) -> User:
    return make_user(Role.BUREAU_ADMIN, "341181", username="tc_admin", full_name="天长管理员")


def login(client: Any, username: str, password: str, **extra: Any) -> Any:
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def error_of(response: Any) -> str:
    match = re.search(r'data-testid="login-error">([^<]*)<', response.content.decode())
    return match.group(1) if match else ""


def actions_logged(action: str) -> list[OperationLog]:
    return list(OperationLog.objects.filter(action=action).order_by("id"))


def test_settings_are_the_expected_ones() -> None:
    assert settings.KEJIJU_LOGIN_FAILURE_LIMIT == LIMIT
    assert settings.KEJIJU_LOGIN_LOCKOUT_MINUTES == 30


# ----------------------------------------------------------------------------- login page


def test_login_page_is_chinese(client: Any) -> None:
    response = client.get(LOGIN)
    body = response.content.decode()
    assert response.status_code == 200
    for text in ('lang="zh-CN"', "科技局业务管理平台", "用户名", "密码", "登录", "请使用本单位分配的账号登录"):
        assert text in body
    assert 'name="csrfmiddlewaretoken"' in body


def test_login_success(client: Any, account: User) -> None:
    response = login(client, "zhangsan", TEST_PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session[AUTH_SESSION_KEY] == str(account.pk)
    [log] = actions_logged(actions.LOGIN)
    assert log.actor == account and log.target_id == str(account.pk) and log.ip_address == "127.0.0.1"
    assert LoginAttempt.objects.filter(username="zhangsan", success=True).count() == 1
    account.refresh_from_db()
    assert account.last_login is not None
    assert client.get(reverse("core:home")).status_code == 200


def test_login_is_case_insensitive_and_follows_safe_next(client: Any, account: User) -> None:
    response = login(client, "ZhangSan", TEST_PASSWORD, next="/accounts/")
    assert response.status_code == 302 and response["Location"] == "/accounts/"
    client.logout()
    response = login(client, "zhangsan", TEST_PASSWORD, next="https://evil.example/steal")
    assert response["Location"] == "/"


def test_login_empty_fields(client: Any) -> None:
    response = login(client, "", "")
    assert response.status_code == 400 and error_of(response) == "请输入用户名和密码。"
    assert not LoginAttempt.objects.exists()


def test_wrong_password(client: Any, account: User) -> None:
    response = login(client, "zhangsan", "Wrong-password-1")
    assert response.status_code == 400
    assert error_of(response) == "用户名或密码不正确。再失败 4 次，账号将被锁定 30 分钟。"
    assert AUTH_SESSION_KEY not in client.session
    [log] = actions_logged(actions.LOGIN_FAILED)
    assert log.actor is None and log.actor_repr == "zhangsan" and log.target_id == str(account.pk)
    assert log.extra == {"failures": 1} and log.region_id == "341181"
    response = login(client, "zhangsan", "Wrong-password-2")
    assert "再失败 3 次" in error_of(response)
    assert LoginAttempt.objects.filter(username="zhangsan", success=False).count() == 2


def test_success_clears_failures(client: Any, account: User) -> None:
    for _ in range(LIMIT - 1):
        login(client, "zhangsan", "Wrong-password-1")
    assert login(client, "zhangsan", TEST_PASSWORD).status_code == 302
    assert not LoginAttempt.objects.filter(username="zhangsan", success=False).exists()
    client.logout()
    assert "再失败 4 次" in error_of(login(client, "zhangsan", "Wrong-password-1"))


# ----------------------------------------------------------------------------- lockout


def lock_out(client: Any, username: str) -> Any:
    response = None
    for _ in range(LIMIT):
        response = login(client, username, "Wrong-password-1")
    return response


LOCKED_MSG = "该账号因多次登录失败已被锁定，请 30 分钟后再试，或联系管理员解锁。"


def test_lockout_after_limit(client: Any, account: User) -> None:
    before = timezone.now()
    response = lock_out(client, "zhangsan")
    assert response.status_code == 400 and error_of(response) == LOCKED_MSG
    account.refresh_from_db()
    assert account.locked_until is not None
    assert before + timedelta(minutes=29) < account.locked_until <= timezone.now() + timedelta(minutes=30)
    [locked] = actions_logged(actions.LOGIN_LOCKED)
    assert locked.target_id == str(account.pk) and locked.extra == {"failures": LIMIT}
    assert account.history.first().history_change_reason == "登录失败次数过多"
    # even the right password is refused while locked, and the refusal is logged
    response = login(client, "zhangsan", TEST_PASSWORD)
    assert response.status_code == 400 and error_of(response) == LOCKED_MSG
    assert AUTH_SESSION_KEY not in client.session
    assert actions_logged(actions.LOGIN_FAILED)[-1].extra == {"reason": "locked"}
    assert not actions_logged(actions.LOGIN)


def test_unknown_username_is_throttled_alike(client: Any, account: User) -> None:
    known = [error_of(login(client, "zhangsan", "Wrong-password-1")) for _ in range(LIMIT + 1)]
    unknown = [error_of(login(client, "nobody", "Wrong-password-1")) for _ in range(LIMIT + 1)]
    assert known == unknown  # the answers never tell whether the account exists
    assert unknown[-2:] == [LOCKED_MSG, LOCKED_MSG]
    # once throttled, even a password nobody could know is not checked
    assert error_of(login(client, "nobody", TEST_PASSWORD)) == LOCKED_MSG
    assert LoginAttempt.objects.filter(username="nobody", success=False).count() == LIMIT + 2
    assert not User.objects.filter(username="nobody").exists()


def test_unlock_by_admin_lets_the_user_in(client: Any, account: User, admin: User) -> None:
    lock_out(client, "zhangsan")
    admin_client = Client()
    admin_client.force_login(admin)
    response = admin_client.post(reverse("core:user_unlock", args=[account.pk]))
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.locked_until is None
    assert actions_logged(actions.USER_UNLOCK)[0].actor == admin
    assert login(client, "zhangsan", TEST_PASSWORD).status_code == 302
    assert client.session[AUTH_SESSION_KEY] == str(account.pk)


def test_lockout_expires(client: Any, account: User) -> None:
    lock_out(client, "zhangsan")
    # no clock tricks: move the lock (and the failures behind it) into the past
    User.objects.filter(pk=account.pk).update(locked_until=timezone.now() - timedelta(minutes=1))
    LoginAttempt.objects.filter(username="zhangsan").update(created_at=timezone.now() - timedelta(minutes=31))
    assert login(client, "zhangsan", TEST_PASSWORD).status_code == 302
    assert actions_logged(actions.LOGIN)[0].actor == account


@override_settings(KEJIJU_LOGIN_FAILURE_WINDOW_MINUTES=120)
def test_expired_lockout_gives_fresh_attempts(client: Any, account: User) -> None:
    lock_out(client, "zhangsan")
    LoginAttempt.objects.filter(username="zhangsan").update(created_at=timezone.now() - timedelta(minutes=40))
    User.objects.filter(pk=account.pk).update(locked_until=timezone.now() - timedelta(minutes=10))
    # the old failures are still inside the (long) window, but they led to a lock that is over
    assert "再失败 4 次" in error_of(login(client, "zhangsan", "Wrong-password-1"))
    account.refresh_from_db()
    assert account.locked_until < timezone.now()


def test_inactive_account_refused(client: Any, account: User, admin: User) -> None:
    user_set_active(actor=admin, user=account, active=False)
    response = login(client, "zhangsan", TEST_PASSWORD)
    assert response.status_code == 400 and error_of(response) == "该账号已停用，请联系管理员。"
    assert AUTH_SESSION_KEY not in client.session and not actions_logged(actions.LOGIN)
    # a wrong password tells nothing about the state of the account
    assert error_of(login(client, "zhangsan", "Wrong-password-1")).startswith("用户名或密码不正确。")


def test_deactivated_account_loses_its_session(client: Any, account: User, admin: User) -> None:
    login(client, "zhangsan", TEST_PASSWORD)
    assert client.get(reverse("core:home")).status_code == 200
    user_set_active(actor=admin, user=account, active=False)
    response = client.get(reverse("core:home"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


# ----------------------------------------------------------------------------- passwords


def test_must_change_password_redirects(client: Any, regions: Any, admin: User) -> None:
    user_create(
        actor=admin,
        username="lisi",
        full_name="李四",
        password=TEST_PASSWORD,
        role=Role.BUREAU_STAFF,
        region=regions["county"],
    )
    response = login(client, "lisi", TEST_PASSWORD, next="/accounts/")
    assert response.status_code == 302 and response["Location"] == reverse("core:password_change")
    response = client.get(response["Location"])
    assert "您的密码由管理员设置，请立即修改。" in response.content.decode()


def change(client: Any, old: str, new: str, new2: str | None = None) -> Any:
    return client.post(
        reverse("core:password_change"),
        {"old_password": old, "new_password": new, "new_password2": new if new2 is None else new2},
    )


def test_password_change(client: Any, account: User) -> None:
    User.objects.filter(pk=account.pk).update(must_change_password=True)
    client.force_login(account)
    assert "修改密码" in client.get(reverse("core:password_change")).content.decode()
    response = change(client, TEST_PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    account.refresh_from_db()
    assert account.check_password(NEW_PASSWORD) and not account.must_change_password
    assert actions_logged(actions.USER_PASSWORD)[0].actor == account
    assert account.history.first().history_user == account
    # the session survives its own password change
    assert client.get(reverse("core:home")).status_code == 200


@pytest.mark.parametrize(
    ("old", "new", "new2", "message"),
    [
        ("Wrong-old-pass-1", NEW_PASSWORD, None, "原密码不正确。"),
        (TEST_PASSWORD, NEW_PASSWORD, "Xin-mima-2027", "两次输入的新密码不一致。"),
        (TEST_PASSWORD, "short1A", None, "密码长度太短"),
        (TEST_PASSWORD, "abcdefghijklmn", None, "至少三类"),
        (TEST_PASSWORD, "12345678901234", None, "密码只包含数字"),
        (TEST_PASSWORD, TEST_PASSWORD, None, "新密码不能与原密码相同。"),
    ],
)
def test_password_change_rules(client: Any, account: User, old: str, new: str, new2: str | None, message: str) -> None:
    client.force_login(account)
    before = User.objects.get(pk=account.pk).password
    response = change(client, old, new, new2)
    body = response.content.decode()
    assert response.status_code == 400 and message in body
    assert 'class="alert alert-danger"' in body
    assert User.objects.get(pk=account.pk).password == before
    assert not actions_logged(actions.USER_PASSWORD)


def test_password_change_needs_login(client: Any) -> None:
    response = client.get(reverse("core:password_change"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


# ----------------------------------------------------------------------------- logout and sessions


def test_logout_requires_post(client: Any, account: User) -> None:
    client.force_login(account)
    assert client.get(reverse("core:logout")).status_code == 405
    assert AUTH_SESSION_KEY in client.session
    response = client.post(reverse("core:logout"))
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert AUTH_SESSION_KEY not in client.session
    [log] = actions_logged(actions.LOGOUT)
    assert log.actor == account
    assert client.get(reverse("core:home")).status_code == 302


def test_session_expiry_settings(client: Any, account: User) -> None:
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True
    response = login(client, "zhangsan", TEST_PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == "" and cookie["max-age"] == ""  # gone when the browser closes
    assert cookie["httponly"]
    assert client.session.get_expire_at_browser_close()


def test_passwords_hashed_with_argon2_outside_tests(regions: Any) -> None:
    base = importlib.import_module("kejiju.config.settings.base")
    dev = importlib.import_module("kejiju.config.settings.dev")
    argon2 = "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert base.PASSWORD_HASHERS[0] == argon2 and dev.PASSWORD_HASHERS[0] == argon2
    prod_source = importlib.util.find_spec("kejiju.config.settings.prod").origin
    assert "PASSWORD_HASHERS" not in open(prod_source, encoding="utf-8").read()  # prod keeps base's list
    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        user = user_create(
            actor=None,
            username="argon",
            full_name="哈希",
            password=TEST_PASSWORD,
            role=Role.BUREAU_STAFF,
            region=regions["county"],
        )
        assert user.password.startswith("argon2$")
        assert Client().post(LOGIN, {"username": "argon", "password": TEST_PASSWORD}).status_code == 302


# ----------------------------------------------------------------------------- CSRF


def test_login_enforces_csrf(account: User) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"username": "zhangsan", "password": TEST_PASSWORD})
    assert response.status_code == 403
    assert AUTH_SESSION_KEY not in client.session and not actions_logged(actions.LOGIN)
    page = client.get(LOGIN).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(LOGIN, {"username": "zhangsan", "password": TEST_PASSWORD, "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and client.session[AUTH_SESSION_KEY] == str(account.pk)


# ----------------------------------------------------------------------------- region switcher


@pytest.fixture
def county_accounts(regions: Any) -> None:
    for username, name, code in (("tc_a", "天长甲", "341181"), ("mg_b", "明光乙", "341182")):
        user_create(
            actor=None,
            username=username,
            full_name=name,
            password=TEST_PASSWORD,
            role=Role.BUREAU_STAFF,
            region=region(code),
        )


def switch(client: Any, code: str) -> Any:
    return client.post(reverse("core:region_switch"), {"region": code, "next": reverse("core:user_list")}, follow=True)


def test_city_user_switches_to_a_county(client: Any, make_user: Any, county_accounts: None) -> None:
    leader = make_user(Role.BUREAU_LEADER, "3411", full_name="滁州领导")
    client.force_login(leader)
    body = client.get(reverse("core:user_list")).content.decode()
    assert "天长甲" in body and "明光乙" in body and 'data-testid="region-switcher"' in body
    response = switch(client, "341181")
    body = response.content.decode()
    assert client.session[REGION_SESSION_KEY] == "341181"
    assert "天长甲" in body and "明光乙" not in body
    assert client.get(reverse("core:user_list"), {"q": "明光"}).content.decode().count("明光乙") == 0
    # back to the whole city
    body = switch(client, "3411").content.decode()
    assert REGION_SESSION_KEY not in client.session and "明光乙" in body


def test_forged_region_is_refused(client: Any, make_user: Any, county_accounts: None) -> None:
    region("3412", "蚌埠市")
    leader = make_user(Role.BUREAU_LEADER, "3411")
    client.force_login(leader)
    switch(client, "341181")
    body = switch(client, "3412").content.decode()
    assert "所选区划不在您的管辖范围内。" in body
    assert client.session[REGION_SESSION_KEY] == "341181"  # unchanged
    assert "天长甲" in body and "明光乙" not in body
    # a forged value planted in the session is dropped, never obeyed
    session = client.session
    session[REGION_SESSION_KEY] = "3412"
    session.save()
    body = client.get(reverse("core:user_list")).content.decode()
    assert "天长甲" in body and "明光乙" in body
    assert REGION_SESSION_KEY not in client.session


def test_city_user_cannot_switch_below_county(client: Any, make_user: Any, county_accounts: None) -> None:
    client.force_login(make_user(Role.BUREAU_LEADER, "3411"))
    body = switch(client, "341181100").content.decode()
    assert "不能切换" in body and REGION_SESSION_KEY not in client.session


def test_county_user_cannot_switch(client: Any, make_user: Any, county_accounts: None) -> None:
    user = make_user(Role.BUREAU_ADMIN, "341181")
    client.force_login(user)
    assert 'data-testid="region-switcher"' not in client.get(reverse("core:user_list")).content.decode()
    body = switch(client, "341181100").content.decode()
    assert "您的账号所属区划不能再切换。" in body
    assert REGION_SESSION_KEY not in client.session
    assert "天长甲" in body  # still the whole county
    body = switch(client, "341182").content.decode()
    assert REGION_SESSION_KEY not in client.session and "明光乙" not in body


def test_switch_needs_post_and_login(client: Any, make_user: Any, regions: Any) -> None:
    response = client.post(reverse("core:region_switch"), {"region": "341181"})
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    client.force_login(make_user(Role.BUREAU_LEADER, "3411"))
    assert client.get(reverse("core:region_switch")).status_code == 405


def test_must_change_password_blocks_every_method(client: Any, regions: Any, admin: User) -> None:
    """Not only pages: a form post or a session API call waits for the new password too."""
    from rest_framework.authtoken.models import Token

    from kejiju.core.services.accounts import token_create, user_reset_password

    account = user_create(
        actor=admin,
        username="wangwu",
        full_name="王五",
        password=TEST_PASSWORD,
        role=Role.BUREAU_STAFF,
        region=regions["county"],
        must_change_password=False,
    )
    token_create(actor=account)
    user_reset_password(actor=admin, user=account, new_password="Reset-" + TEST_PASSWORD)
    assert not Token.objects.filter(user=account).exists()
    login(client, "wangwu", "Reset-" + TEST_PASSWORD)
    before = User.objects.filter(username="someone-new").exists()
    response = client.post("/accounts/new/", {"username": "someone-new"})
    assert response.status_code == 302 and response["Location"] == reverse("core:password_change")
    response = client.get("/api/v1/regions/")
    assert response.status_code == 403 and response.json()["code"] == "must_change_password"
    response = client.post("/api/v1/regions/", {}, content_type="application/json")
    assert response.status_code == 403
    assert User.objects.filter(username="someone-new").exists() == before
    assert client.get(reverse("core:password_change")).status_code == 200
