"""Per-request region scope: the region switcher's choice, checked against the account."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
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
