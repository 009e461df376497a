"""Login, logout, password change, API token and the region switcher."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from kejiju.core.errors import BusinessError
from kejiju.core.middleware import SESSION_KEY
from kejiju.core.models import User
from kejiju.core.permissions import account_region_code
from kejiju.core.services.accounts import login_attempt, record_logout, token_create, user_change_password


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _safe_next(request: HttpRequest, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return "/"


def login_view(request: HttpRequest) -> HttpResponse:
    """The Chinese login page with throttling and lockout (see ``login_attempt``)."""
    if request.user.is_authenticated and request.method == "GET":
        return redirect("core:home")
    error = ""
    username = ""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        password = request.POST.get("password", "")
        if not username or not password:
            error = "请输入用户名和密码。"
        else:
            result = login_attempt(username=username, password=password, ip_address=client_ip(request), request=request)
            if result.user is not None:
                login(request, result.user)
                if result.user.must_change_password:
                    messages.warning(request, "您的密码由管理员设置，请立即修改。")
                    return redirect("core:password_change")
                return HttpResponseRedirect(_safe_next(request, next_url))
            error = result.error
    status = 200 if not error else 400
    return render(request, "core/login.html", {"error": error, "username": username, "next": next_url}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        record_logout(actor=request.user, ip_address=client_ip(request))
    logout(request)
    return redirect("core:login")


@login_required
def password_change_view(request: HttpRequest) -> HttpResponse:
    error = ""
    field = ""
    if request.method == "POST":
        new = request.POST.get("new_password", "")
        if new != request.POST.get("new_password2", ""):
            error, field = "两次输入的新密码不一致。", "new_password2"
        else:
            try:
                user = user_change_password(
                    actor=cast(User, request.user), old_password=request.POST.get("old_password", ""), new_password=new
                )
            except BusinessError as exc:
                error, field = exc.message, exc.field or ""
            else:
                update_session_auth_hash(request, user)
                messages.success(request, "密码已修改。")
                return redirect("core:home")
    from django.contrib.auth.password_validation import password_validators_help_texts

    return render(
        request,
        "core/password_change.html",
        {"error": error, "field": field, "help_texts": password_validators_help_texts()},
        status=400 if error else 200,
    )


@login_required
def token_view(request: HttpRequest) -> HttpResponse:
    """Show whether the user has an API token; POST issues a new one (shown once)."""
    key = ""
    if request.method == "POST":
        key = token_create(actor=cast(User, request.user))
    from rest_framework.authtoken.models import Token

    has_token = Token.objects.filter(user=cast(User, request.user)).exists()
    return render(request, "core/token.html", {"key": key, "has_token": has_token})


@login_required
@require_POST
def region_switch_view(request: HttpRequest) -> HttpResponse:
    """Work in a region below the account's own (users above county level, among the regions
    the switcher offers: cities and counties). A county or lower account cannot switch, and a
    code outside the account's region is refused; both change nothing."""
    from kejiju.core.selectors import switchable_regions

    code = request.POST.get("region", "").strip()
    own = account_region_code(request.user)
    if own is None or len(own) >= 6:
        messages.error(request, "您的账号所属区划不能再切换。")
    elif code and not code.startswith(own):
        messages.error(request, "所选区划不在您的管辖范围内。")
    elif not code or code == own:
        request.session.pop(SESSION_KEY, None)
    elif switchable_regions(user=request.user).filter(code=code).exists():
        request.session[SESSION_KEY] = code
    else:
        messages.error(request, "所选区划不存在或不能切换到该级别。")
    return HttpResponseRedirect(_safe_next(request, request.POST.get("next")))
