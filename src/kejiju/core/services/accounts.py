"""Accounts: create, update, passwords, lock and unlock, tokens, and login throttling.

Who manages which account (the rules every service below checks, and the predicates the pages
use to show their buttons):

* managing accounts needs ``core.add_user`` (create) or ``core.change_user`` (everything else);
  unlocking needs ``core.unlock_user``;
* an account is managed only by someone whose account region contains the account's region
  (a county bureau administrator manages its county, towns and villages, never a neighbour);
* only a system administrator grants, or manages, the 系统管理员 role;
* accounts are never deleted, only disabled (停用) and enabled again; nobody disables themself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
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

#: Mainland mobile numbers (optionally +86) and landlines with an optional area code and extension.
_MOBILE_RE = re.compile(r"^(?:\+?86-?)?1[3-9]\d{9}$")
_LANDLINE_RE = re.compile(r"^(?:\(0\d{2,3}\)|0\d{2,3}-?)?[2-9]\d{6,7}(?:-\d{1,6})?$")


def normalize_phone(phone: str) -> str:
    """The phone number without spaces, after checking it is a Chinese mobile (1[3-9] and nine
    digits) or a landline (区号-号码, optional extension). Empty stays empty. Raises
    :class:`BusinessError` on ``phone`` otherwise."""
    value = re.sub(r"[\s\u3000]", "", phone or "").replace("（", "(").replace("）", ")").replace("—", "-")
    if not value:
        return ""
    if len(value) > 20 or not (_MOBILE_RE.match(value) or _LANDLINE_RE.match(value)):
        raise BusinessError(
            "手机号码格式不正确：请填写 11 位手机号码（如 13912345678）或固定电话（如 0550-7021234）。",
            code="invalid",
            field="phone",
        )
    return value


def grantable_roles(actor: Any) -> list[Role]:
    """Roles ``actor`` may give an account: all for a system administrator, all but 系统管理员
    for other account managers, none for anybody else."""
    if getattr(actor, "is_superuser", False) and actor.is_active:
        return list(Role)
    if actor.has_perm("core.add_user") or actor.has_perm("core.change_user"):
        return list(GRANTABLE_BY_BUREAU_ADMIN)
    return []


def user_in_scope(actor: Any, account: User) -> bool:
    """Whether ``account`` lies within ``actor``'s account region (a system administrator
    without a region reaches every account, including those without a region)."""
    scope = account_region_code(actor)
    if scope is None:
        return False
    return (account.region_id or "").startswith(scope)


def can_manage_user(actor: Any, account: User, perm: str = "core.change_user") -> bool:
    """Predicate for the account buttons: ``perm`` held, the account within the actor's region,
    and a system administrator's account only for a system administrator."""
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm(perm):
        return False
    if _is_system_admin(account) and not actor.is_superuser:
        return False
    return user_in_scope(actor, account)


def _is_system_admin(account: User) -> bool:
    return account.role == Role.SYSTEM_ADMIN or account.is_superuser


def _require_perm(actor: User, perm: str) -> None:
    if not actor.has_perm(perm):
        message = "您没有解除账号锁定的权限。" if perm == "core.unlock_user" else "您没有管理账号的权限。"
        raise BusinessError(message, code="forbidden")


def _check_target(actor: User, account: User) -> None:
    """An existing account: within the actor's region, and a system administrator's account only
    for a system administrator."""
    if not user_in_scope(actor, account):
        raise BusinessError("该账号不在您的管辖范围内。", code="out_of_scope")
    if _is_system_admin(account) and not actor.is_superuser:
        raise BusinessError("只有系统管理员可以管理系统管理员账号。", code="forbidden")


def _check_assignment(actor: User | None, region: Region | None, role: str) -> None:
    """The role and region an account is given: a known role the actor may grant, and a region
    (required except for a system administrator) that is in use and within the actor's region."""
    if role not in Role.values:
        raise BusinessError("角色无效，请从列表中选择。", code="invalid", field="role")
    if actor is not None and role == Role.SYSTEM_ADMIN and not actor.is_superuser:
        raise BusinessError("只有系统管理员可以设置“系统管理员”角色。", code="forbidden", field="role")
    if region is None:
        if role != Role.SYSTEM_ADMIN:
            raise BusinessError("请选择账号所属区划。", code="required", field="region")
        if actor is not None and account_region_code(actor) != "":
            raise BusinessError("只有不限区划的系统管理员可以设置不限区划的账号。", code="forbidden", field="region")
        return
    if actor is not None and not can_manage_region(actor, region.code):
        raise BusinessError("所选区划不在您的管辖范围内。", code="out_of_scope", field="region")
    if not region.is_active:
        raise BusinessError("所选区划已停用，请选择其他区划。", code="inactive", field="region")


def check_password_rules(password: str, user: User | None = None, field: str = "password") -> None:
    """The password rules of the settings (length, not common, not all digits, not like the
    user's details, three character classes), as one Chinese :class:`BusinessError` on ``field``."""
    _validate_password(password, user, field)


def _validate_password(password: str, user: User | None = None, field: str = "password") -> None:
    if not password:
        raise BusinessError("请填写密码。", code="required", field=field)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        reasons = []
        for error in exc.error_list:
            if error.code == "password_too_short":
                # Django 5.2 renamed this message and its zh_Hans catalog has not caught up: say it ourselves
                length = (error.params or {}).get("min_length", "")
                reasons.append(_("密码长度太短，至少需要 %(n)s 个字符。") % {"n": length})
            else:
                reasons.extend(str(m) for m in error.messages)
        raise BusinessError("密码不符合要求：" + "".join(reasons), code="weak_password", field=field) from exc


def _check_department(department: Department | None, region_code: str | None, current: Any = None) -> None:
    if department is None:
        return
    if department.region_id != region_code:
        raise BusinessError("所选科室不属于该区划的科技局。", code="invalid", field="department")
    # an account may keep a 科室 that was disabled since; it may not be given one
    if not department.is_active and department.pk != current:
        raise BusinessError("所选科室已停用，请选择其他科室。", code="inactive", field="department")


def _check_details(full_name: str, email: str) -> tuple[str, str]:
    full_name = (full_name or "").strip()
    if not full_name:
        raise BusinessError("请填写姓名。", code="required", field="full_name")
    if len(full_name) > 40:
        raise BusinessError("姓名不能超过 40 个字。", code="too_long", field="full_name")
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise BusinessError("邮箱格式不正确，请填写如 name@example.com 的地址。", code="invalid", field="email")
    return full_name, email


def _check_username(username: str) -> str:
    username = (username or "").strip()
    if not username:
        raise BusinessError("请填写用户名。", code="required", field="username")
    try:
        if len(username) > 150:
            raise ValidationError("too long")
        User.username_validator(username)
    except ValidationError:
        raise BusinessError(
            "用户名只能包含字母、数字、汉字和 @ . + - _，且不超过 150 个字符。", code="invalid", field="username"
        )
    if User.objects.filter(username__iexact=username).exists():
        raise BusinessError(_("用户名“%(name)s”已被使用。") % {"name": username}, code="duplicate", field="username")
    return username


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
    ``actor=None`` is the system itself: setup commands and demo data). The holder must change
    the initial password at first login. Raises :class:`BusinessError` for a missing permission,
    a taken or malformed username, a weak password, a role the actor may not grant, a region
    outside the actor's scope, a department of another region or a malformed phone or email."""
    if actor is not None:
        _require_perm(actor, "core.add_user")
    _check_assignment(actor, region, role)
    username = _check_username(username)
    full_name, email = _check_details(full_name, email)
    phone = normalize_phone(phone)
    region_code = region.code if region else None
    _check_department(department, region_code)
    user = User(
        username=username,
        full_name=full_name,
        role=role,
        region=region,
        department=department,
        phone=phone,
        email=email,
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
    """Change an account's name, role, region, department or contact details. The account must
    be within the actor's region and the new role and region obey the rules of
    :func:`user_create`; nobody changes their own role. Raises :class:`BusinessError`
    (nothing saved) otherwise."""
    _require_perm(actor, "core.change_user")
    locked = User.objects.select_for_update().get(pk=user.pk)
    _check_target(actor, locked)
    _check_assignment(actor, region, role)
    if locked.pk == actor.pk and role != locked.role:
        raise BusinessError("不能修改自己的角色。", code="forbidden", field="role")
    full_name, email = _check_details(full_name, email)
    phone = normalize_phone(phone)
    region_code = region.code if region else None
    _check_department(department, region_code, current=locked.department_id)
    before = {
        "full_name": locked.full_name,
        "role": locked.role,
        "region": locked.region_id,
        "department": locked.department_id,
        "phone": locked.phone,
        "email": locked.email,
    }
    locked.full_name = full_name
    locked.role = role
    locked.region = region
    locked.department = department
    locked.phone = phone
    locked.email = email
    locked.is_staff = locked.is_superuser = role == Role.SYSTEM_ADMIN
    after = {
        "full_name": locked.full_name,
        "role": locked.role,
        "region": locked.region_id,
        "department": locked.department_id,
        "phone": locked.phone,
        "email": locked.email,
    }
    with acting(actor):
        locked.save()
    sync_user_groups(locked)
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    log_operation(actor=actor, action=actions.USER_UPDATE, target=locked, extra={"before": before, "changes": changes})
    return locked


@transaction.atomic
def user_set_active(*, actor: User, user: User, active: bool) -> User:
    """Disable (停用) or enable an account; accounts are never deleted. A disabled account can no
    longer log in and its open sessions end at their next request. Raises
    :class:`BusinessError` when the account is outside the actor's region, is the actor's own,
    or is already in that state."""
    _require_perm(actor, "core.change_user")
    locked = User.objects.select_for_update().get(pk=user.pk)
    _check_target(actor, locked)
    if locked.pk == actor.pk:
        raise BusinessError("不能停用或启用自己的账号。", code="forbidden")
    if locked.is_active == active:
        raise BusinessError(_("该账号已是%(state)s状态。") % {"state": "启用" if active else "停用"}, code="no_change")
    locked.is_active = active
    with acting(actor):
        locked.save(update_fields=["is_active"])
    log_operation(actor=actor, action=actions.USER_ACTIVATE if active else actions.USER_DEACTIVATE, target=locked)
    return locked


@transaction.atomic
def user_change_password(*, actor: User, old_password: str, new_password: str) -> User:
    """The account holder changes their own password: the old one must be right, the new one
    differ from it and meet the password rules of the settings. Clears "must change password".
    Raises :class:`BusinessError` (nothing saved) otherwise."""
    locked = User.objects.select_for_update().get(pk=actor.pk)
    if not locked.check_password(old_password):
        raise BusinessError("原密码不正确。", code="wrong_password", field="old_password")
    if old_password == new_password:
        raise BusinessError("新密码不能与原密码相同。", code="same_password", field="new_password")
    _validate_password(new_password, locked, field="new_password")
    locked.set_password(new_password)
    locked.must_change_password = False
    locked.password_changed_at = timezone.now()
    with acting(actor):
        locked.save()
    log_operation(actor=actor, action=actions.USER_PASSWORD, target=locked)
    return locked


@transaction.atomic
def user_reset_password(*, actor: User, user: User, new_password: str) -> User:
    """An account administrator sets a new password; the holder must change it at next login.
    A reset also lifts a lockout and revokes the holder's API token. The account must be within the actor's region. Raises
    :class:`BusinessError` (nothing saved) for a weak password or an account out of reach."""
    _require_perm(actor, "core.change_user")
    locked = User.objects.select_for_update().get(pk=user.pk)
    _check_target(actor, locked)
    _validate_password(new_password, locked)
    locked.set_password(new_password)
    locked.must_change_password = True
    locked.password_changed_at = timezone.now()
    locked.locked_until = None
    with acting(actor):
        locked.save()
    LoginAttempt.objects.filter(username__iexact=locked.username, success=False).delete()
    # the holder signs in again and changes the password before any script may call the API
    Token.objects.filter(user=locked).delete()
    log_operation(actor=actor, action=actions.USER_RESET_PASSWORD, target=locked)
    return locked


@transaction.atomic
def user_unlock(*, actor: User, user: User) -> User:
    """Lift a lockout caused by repeated login failures (and forget those failures). Needs
    ``core.unlock_user`` and the account within the actor's region; raises
    :class:`BusinessError` otherwise."""
    _require_perm(actor, "core.unlock_user")
    locked = User.objects.select_for_update().get(pk=user.pk)
    _check_target(actor, locked)
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
    locked_msg = _("该账号因多次登录失败已被锁定，请 %(minutes)s 分钟后再试，或联系管理员解锁。") % {
        "minutes": settings.KEJIJU_LOGIN_LOCKOUT_MINUTES
    }

    with transaction.atomic():
        if account is not None and account.locked_until and account.locked_until > now:
            LoginAttempt.objects.create(username=username, ip_address=ip_address, success=False)
            log_operation(
                actor=None,
                action=actions.LOGIN_FAILED,
                target=account,
                ip_address=ip_address,
                actor_repr=username,
                extra={"reason": "locked"},
            )
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
        since = now - window
        if account is not None and account.locked_until and account.locked_until > since:
            # a lockout that has run out gives a fresh set of attempts, whatever the window
            since = account.locked_until
        failures = _recent_failures(username, since)
        log_operation(
            actor=None,
            action=actions.LOGIN_FAILED,
            target=account,
            ip_address=ip_address,
            actor_repr=username,
            region=account.region_id if account else None,
            extra={"failures": failures},
        )
        if failures >= limit:
            if account is not None:
                account.locked_until = now + lockout
                with acting(None, "登录失败次数过多"):
                    account.save(update_fields=["locked_until"])
                log_operation(
                    actor=None,
                    action=actions.LOGIN_LOCKED,
                    target=account,
                    ip_address=ip_address,
                    actor_repr=username,
                    extra={"failures": failures},
                )
            return LoginResult(None, locked_msg)
        if account is not None and not account.is_active and account.check_password(password):
            return LoginResult(None, "该账号已停用，请联系管理员。")
        remaining = limit - failures
        return LoginResult(
            None,
            _("用户名或密码不正确。再失败 %(n)s 次，账号将被锁定 %(m)s 分钟。")
            % {"n": remaining, "m": settings.KEJIJU_LOGIN_LOCKOUT_MINUTES},
        )


def record_logout(*, actor: User, ip_address: str | None) -> None:
    """Log the end of a session (``core.logout``)."""
    log_operation(actor=actor, action=actions.LOGOUT, target=actor, ip_address=ip_address)


def manageable_region_code(actor: User) -> str | None:
    """The region within which ``actor`` manages accounts ("" for the whole deployment)."""
    return account_region_code(actor)
