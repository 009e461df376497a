"""Serializers of the assessment API: input serializers check shapes and types; the services apply the
rules (deadline, evidence, rubric ranges, an assessor never scoring their own town …)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from kejiju.assessment.choices import MidyearStatus, SchemeStatus, TargetStatus
from kejiju.assessment.models import AssessmentScheme, AssessmentTarget, AssessorScore
from kejiju.assessment.selectors import MIDYEAR_SORTS
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


# ----------------------------------------------------------------- 年中进度 (mid-year progress)


class MidyearItemInputSerializer(InputSerializer):
    """一项指标的年中进度。"""

    value = serializers.CharField(
        max_length=30,
        required=False,
        allow_blank=True,
        allow_null=True,
        label="累计完成",
        help_text="定量指标截至目前的累计完成值：数字，不能为负，最多两位小数。",
    )
    note = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, label="进展情况", help_text="定性指标必填。"
    )


class MidyearReportInputSerializer(InputSerializer):
    """报送年中进度：替换上次报送的全部数值（历次报送保留在记录历史中）。"""

    values = serializers.DictField(
        child=MidyearItemInputSerializer(),
        label="年中进度",
        help_text='{指标代码: {value, note}}，如 {"N1": {"value": "450", "note": "已培训 9 期"}, "Q1": {"note": "…"}}。',
    )


class MidyearEvidenceSerializer(serializers.Serializer):
    """一份年中进度佐证材料。"""

    id = serializers.IntegerField(read_only=True, label="附件 id")
    item = serializers.CharField(read_only=True, label="指标代码")
    name = serializers.CharField(read_only=True, label="文件名")


class MidyearProgressSerializer(serializers.Serializer):
    """一个单位的年中进度。"""

    target = serializers.IntegerField(read_only=True, label="目标任务书")
    assessee_name = serializers.CharField(read_only=True, label="被考核单位")
    open = serializers.BooleanField(read_only=True, label="可报送", help_text="方案已下达且本单位尚未提交自评。")
    reported = serializers.BooleanField(read_only=True, label="已报送")
    reported_at = serializers.DateTimeField(read_only=True, allow_null=True, label="报送时间")
    values = serializers.JSONField(
        read_only=True, label="年中进度", help_text="{指标代码: {value, note}}（定量）或 {note}（定性）"
    )
    evidence = MidyearEvidenceSerializer(many=True, read_only=True, label="佐证材料")


class MidyearRowSerializer(serializers.Serializer):
    """年中进度表的一行：一个单位的一项指标。"""

    target = serializers.IntegerField(source="target.pk", read_only=True, label="目标任务书")
    assessee_name = serializers.CharField(source="target.assessee_name", read_only=True, label="被考核单位")
    code = serializers.CharField(read_only=True, label="指标代码")
    name = serializers.CharField(read_only=True, label="指标")
    kind = serializers.CharField(read_only=True, label="类型", help_text="quantitative 或 qualitative。")
    unit = serializers.CharField(read_only=True, label="计量单位")
    target_value = serializers.DecimalField(
        max_digits=None, decimal_places=None, read_only=True, allow_null=True, label="全年目标"
    )
    value = serializers.DecimalField(
        max_digits=None, decimal_places=None, read_only=True, allow_null=True, label="累计完成"
    )
    percent = serializers.DecimalField(
        source="shown_percent",
        max_digits=None,
        decimal_places=1,
        read_only=True,
        allow_null=True,
        label="完成比例（%）",
        help_text="累计完成 ÷ 全年目标 × 100，截取一位小数。",
    )
    status = serializers.CharField(
        read_only=True, label="状态", help_text="lagging、on_track、reported、not_filled、unreported。"
    )
    status_display = serializers.CharField(read_only=True, label="状态名称")
    note = serializers.CharField(read_only=True, label="进展情况")
    reported_at = serializers.DateTimeField(read_only=True, allow_null=True, label="报送时间")


class MidyearTableSerializer(serializers.Serializer):
    """考核方案的年中进度表。"""

    threshold = serializers.DecimalField(max_digits=4, decimal_places=1, read_only=True, label="年中滞后阈值（%）")
    reported = serializers.SerializerMethodField(label="已报送单位")
    unreported = serializers.SerializerMethodField(label="未报送单位")
    lagging = serializers.IntegerField(read_only=True, label="滞后项数")
    rows = MidyearRowSerializer(many=True, read_only=True, label="明细")

    def get_reported(self, obj: Any) -> list[str]:
        return [t.assessee_name for t in obj.reported]

    def get_unreported(self, obj: Any) -> list[str]:
        return [t.assessee_name for t in obj.unreported]


class MidyearFilterSerializer(serializers.Serializer):
    """年中进度表筛选与排序。"""

    q = serializers.CharField(max_length=64, required=False, allow_blank=True, label="被考核单位")
    item = serializers.CharField(max_length=40, required=False, allow_blank=True, label="指标代码")
    status = serializers.ChoiceField(choices=MidyearStatus.choices, required=False, label="状态")
    sort = serializers.ChoiceField(
        choices=list(MIDYEAR_SORTS.items()),
        required=False,
        label="排序",
        help_text="assessee、item、percent、-percent、status。",
    )
