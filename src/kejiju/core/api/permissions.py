"""API permission checks: the model permission each HTTP method needs (house rule 3).

Region scope is not decided here: selectors and services answer 404 for records outside the
caller's region. This class only answers 401 (not signed in) and 403 (own region, no permission).
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission


class MethodPermission(BasePermission):
    """The view declares ``required_perms = {"GET": "core.view_region", "POST": ...}``; HEAD and
    OPTIONS need what GET needs. Anonymous callers get 401 (DRF raises NotAuthenticated)."""

    message = "您没有执行此操作的权限。如需开通，请联系本单位管理员。"

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        perms: dict[str, str] = getattr(view, "required_perms", {})
        method = "GET" if request.method in ("HEAD", "OPTIONS") else request.method
        perm = perms.get(method)
        return perm is None or user.has_perm(perm)
