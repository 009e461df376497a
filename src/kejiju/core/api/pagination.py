"""Page-number pagination of every API list: ``?page=`` and ``?page_size=`` (at most 500)."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """50 rows a page by default. A ``page_size`` that is not a positive whole number answers 400
    (DRF would silently fall back to the default); above 500 it is capped at 500."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    invalid_page_message = "页码超出范围或无效。"

    def get_page_size(self, request: Any) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            raise ValidationError({self.page_size_query_param: ["每页条数须为正整数（最多 500）。"]}, code="invalid")
        return min(int(raw), self.max_page_size)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = "每页条数，默认 50，超过 500 按 500 计。"
            else:
                parameter["description"] = "页码，从 1 开始。"
        return parameters
