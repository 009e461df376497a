"""Per-request region scope: the region switcher's choice, checked against the account."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from kejiju.core.permissions import account_region_code

SESSION_KEY = "kejiju_active_region"
MUST_CHANGE = "您的密码由管理员设置，请先登录网页修改密码。"


class RegionScopeMiddleware:
    """Copy the session's chosen region onto ``request.user.active_region_code`` when it lies
    within the account's region; otherwise drop it (a forged value changes nothing). Accounts whose
    password was set by an administrator are sent to the password page until they change it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            chosen = request.session.get(SESSION_KEY)
            own = account_region_code(user)
            if chosen and own is not None and str(chosen).startswith(own):
                user.active_region_code = str(chosen)
            elif chosen:
                request.session.pop(SESSION_KEY, None)
            if getattr(user, "must_change_password", False):
                # a password set by an administrator is changed before anything else is done, whatever
                # the method: pages redirect to the password page, the API (signed in by session) refuses
                allowed = (reverse("core:password_change"), reverse("core:logout"), "/static/")
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": MUST_CHANGE, "code": "must_change_password"}, status=403)
                if not request.path.startswith(allowed):
                    return HttpResponseRedirect(reverse("core:password_change"))
        return self.get_response(request)


NUL_MESSAGE = "“%(field)s”含有空字符（NUL），这种不可见字符不能保存。请删除后重新提交；未作任何修改。"


def _nul_in_json(value: Any, path: str = "") -> str | None:
    """The path (``a.b[2]``) of the first string or key holding a NUL character, or None."""
    if isinstance(value, str):
        return (path or "请求内容") if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = "%s.%s" % (path, key) if path else str(key)
            if "\x00" in str(key):
                return where
            found = _nul_in_json(item, where)
            if found:
                return found
    if isinstance(value, list):
        for n, item in enumerate(value):
            found = _nul_in_json(item, "%s[%d]" % (path, n))
            if found:
                return found
    return None


def nul_field(request: HttpRequest) -> str | None:
    """The name of the first query, form or JSON field of the request that holds a NUL character
    (which PostgreSQL cannot store in text), or None."""
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in v for v in values):
            return key
    content_type = request.content_type or ""
    if request.method in ("POST", "PUT", "PATCH"):
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            for key, values in request.POST.lists():
                if "\x00" in key or any("\x00" in v for v in values):
                    return key
        elif content_type == "application/json":
            body = request.body
            if b"\x00" in body or b"\\u0000" in body.lower():
                try:
                    data = json.loads(body)
                except ValueError:
                    return None  # not JSON at all: the API answers that in its own words
                return _nul_in_json(data)
    return None


class NulInputMiddleware:
    """Refuse, with a Chinese message naming the field, a request whose query, form or JSON fields hold a
    NUL character: SQLite keeps it, PostgreSQL refuses it with an error that would otherwise surface as
    a server error. Every form and API is covered at once; nothing is changed (400)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = nul_field(request)
        if field is None:
            return self.get_response(request)
        message = NUL_MESSAGE % {"field": field}
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": message, "code": "invalid", "field": field, "errors": {field: [message]}}, status=400
            )
        return render(request, "core/message.html", {"title": "提交的内容有误", "message": message}, status=400)
