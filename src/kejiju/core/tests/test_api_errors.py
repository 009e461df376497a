"""``parse_input`` names nested errors by row and inner label, never Python reprs."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from rest_framework import serializers

from kejiju.core.api.serializers import InputSerializer
from kejiju.core.api.views import parse_input
from kejiju.core.errors import RowErrors


class _Member(serializers.Serializer):
    name = serializers.CharField(label="姓名", max_length=5)
    age = serializers.IntegerField(label="年龄", min_value=0)


class _Body(InputSerializer):
    title = serializers.CharField(label="标题")
    members = _Member(many=True, label="成员")
    leader = _Member(label="负责人", required=False)
    scores = serializers.ListField(child=serializers.IntegerField(max_value=100), label="分数", required=False)


def _error(data):
    with pytest.raises(RowErrors) as exc:
        parse_input(_Body, SimpleNamespace(data=data))  # type: ignore[arg-type]
    return exc.value


def test_row_of_a_list_named_by_number_and_label():
    err = _error({"title": "x", "members": [{"name": "张三", "age": 1}, {"name": "李四", "age": -1}]})
    assert err.message == "成员：第 2 行 年龄：请确保该值大于或者等于 0。"
    assert err.errors["members"] == ["第 2 行 年龄：请确保该值大于或者等于 0。"]
    assert "ErrorDetail" not in str(err.errors) and "{" not in err.message


def test_nested_object_and_list_field():
    err = _error({"title": "x", "members": [], "leader": {"name": "太长的名字啊", "age": 3}})
    assert err.message.startswith("负责人：姓名：") and "5" in err.message
    err = _error({"title": "x", "members": [], "scores": [1, 101]})
    assert err.message == "分数：第 2 行：请确保该值小于或者等于 100。"


def test_flat_errors_unchanged():
    err = _error({"members": []})
    assert err.message == "标题：该字段是必填项。" and err.code == "required"
    err = _error({"title": "x", "members": [{"age": 1}]})
    assert err.message == "成员：第 1 行 姓名：该字段是必填项。" and err.code == "required"
