"""drf-spectacular extensions: what the generated OpenAPI schema says beyond the serializers."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerExtension

from kejiju.core.api.serializers import InputSerializer


class InputSerializerExtension(OpenApiSerializerExtension):
    """Request bodies declare ``additionalProperties: false``: the server refuses unknown fields
    (:class:`InputSerializer`), and the schema says so."""

    target_class = InputSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema: Any, direction: Any) -> Any:
        schema = auto_schema._map_basic_serializer(self.target, direction)
        schema["additionalProperties"] = False
        return schema


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """The token scheme, described in Chinese (replaces drf-spectacular's English text)."""

    target_class = "rest_framework.authentication.TokenAuthentication"
    name = "tokenAuth"
    priority = 1

    def get_security_definition(self, auto_schema: Any) -> Any:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "接口令牌：请求头写 Authorization: Token <令牌>。令牌由 POST /api/v1/token/ "
            "或网页“接口令牌”获取，重新获取后旧令牌失效。",
        }


class SessionAuthenticationScheme(OpenApiAuthenticationExtension):
    """The browser session (same-origin pages calling the API)."""

    target_class = "rest_framework.authentication.SessionAuthentication"
    name = "cookieAuth"
    priority = 1

    def get_security_definition(self, auto_schema: Any) -> Any:
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "网页登录后的会话（同源页面调用；写操作须带 CSRF 令牌）。",
        }


def allow_empty_query_values(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Postprocessing hook: optional query parameters declare ``allowEmptyValue: true``.

    Every list reads its filters the way HTML forms send them, where ``?status=`` means "no
    filter"; the schema says so, so clients (and schemathesis) know an empty value is accepted."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
    return result
