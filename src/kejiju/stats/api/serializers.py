"""Serializers of the statistics API: the catalogue, a figure with provenance, entered values."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from kejiju.stats.choices import AREAS
from kejiju.stats.models import EnteredValue, IndicatorDefinition


class IndicatorSerializer(serializers.ModelSerializer):
    """指标目录中的一个指标。"""

    class Meta:
        model = IndicatorDefinition
        fields = [
            "code",
            "name",
            "definition",
            "unit",
            "period_type",
            "source",
            "additive",
            "decimals",
            "area",
            "is_active",
        ]


class IndicatorFilterSerializer(serializers.Serializer):
    area = serializers.ChoiceField(choices=list(AREAS), required=False, help_text="业务领域。")
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=["computed", "entered"], required=False, help_text="来源。"
    )


class ValueQuerySerializer(serializers.Serializer):
    indicator = serializers.CharField(max_length=80, help_text="指标代码。")
    region = serializers.RegexField(r"^[0-9]{2,12}$", required=False, help_text="区划代码（默认当前工作区划）。")
    period = serializers.RegexField(
        r"^[0-9]{4}([HhQq][1-4])?$", max_length=8, help_text="统计期：2026、2026H1 或 2026Q3。"
    )


class FigureSerializer(serializers.Serializer):
    """一个数值及其来源：计算指标给出查询与记录数，录入指标给出录入人与来源文件。"""

    indicator = serializers.CharField(source="code")
    name = serializers.CharField()
    unit = serializers.CharField()
    definition = serializers.CharField()
    area = serializers.CharField()
    source = serializers.CharField(help_text="computed（系统计算）或 entered（人工录入）。")  # type: ignore[assignment]
    region = serializers.CharField()
    period = serializers.CharField()
    value = serializers.DecimalField(
        max_digits=20, decimal_places=4, allow_null=True, coerce_to_string=True, help_text="数值；null 表示无数据。"
    )
    record_count = serializers.IntegerField(allow_null=True, help_text="数值背后的记录数。")
    query = serializers.CharField(help_text="计算所用查询（SQL）或录入说明。")
    computed_at = serializers.DateTimeField(allow_null=True)
    entered_by = serializers.CharField(allow_blank=True)
    source_document = serializers.CharField(source="source_document_id", allow_blank=True)
    records_url = serializers.CharField(help_text="查看背后记录的页面。")


class EnteredValueSerializer(serializers.ModelSerializer):
    """一条录入数值。"""

    indicator = serializers.CharField(source="indicator.code")
    region = serializers.CharField(source="region_id")
    source_document = serializers.UUIDField(source="source_document_id")
    entered_by = serializers.SerializerMethodField()

    class Meta:
        model = EnteredValue
        fields = [
            "id",
            "indicator",
            "region",
            "period",
            "value",
            "source_document",
            "source_note",
            "entered_by",
            "updated_at",
        ]

    def get_entered_by(self, obj: EnteredValue) -> str:
        user: Any = obj.entered_by
        return str(user.get_full_name() or user.get_username())


class EnteredValueCreateSerializer(serializers.Serializer):
    indicator = serializers.CharField(max_length=80, label="指标")
    region = serializers.CharField(max_length=12, label="区划")
    period = serializers.CharField(max_length=8, label="统计期")
    value = serializers.CharField(
        max_length=40, allow_blank=True, label="数值", help_text="数字文本，如 2.35；不是数字时答 400。"
    )
    source_document = serializers.UUIDField(
        required=False, allow_null=True, label="来源文件", help_text="已上传附件的 id（必填，没有来源的数值不能录入）。"
    )
    source_note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="", label="来源说明")


class EnteredFilterSerializer(serializers.Serializer):
    indicator = serializers.CharField(max_length=80, required=False)
    period = serializers.RegexField(r"^[0-9]{4}([HQ][1-4])?$", required=False)
    region = serializers.RegexField(r"^[0-9]{2,12}$", required=False)
