"""Accounts: create, update, passwords, lock and unlock, tokens, and login throttling."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from kejiju.core import actions
from kejiju.core.audit import log_operation
from kejiju.core.choices import Role
from kejiju.core.errors import BusinessError
from kejiju.core.history import acting
from kejiju.core.models import Department, LoginAttempt, Region, User
from kejiju.core.permissions import account_region_code, can_manage_region
from kejiju.core.roles import sync_user_groups

#: Roles a bureau account administrator may grant (never system administrator).
GRANTABLE_BY_BUREAU_ADMIN = [r for r in Role if r != Role.SYSTEM_ADMIN]


def _check_can_manage(actor: User, region_code: str | None, role: str) -> None:
    if not actor.has_perm("core.add_user") and not actor.has_perm("core.change_user"):
        raise BusinessError("您没有管理账号的权限。", code="forbidden")
    if role == Role.SYSTEM_ADMIN and not actor.is_superuser:
        raise BusinessError("只有系统管理员可以设置“系统管理员”角色。", code="forbidden", field="role")
    if region_code is None:
        if not actor.is_superuser:
            raise BusinessError("请选择账号所属区划。", code="required", field="region")
        return
    if not can_manage_region(actor, region_code):
        raise BusinessError("所选区划不在您的管辖范围内。", code="out_of_scope", field="region")


def _validate_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise BusinessError("密码不符合要求：" + "".join(exc.messages), code="weak_password", field="password") from exc


def _check_department(department: Department | None, region_code: str | None) -> None:
    if department is not None and department.region_id != region_code:
        raise BusinessError("所选科室不属于该区划的科技局。", code="invalid", field="department")


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    full_name: str,
    password: str,
    role: str,
    region: Region | None,
    department: Department | None = None,
    phone: str = "",
    email: str = "",
    must_change_password: bool = True,
) -> User:
    """Create an account within the actor's region (or anywhere for a system administrator;
    ``actor=None`` is the system itself: setup commands and demo data). Raises
    :class:`BusinessError` for a taken username, a weak password, a role the actor may not
    grant, or a region outside the actor's scope."""
    username = username.strip()
    region_code = region.code if region else None
    if actor is not None:
        _check_can_manage(actor, region_code, role)
    if role not in Role.values:
        raise BusinessError("角色无效。", code="invalid", field="role")
    if not username:
        raise BusinessError("请填写用户名。", code="required", field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise BusinessError("用户名“%(name)s”已被使用。" % {"name": username}, code="duplicate", field="username")
    if not full_name.strip():
        raise BusinessError("请填写姓名。", code="required", field="full_name")
    _check_department(department, region_code)
    user = User(
        username=username,
        full_name=full_name.strip(),
        role=role,
        region=region,
        department=department,
        phone=phone.strip(),
        email=email.strip(),
        must_change_password=must_change_password,
        is_staff=role == Role.SYSTEM_ADMIN,
        is_superuser=role == Role.SYSTEM_ADMIN,
    )
    _validate_password(password, user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    with acting(actor):
        user.save()
    sync_user_groups(user)
    log_operation(actor=actor, action=actions.USER_CREATE, target=user, region=region_code, extra={"role": role})
    return user


@transaction.atomic
def user_update(
    *,
    actor: User,
    user: User,
    full_name: str,
    role: str,
    region: Region | None,
    department: Department | None = None,
    phone: str = "",
    email: str = "",
) -> User:
    """Change an account's name, role, region or contact details; the same scope rules as
    :func:`user_create` apply to both the old and the new region."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    _check_can_manage(actor, locked.region_id, locked.role)
    region_code = region.code if region else None
    _check_can_manage(actor, region_code, role)
    if role not in Role.values:
        raise BusinessError("角色无效。", code="invalid", field="role")
    if not full_name.strip():
        raise BusinessError("请填写姓名。", code="required", field="full_name")
    if locked.pk == actor.pk and role != locked.role:
        raise BusinessError("不能修改自己的角色。", code="forbidden", field="role")
    _check_department(department, region_code)
    before = {"role": locked.role, "region": locked.region_id, "full_name": locked.full_name}
    locked.full_name = full_name.strip()
    locked.role = role
    locked.region = region
    locked.department = department
    locked.phone = phone.strip()
    locked.email = email.strip()
    locked.is_staff = locked.is_superuser = role == Role.SYSTEM_ADMIN
    with acting(actor):
        locked.save()
    sync_user_groups(locked)
    log_operation(actor=actor, action=actions.USER_UPDATE, target=locked, extra={"before": before})
    return locked


@transaction.atomic
def user_set_active(*, actor: User, user: User, active: bool) -> User:
    """Disable (停用) or enable an account. Accounts are never deleted."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    _check_can_manage(actor, locked.region_id, locked.role)
    if locked.pk == actor.pk:
        raise BusinessError("不能停用自己的账号。", code="forbidden")
    locked.is_active = active
    with acting(actor):
        locked.save(update_fields=["is_active"])
    log_operation(actor=actor, action=actions.USER_ACTIVATE if active else actions.USER_DEACTIVATE, target=locked)
    return locked


@transaction.atomic
def user_change_password(*, actor: User, old_password: str, new_password: str) -> User:
    """The account holder changes their own password; the old one must be right."""
    locked = User.objects.select_for_update().get(pk=actor.pk)
    if not locked.check_password(old_password):
        raise BusinessError("原密码不正确。", code="wrong_password", field="old_password")
    if old_password == new_password:
        raise BusinessError("新密码不能与原密码相同。", code="same_password", field="new_password")
    _validate_password(new_password, locked)
    locked.set_password(new_password)
    locked.must_change_password = False
    locked.password_changed_at = timezone.now()
    with acting(actor):
        locked.save()
    log_operation(actor=actor, action=actions.USER_PASSWORD, target=locked)
    return locked


@transaction.atomic
def user_reset_password(*, actor: User, user: User, new_password: str) -> User:
    """An account administrator sets a new password; the holder must change it at next login."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    _check_can_manage(actor, locked.region_id, locked.role)
    _validate_password(new_password, locked)
    locked.set_password(new_password)
    locked.must_change_password = True
    locked.password_changed_at = timezone.now()
    locked.locked_until = None
    with acting(actor):
        locked.save()
    log_operation(actor=actor, action=actions.USER_RESET_PASSWORD, target=locked)
    return locked


@transaction.atomic
def user_unlock(*, actor: User, user: User) -> User:
    """Lift a lockout caused by repeated login failures."""
    if not actor.has_perm("core.unlock_user"):
        raise BusinessError("您没有解除锁定的权限。", code="forbidden")
    locked = User.objects.select_for_update().get(pk=user.pk)
    if not can_manage_region(actor, locked.region_id or "") and not actor.is_superuser:
        raise BusinessError("该账号不在您的管辖范围内。", code="out_of_scope")
    locked.locked_until = None
    with acting(actor):
        locked.save(update_fields=["locked_until"])
    LoginAttempt.objects.filter(username__iexact=locked.username, success=False).delete()
    log_operation(actor=actor, action=actions.USER_UNLOCK, target=locked)
    return locked


@transaction.atomic
def token_create(*, actor: User) -> str:
    """Issue (or replace) the actor's API token; returns the key, shown once."""
    Token.objects.filter(user=actor).delete()
    token = Token.objects.create(user=actor)
    log_operation(actor=actor, action=actions.TOKEN_CREATE, target=actor)
    return token.key


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    error: str = ""


def _recent_failures(username: str, since: Any) -> int:
    return LoginAttempt.objects.filter(username__iexact=username, success=False, created_at__gte=since).count()


def login_attempt(*, username: str, password: str, ip_address: str | None, request: Any = None) -> LoginResult:
    """Check a login. Every attempt is recorded; after ``KEJIJU_LOGIN_FAILURE_LIMIT`` failures
    within the window the account is locked for ``KEJIJU_LOGIN_LOCKOUT_MINUTES`` (logged as
    ``core.login_locked``). Unknown user names are throttled the same way, and the message never
    tells whether the account exists."""
    username = (username or "").strip()[:150]
    now = timezone.now()
    limit = settings.KEJIJU_LOGIN_FAILURE_LIMIT
    window = timedelta(minutes=settings.KEJIJU_LOGIN_FAILURE_WINDOW_MINUTES)
    lockout = timedelta(minutes=settings.KEJIJU_LOGIN_LOCKOUT_MINUTES)
    account = User.objects.filter(username__iexact=username).first()
    locked_msg = "该账号因多次登录失败已被锁定，请 %(minutes)s 分钟后再试，或联系管理员解锁。" % {
        "minutes": settings.KEJIJU_LOGIN_LOCKOUT_MINUTES
    }

    with transaction.atomic():
        if account is not None and account.locked_until and account.locked_until > now:
            LoginAttempt.objects.create(username=username, ip_address=ip_address, success=False)
            log_operation(actor=None, action=actions.LOGIN_FAILED, target=account, ip_address=ip_address,
                          actor_repr=username, extra={"reason": "locked"})
            return LoginResult(None, locked_msg)
        if account is None and _recent_failures(username, now - window) >= limit:
            LoginAttempt.objects.create(username=username, ip_address=ip_address, success=False)
            return LoginResult(None, locked_msg)

    user = authenticate(request, username=account.username if account else username, password=password)
    with transaction.atomic():
        if user is not None:
            LoginAttempt.objects.create(username=username, ip_address=ip_address, success=True)
            LoginAttempt.objects.filter(username__iexact=username, success=False).delete()
            log_operation(actor=user, action=actions.LOGIN, target=user, ip_address=ip_address)
            return LoginResult(user)
        LoginAttempt.objects.create(username=username, ip_address=ip_address, success=False)
        failures = _recent_failures(username, now - window)
        log_operation(actor=None, action=actions.LOGIN_FAILED, target=account, ip_address=ip_address,
                      actor_repr=username, region=account.region_id if account else None,
                      extra={"failures": failures})
        if failures >= limit:
            if account is not None:
                account.locked_until = now + lockout
                with acting(None, "登录失败次数过多"):
                    account.save(update_fields=["locked_until"])
                log_operation(actor=None, action=actions.LOGIN_LOCKED, target=account, ip_address=ip_address,
                              actor_repr=username, extra={"failures": failures})
            return LoginResult(None, locked_msg)
        if account is not None and not account.is_active and account.check_password(password):
            return LoginResult(None, "该账号已停用，请联系管理员。")
        remaining = limit - failures
        return LoginResult(
            None,
            "用户名或密码不正确。再失败 %(n)s 次，账号将被锁定 %(m)s 分钟。"
            % {"n": remaining, "m": settings.KEJIJU_LOGIN_LOCKOUT_MINUTES},
        )


def record_logout(*, actor: User, ip_address: str | None) -> None:
    log_operation(actor=actor, action=actions.LOGOUT, target=actor, ip_address=ip_address)


def manageable_region_code(actor: User) -> str | None:
    """The region within which ``actor`` manages accounts ("" for the whole deployment)."""
    return account_region_code(actor)
