"""Serializers of the assessment API: input serializers check shapes and types; the services apply the
rules (deadline, evidence, rubric ranges, an assessor never scoring their own town …)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from kejiju.assessment.choices import SchemeStatus, TargetStatus
from kejiju.assessment.models import AssessmentScheme, AssessmentTarget, AssessorScore
from kejiju.core.api.serializers import MAX_ID, InputSerializer

RESULT_STAGES = (SchemeStatus.SCORING, SchemeStatus.PUBLISHED)


class AssessmentSchemeFilterSerializer(serializers.Serializer):
    """考核方案筛选条件。"""

    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False, label="考核年度")
    status = serializers.ChoiceField(choices=SchemeStatus.choices, required=False, label="状态")
    q = serializers.CharField(max_length=100, required=False, allow_blank=True, label="关键词")


class AssessmentTargetFilterSerializer(serializers.Serializer):
    """目标任务书筛选条件。"""

    scheme = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, label="考核方案")
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False, label="考核年度")
    status = serializers.ChoiceField(choices=TargetStatus.choices, required=False, label="状态")


class AssessmentSchemeSerializer(serializers.ModelSerializer):
    """考核方案。"""

    status = serializers.CharField(read_only=True, label="状态", help_text="draft、issued、scoring、published。")
    status_display = serializers.CharField(source="get_status_display", read_only=True, label="状态名称")
    assessee_kind_display = serializers.CharField(
        source="get_assessee_kind_display", read_only=True, label="考核对象名称"
    )

    class Meta:
        model = AssessmentScheme
        fields = [
            "id",
            "name",
            "year",
            "assessee_kind",
            "assessee_kind_display",
            "status",
            "status_display",
            "self_assessment_due",
            "computed_at",
            "published_at",
            "region",
        ]
        read_only_fields = fields


class AssessmentSchemeDetailSerializer(AssessmentSchemeSerializer):
    """考核方案（含考核细则）。"""

    template = serializers.JSONField(read_only=True, label="考核细则", help_text="指标、权重、计分规则和等次。")

    class Meta(AssessmentSchemeSerializer.Meta):
        fields = [*AssessmentSchemeSerializer.Meta.fields, "notes", "template"]
        read_only_fields = fields


class AssessmentTargetSerializer(serializers.ModelSerializer):
    """目标任务书（得分、等次、排名在评分开始后显示）。"""

    status = serializers.CharField(read_only=True, label="状态", help_text="issued、submitted、published。")
    status_display = serializers.CharField(source="get_status_display", read_only=True, label="状态名称")
    scheme_name = serializers.CharField(source="scheme.name", read_only=True, label="考核方案")
    year = serializers.IntegerField(source="scheme.year", read_only=True, label="考核年度")
    total = serializers.SerializerMethodField(label="总分")
    grade = serializers.SerializerMethodField(label="等次")
    rank = serializers.SerializerMethodField(label="排名")

    class Meta:
        model = AssessmentTarget
        fields = [
            "id",
            "scheme",
            "scheme_name",
            "year",
            "assessee_name",
            "region",
            "department",
            "status",
            "status_display",
            "self_submitted_at",
            "total",
            "grade",
            "rank",
        ]
        read_only_fields = fields

    @staticmethod
    def _shown(obj: AssessmentTarget) -> bool:
        return obj.scheme.status in RESULT_STAGES

    def get_total(self, obj: AssessmentTarget) -> str | None:
        return None if not self._shown(obj) or obj.total is None else f"{obj.total:.2f}"

    def get_grade(self, obj: AssessmentTarget) -> str:
        return obj.grade if self._shown(obj) else ""

    def get_rank(self, obj: AssessmentTarget) -> int | None:
        return obj.rank if self._shown(obj) else None


class AssessmentTargetDetailSerializer(AssessmentTargetSerializer):
    """目标任务书（含目标值、自评和得分明细）。"""

    targets = serializers.JSONField(read_only=True, label="目标值", help_text="{指标代码: 目标值}")
    self_values = serializers.JSONField(
        read_only=True, label="自评", help_text="{指标代码: {actual, count, triggered, note}}"
    )
    adjustment = serializers.DecimalField(max_digits=7, decimal_places=2, read_only=True, label="申诉调整分")
    result = serializers.SerializerMethodField(label="得分明细")

    class Meta(AssessmentTargetSerializer.Meta):
        fields = [*AssessmentTargetSerializer.Meta.fields, "targets", "self_values", "adjustment", "result"]
        read_only_fields = fields

    def get_result(self, obj: AssessmentTarget) -> dict[str, Any]:
        return obj.result if self._shown(obj) else {}


class AssessmentScoreSerializer(serializers.ModelSerializer):
    """一位考核人员对一个单位的评分。"""

    assessor_name = serializers.CharField(source="assessor.full_name", read_only=True, label="考核人员")
    scores = serializers.JSONField(read_only=True, label="评分", help_text="{指标代码: 分数}")

    class Meta:
        model = AssessorScore
        fields = ["id", "target", "assessor", "assessor_name", "scores", "comments", "submitted_at"]
        read_only_fields = fields


class AssessmentSelfItemSerializer(InputSerializer):
    """一项指标的自评。"""

    actual = serializers.CharField(
        max_length=30, required=False, allow_blank=True, allow_null=True, label="完成值", help_text="最多两位小数。"
    )
    count = serializers.IntegerField(min_value=0, max_value=9999, required=False, label="次数")
    triggered = serializers.BooleanField(required=False, label="触发否决")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, label="说明")


class AssessmentSelfAssessmentSerializer(InputSerializer):
    """保存自评草稿：只保存给出的指标。"""

    values = serializers.DictField(child=AssessmentSelfItemSerializer(), label="自评", help_text="{指标代码: 自评}")


class AssessmentScoreInputSerializer(InputSerializer):
    """提交评分：每个定性指标一个分数（最多两位小数，在评分标准范围内）。"""

    scores = serializers.DictField(
        child=serializers.CharField(max_length=12), label="评分", help_text='{指标代码: 分数}，如 {"Q1": "35.5"}。'
    )
    comments = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="", label="评价意见")
