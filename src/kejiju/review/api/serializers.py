"""Serializers of the review API: outputs, and input bodies (unknown fields refused)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kejiju.core.api.serializers import InputSerializer
from kejiju.review.models import Assignment, BatchItem, Criterion, Expert, ReviewBatch


class ExpertSerializer(serializers.ModelSerializer):
    """专家（列表）。"""

    region = serializers.CharField(source="region_id", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    organization = serializers.CharField(source="org_label", read_only=True)

    class Meta:
        model = Expert
        fields = ["id", "name", "title", "organization", "region", "subjects", "keywords", "status", "status_label"]


class ExpertDetailSerializer(ExpertSerializer):
    """专家详情（含联系方式与银行账户）。"""

    class Meta(ExpertSerializer.Meta):
        fields = [
            *ExpertSerializer.Meta.fields,
            "industries",
            "phone",
            "email",
            "bank_account_name",
            "bank_name",
            "bank_account_no",
            "status_reason",
            "origin",
            "created_at",
            "updated_at",
        ]


class ExpertCreateSerializer(InputSerializer):
    name = serializers.CharField(label="姓名", max_length=40)
    id_number = serializers.CharField(label="身份证号码", max_length=32)
    region = serializers.RegexField(r"^\d{2,12}$", label="所属区划代码", max_length=12)
    subjects = serializers.ListField(child=serializers.CharField(max_length=10), label="学科代码", max_length=20)
    organization_name = serializers.CharField(label="工作单位", max_length=200, required=False, allow_blank=True)
    title = serializers.CharField(label="职称", max_length=60, required=False, allow_blank=True)
    industries = serializers.ListField(
        child=serializers.CharField(max_length=10), label="行业", max_length=20, required=False
    )
    keywords = serializers.CharField(label="专长关键词", max_length=300, required=False, allow_blank=True)
    phone = serializers.CharField(label="联系电话", max_length=40, required=False, allow_blank=True)
    email = serializers.CharField(label="电子邮箱", max_length=254, required=False, allow_blank=True)
    bank_account_name = serializers.CharField(label="开户名", max_length=60, required=False, allow_blank=True)
    bank_name = serializers.CharField(label="开户银行", max_length=100, required=False, allow_blank=True)
    bank_account_no = serializers.CharField(label="银行账号", max_length=40, required=False, allow_blank=True)


class ExpertUpdateSerializer(InputSerializer):
    subjects = serializers.ListField(
        child=serializers.CharField(max_length=10), label="学科代码", max_length=20, required=False
    )
    organization_name = serializers.CharField(label="工作单位", max_length=200, required=False, allow_blank=True)
    title = serializers.CharField(label="职称", max_length=60, required=False, allow_blank=True)
    industries = serializers.ListField(
        child=serializers.CharField(max_length=10), label="行业", max_length=20, required=False
    )
    keywords = serializers.CharField(label="专长关键词", max_length=300, required=False, allow_blank=True)
    phone = serializers.CharField(label="联系电话", max_length=40, required=False, allow_blank=True)
    email = serializers.CharField(label="电子邮箱", max_length=254, required=False, allow_blank=True)
    bank_account_name = serializers.CharField(label="开户名", max_length=60, required=False, allow_blank=True)
    bank_name = serializers.CharField(label="开户银行", max_length=100, required=False, allow_blank=True)
    bank_account_no = serializers.CharField(label="银行账号", max_length=40, required=False, allow_blank=True)


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Criterion
        fields = ["id", "name", "weight", "guide"]


class BatchItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = BatchItem
        fields = [
            "id",
            "ref",
            "title",
            "score_mean",
            "score_trimmed",
            "score_spread",
            "rank",
            "spread_warning",
            "recommendation",
        ]


class BatchSerializer(serializers.ModelSerializer):
    """评审批次（含评分指标与汇总结果）。"""

    region = serializers.CharField(source="region_id", read_only=True)
    criteria = CriterionSerializer(many=True, read_only=True)
    items = BatchItemSerializer(many=True, read_only=True)

    class Meta:
        model = ReviewBatch
        fields = [
            "id",
            "title",
            "region",
            "source_key",
            "kind",
            "format",
            "mode",
            "status",
            "reviewers_per_item",
            "reserves_per_item",
            "min_load",
            "max_load",
            "avoid_same_county",
            "review_date",
            "criteria",
            "items",
            "created_at",
        ]


class MyAssignmentSerializer(serializers.ModelSerializer):
    """专家本人的评审任务。"""

    batch_title = serializers.CharField(source="batch.title", read_only=True)
    item_title = serializers.CharField(source="item.title", read_only=True)
    criteria = serializers.SerializerMethodField()
    scores = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()
    submitted_at = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = [
            "id",
            "batch",
            "batch_title",
            "item_title",
            "status",
            "invited_at",
            "respond_by",
            "declared_at",
            "criteria",
            "scores",
            "total",
            "submitted_at",
        ]

    @extend_schema_field(CriterionSerializer(many=True))
    def get_criteria(self, obj: Assignment) -> list[dict[str, object]]:
        return [dict(CriterionSerializer(c).data) for c in obj.batch.criteria.all()]

    def _sheet(self, obj: Assignment) -> object:
        return getattr(obj, "sheet", None)

    def get_scores(self, obj: Assignment) -> dict[str, str]:
        sheet = self._sheet(obj)
        return dict(getattr(sheet, "scores", {}) or {})

    def get_total(self, obj: Assignment) -> str | None:
        total = getattr(self._sheet(obj), "total", None)
        return None if total is None else str(total)

    def get_submitted_at(self, obj: Assignment) -> str | None:
        at = getattr(self._sheet(obj), "submitted_at", None)
        return None if at is None else at.isoformat()


class RespondSerializer(InputSerializer):
    accept = serializers.BooleanField(label="是否接受")
    declare_no_conflict = serializers.BooleanField(label="无利害关系声明", required=False, default=False)
    conflict = serializers.BooleanField(label="存在利害关系", required=False, default=False)
    reason = serializers.CharField(label="理由", max_length=200, required=False, allow_blank=True, default="")


class SheetSerializer(InputSerializer):
    scores = serializers.DictField(
        child=serializers.DecimalField(max_digits=6, decimal_places=1, min_value=0, max_value=100),
        label="各项得分（指标 id → 分数）",
        allow_empty=True,
    )
    comment = serializers.CharField(label="评审意见", max_length=5000, required=False, allow_blank=True, default="")
    recommendation = serializers.ChoiceField(
        label="推荐意见",
        choices=["", "strongly", "support", "revise", "reject"],
        required=False,
        allow_blank=True,
        default="",
    )
    submit = serializers.BooleanField(label="提交（提交后不能修改）", required=False, default=False)
