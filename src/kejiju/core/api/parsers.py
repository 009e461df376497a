"""The API reads JSON only, and refuses bodies the database could not store."""

from __future__ import annotations

import codecs
import json
from collections.abc import Mapping
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser as DRFJSONParser
from rest_framework.utils.encoders import JSONEncoder


class JSONParser(DRFJSONParser):
    """DRF's JSON parser with Chinese errors. Besides malformed JSON it refuses lone UTF-16
    surrogates (``"\\ud800"`` is valid JSON but not storable text: PostgreSQL would fail with a
    500) and absurdly deep nesting (Python's parser would raise ``RecursionError``)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding") or "utf-8"
        try:
            data = json.load(codecs.getreader(encoding)(stream), parse_constant=_reject_constant)
        except (ValueError, RecursionError):
            raise ParseError("请求体不是有效的 JSON，请检查格式（须为 UTF-8 编码的 JSON 对象）。", code="parse_error")
        try:
            json.dumps(data, cls=JSONEncoder, ensure_ascii=False).encode("utf-8")
        except (UnicodeEncodeError, RecursionError):
            raise ParseError("请求体含有无法保存的字符（不成对的 UTF-16 代理项），请检查文本。", code="parse_error")
        return data


def _reject_constant(name: str) -> Any:
    # NaN and Infinity are not JSON; Python accepts them unless told otherwise.
    raise ValueError(f"非法的数值 {name}")
