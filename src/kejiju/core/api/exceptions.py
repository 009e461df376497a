"""API errors in Chinese, in one shape: ``{"detail", "code", "field"?, "errors"?}``.

* :class:`~kejiju.core.errors.BusinessError` (raised by services) becomes 400, or 403 for
  ``code="forbidden"`` and 404 for ``code="not_found"``; :class:`~kejiju.core.errors.RowErrors`
  adds ``errors`` (field → messages).
* DRF's own errors (validation of filters, authentication, permission, 404, 405, 415…) keep
  their status and headers (``WWW-Authenticate`` on 401) and are reshaped the same way, so a
  client reads ``detail`` whatever went wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler
from rest_framework.views import set_rollback

from kejiju.core.errors import BusinessError, RowErrors

CSRF_MESSAGE = (
    "请求缺少有效的 CSRF 令牌：用网页会话调用写操作时须带 X-CSRFToken 请求头；"
    "脚本请改用接口令牌（Authorization: Token <令牌>）。"
)

#: ``non_field_errors`` is DRF's key for errors of the body as a whole.
NON_FIELD_KEYS = ("non_field_errors", "__all__")


def _business_response(exc: BusinessError) -> Response:
    status = 404 if exc.code == "not_found" else 403 if exc.code == "forbidden" else 400
    body: dict[str, Any] = {"detail": exc.message, "code": exc.code}
    if exc.field:
        body["field"] = exc.field
    if isinstance(exc, RowErrors):
        body["errors"] = exc.errors
    set_rollback()
    return Response(body, status=status)


def _leaves(data: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """(field path, message) pairs of a nested DRF error structure, in order."""
    if isinstance(data, Mapping):
        out: list[tuple[str, Any]] = []
        for key, value in data.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            out.extend(_leaves(value, path))
        return out
    if isinstance(data, list | tuple):
        out = []
        for item in data:
            out.extend(_leaves(item, prefix))
        return out
    return [(prefix, data)]


def _filter_label(view: Any, name: str) -> str:
    """The Chinese label of a query filter, when the view declares a FilterSet."""
    filterset_class = getattr(view, "filterset_class", None)
    if filterset_class is not None and name in filterset_class.base_filters:
        label = filterset_class.base_filters[name].label
        if label:
            return str(label)
    return name


def _validation_body(data: Any, view: Any) -> dict[str, Any]:
    leaves = _leaves(data)
    if not leaves:
        return {"detail": "请求有误。", "code": "invalid"}
    errors: dict[str, list[str]] = {}
    for path, message in leaves:
        errors.setdefault(path or "non_field_errors", []).append(str(message))
    path, message = leaves[0]
    code = getattr(message, "code", None) or "invalid"
    if path and path not in NON_FIELD_KEYS:
        body: dict[str, Any] = {"detail": f"{_filter_label(view, path)}：{message}", "code": code, "field": path}
    else:
        body = {"detail": str(message), "code": code}
    body["errors"] = errors
    return body


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's ``EXCEPTION_HANDLER``: every handled error in the one shape; ``None`` (a 500) only
    for programming errors."""
    if isinstance(exc, BusinessError):
        return _business_response(exc)
    response = drf_handler(exc, context)
    if response is None:
        return None  # a programming error: Django's 500 handler logs it
    if isinstance(exc, exceptions.ValidationError):
        response.data = _validation_body(response.data, context.get("view"))
        return response
    data = response.data
    detail = data.get("detail") if isinstance(data, Mapping) else None
    if detail is None:
        response.data = _validation_body(data, context.get("view"))
        return response
    code = getattr(detail, "code", None) or getattr(exc, "default_code", None) or "error"
    if str(detail).startswith("CSRF Failed"):
        # DRF's session check has no translation; say what to do instead.
        detail, code = CSRF_MESSAGE, "csrf_failed"
    response.data = {"detail": str(detail), "code": str(code)}
    return response
