"""API errors in Chinese: business-rule violations become 400 with code and field."""

from typing import Any

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from kejiju.core.errors import BusinessError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, BusinessError):
        status = 404 if exc.code == "not_found" else 403 if exc.code == "forbidden" else 400
        body: dict[str, Any] = {"detail": exc.message, "code": exc.code}
        if exc.field:
            body["field"] = exc.field
        return Response(body, status=status)
    return drf_handler(exc, context)
