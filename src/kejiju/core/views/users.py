"""Account management (账号管理): list, detail, create, edit, and one POST view per action.

Views parse input, check the permission (403 without it in one's own region; accounts outside
the active region answer 404) and call the account services, which apply the rules again.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kejiju.core.choices import Role
from kejiju.core.errors import BusinessError
from kejiju.core.forms.users import UserForm, region_label
from kejiju.core.listing import Column, ListPage, render_list
from kejiju.core.models import User
from kejiju.core.permissions import active_region_code
from kejiju.core.selectors import user_get, user_list, user_operations, user_region_options
from kejiju.core.services.accounts import (
    can_manage_user,
    user_create,
    user_reset_password,
    user_set_active,
    user_unlock,
    user_update,
)

STATUS_CHOICES = [("active", "启用"), ("inactive", "停用"), ("locked", "锁定")]


def _actor(request: HttpRequest) -> User:
    """The signed-in account (every view here is behind ``login_required``)."""
    return cast(User, request.user)


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _local(value: Any) -> str:
    """A stored (UTC) time as Beijing time text, for cells and the export alike."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def is_locked(account: User) -> bool:
    return bool(account.locked_until and account.locked_until > timezone.now())


def account_status(account: User) -> str:
    """启用, 停用, or 锁定至 <Beijing time> while a login lockout runs."""
    if not account.is_active:
        return "停用"
    if is_locked(account):
        return "锁定至 " + _local(account.locked_until)
    return "启用"


COLUMNS = [
    Column("用户名", lambda u: u.username, sort="username", link=True),
    Column("姓名", lambda u: u.full_name, sort="full_name"),
    Column("角色", lambda u: u.get_role_display(), sort="role"),
    Column("所属区划", lambda u: u.region.name if u.region_id else "（不限区划）", sort="region"),
    Column("科室", lambda u: u.department.name if u.department_id else ""),
    Column("手机", lambda u: u.phone),
    Column("状态", account_status, sort="is_active"),
    Column("最后登录", lambda u: _local(u.last_login), sort="last_login"),
]


@login_required
def user_list_view(request: HttpRequest) -> HttpResponse:
    """Accounts within the active region: search, filters, sorting, pages and Excel export."""
    _require(request, "core.view_user")
    filters = {key: request.GET.get(key, "").strip() for key in ("q", "role", "status", "region")}
    scope = active_region_code(request.user)
    # a province-wide (or unrestricted) list offers counties and above; a city or county its towns too
    max_level = 9 if scope and len(scope) >= 4 else 6
    region_options = [
        (r.code, region_label(r, scope or "")) for r in user_region_options(code=scope, max_level=max_level)
    ]
    page = ListPage(
        title="账号管理",
        columns=COLUMNS,
        default_sort="username",
        export_name="users",
        filters_template="core/user_list_filters.html",
        actions_template="core/user_list_actions.html",
        row_url=lambda u: reverse("core:user_detail", args=[u.pk]),
    )
    context = {
        "filters": filters,
        "role_choices": Role.choices,
        "status_choices": STATUS_CHOICES,
        "region_options": region_options,
    }
    return render_list(request, user_list(user=request.user, filters=filters), page, context=context)


@login_required
def user_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One account: details, its recent operations, and the actions the viewer may take."""
    _require(request, "core.view_user")
    account = user_get(user=request.user, pk=pk)
    actor = _actor(request)
    can_edit = can_manage_user(actor, account)
    locked = is_locked(account)
    context = {
        "account": account,
        "status": account_status(account),
        "is_locked": locked,
        "can_edit": can_edit,
        "can_reset": can_edit,
        "can_unlock": locked and can_manage_user(actor, account, "core.unlock_user"),
        "can_toggle": can_edit and account.pk != actor.pk,
        "can_view_log": actor.has_perm("core.view_operationlog"),
        "operations": user_operations(user=actor, account=account),
        "password_help": password_validators_help_texts(),
    }
    return render(request, "core/user_detail.html", context)


def _form_response(request: HttpRequest, form: UserForm, account: User | None) -> HttpResponse:
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "core/user_form.html", {"form": form, "account": account}, status=status)


@login_required
def user_create_view(request: HttpRequest) -> HttpResponse:
    """新建账号: a role the actor may grant, in a region within the actor's region."""
    _require(request, "core.add_user")
    refresh_url = reverse("core:user_create")
    if request.method == "POST":
        form = UserForm(request.POST, actor=_actor(request), refresh_url=refresh_url)
        if form.is_valid():
            data = form.cleaned_data
            try:
                account = user_create(
                    actor=_actor(request),
                    username=data["username"],
                    full_name=data["full_name"],
                    password=data["password"],
                    role=data["role"],
                    region=data["region"],
                    department=data["department"],
                    phone=data["phone"],
                    email=data["email"],
                )
            except BusinessError as exc:
                form.add_business_error(exc)
            else:
                messages.success(
                    request, _("已新建账号“%(name)s”，首次登录时须修改初始密码。") % {"name": account.username}
                )
                return redirect("core:user_detail", pk=account.pk)
    else:
        initial: dict[str, Any] = {}
        if request.GET.get("region"):
            initial["region"] = request.GET["region"]
        form = UserForm(initial=initial, actor=_actor(request), refresh_url=refresh_url)
    return _form_response(request, form, None)


@login_required
def user_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """编辑账号: name, role, region, 科室 and contact details."""
    _require(request, "core.change_user")
    account = user_get(user=request.user, pk=pk, perm="core.change_user")
    if not can_manage_user(request.user, account):
        raise PermissionDenied
    refresh_url = reverse("core:user_edit", args=[account.pk])
    if request.method == "POST":
        form = UserForm(request.POST, actor=_actor(request), instance=account, refresh_url=refresh_url)
        if form.is_valid():
            data = form.cleaned_data
            try:
                user_update(
                    actor=_actor(request),
                    user=account,
                    full_name=data["full_name"],
                    role=data["role"],
                    region=data["region"],
                    department=data["department"],
                    phone=data["phone"],
                    email=data["email"],
                )
            except BusinessError as exc:
                form.add_business_error(exc)
            else:
                messages.success(request, _("已保存账号“%(name)s”。") % {"name": account.username})
                return redirect("core:user_detail", pk=account.pk)
    else:
        initial = {
            "full_name": account.full_name,
            "role": account.role,
            "region": account.region_id or "",
            "department": str(account.department_id or ""),
            "phone": account.phone,
            "email": account.email,
        }
        if request.GET.get("region"):
            initial["region"] = request.GET["region"]
        form = UserForm(initial=initial, actor=_actor(request), instance=account, refresh_url=refresh_url)
    return _form_response(request, form, account)


def _act(request: HttpRequest, pk: int, perm: str) -> User:
    _require(request, perm)
    return user_get(user=request.user, pk=pk, perm=perm)


@login_required
@require_POST
def user_reset_password_view(request: HttpRequest, pk: int) -> HttpResponse:
    """重置密码: the administrator types a new password; the holder must change it at next login."""
    account = _act(request, pk, "core.change_user")
    try:
        user_reset_password(actor=_actor(request), user=account, new_password=request.POST.get("new_password", ""))
    except BusinessError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("已重置账号“%(name)s”的密码，该账号下次登录时须修改密码。") % {"name": account.username}
        )
    return redirect("core:user_detail", pk=account.pk)


@login_required
@require_POST
def user_unlock_view(request: HttpRequest, pk: int) -> HttpResponse:
    """解除锁定 after repeated login failures."""
    account = _act(request, pk, "core.unlock_user")
    try:
        user_unlock(actor=_actor(request), user=account)
    except BusinessError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已解除账号“%(name)s”的锁定。") % {"name": account.username})
    return redirect("core:user_detail", pk=account.pk)


@login_required
@require_POST
def user_set_active_view(request: HttpRequest, pk: int) -> HttpResponse:
    """停用 (``active=0``) or 启用 (``active=1``) an account; accounts are never deleted."""
    account = _act(request, pk, "core.change_user")
    value = request.POST.get("active", "")
    if value not in ("0", "1"):
        messages.error(request, "操作无效：请使用页面上的“停用”或“启用”按钮。")
        return redirect("core:user_detail", pk=account.pk)
    active = value == "1"
    try:
        user_set_active(actor=_actor(request), user=account, active=active)
    except BusinessError as exc:
        messages.error(request, exc.message)
    else:
        label = "启用" if active else "停用"
        messages.success(request, _("已%(action)s账号“%(name)s”。") % {"action": label, "name": account.username})
    return redirect("core:user_detail", pk=account.pk)
