"""Serializers of the technology-transfer API (drf-spectacular publishes the Chinese docstrings)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from kejiju.core.api.serializers import MAX_ID, InputSerializer
from kejiju.transfer.choices import ContractType, Maturity, TechField, TransferForm
from kejiju.transfer.models import Achievement, Match, TechContract, TechDemand


class DemandSerializer(serializers.ModelSerializer):
    """技术需求。"""

    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    field_label = serializers.CharField(source="get_field_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    region = serializers.CharField(source="region_id", read_only=True)
    status = serializers.CharField(read_only=True, help_text="open 征集中、matched 已对接、closed 已关闭。")

    class Meta:
        model = TechDemand
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "title",
            "problem",
            "field",
            "field_label",
            "budget",
            "deadline",
            "status",
            "status_label",
            "region",
            "created_at",
        ]
        read_only_fields = fields


class DemandCreateSerializer(InputSerializer):
    """发布技术需求：预算单位为元，最多两位小数（字符串或数字，不会自动舍入）。"""

    enterprise = serializers.IntegerField(min_value=1, max_value=MAX_ID, label="需求单位 id")
    title = serializers.CharField(max_length=200, label="需求名称")
    problem = serializers.CharField(max_length=5000, label="需求描述")
    field = serializers.ChoiceField(choices=TechField.choices, label="技术领域")
    budget = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=24, label="预算（元）")
    deadline = serializers.DateField(required=False, allow_null=True, label="期望解决时间")
    contact_name = serializers.CharField(required=False, allow_blank=True, max_length=40, label="联系人")
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=40, label="联系电话")


class DemandUpdateSerializer(InputSerializer):
    """修改技术需求：只改所提供的字段，未提供的保持不变；规则与发布时相同（已关闭的需求不能修改）。"""

    enterprise = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, label="需求单位 id")
    title = serializers.CharField(max_length=200, required=False, label="需求名称")
    problem = serializers.CharField(max_length=5000, required=False, label="需求描述")
    field = serializers.ChoiceField(choices=TechField.choices, required=False, label="技术领域")
    budget = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=24, label="预算（元）")
    deadline = serializers.DateField(required=False, allow_null=True, label="期望解决时间")
    contact_name = serializers.CharField(required=False, allow_blank=True, max_length=40, label="联系人")
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=40, label="联系电话")


class AchievementSerializer(serializers.ModelSerializer):
    """科技成果。"""

    owner_name = serializers.CharField(source="owner.name", read_only=True)
    field_label = serializers.CharField(source="get_field_display", read_only=True)

    class Meta:
        model = Achievement
        fields = [
            "id",
            "owner",
            "owner_name",
            "title",
            "summary",
            "keywords",
            "field",
            "field_label",
            "maturity",
            "transfer_form",
            "price_min",
            "price_max",
            "contact_name",
            "contact_phone",
            "is_public",
        ]
        read_only_fields = fields


class AchievementCreateSerializer(InputSerializer):
    """登记科技成果：意向价格单位为元，最多两位小数（字符串或数字，不会自动舍入）；相关知识产权填成果单位
    已登记的专利申请号、软件著作权登记号等。"""

    owner = serializers.IntegerField(min_value=1, max_value=MAX_ID, label="成果单位 id")
    title = serializers.CharField(max_length=200, label="成果名称")
    summary = serializers.CharField(max_length=5000, label="成果简介")
    keywords = serializers.CharField(required=False, allow_blank=True, max_length=200, label="关键词")
    field = serializers.ChoiceField(choices=TechField.choices, label="技术领域")
    maturity = serializers.ChoiceField(choices=Maturity.choices, label="成熟度")
    transfer_form = serializers.ChoiceField(choices=TransferForm.choices, label="拟转化方式")
    price_min = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=24, label="意向价格下限（元）"
    )
    price_max = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=24, label="意向价格上限（元）"
    )
    related_ip = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        max_length=200,
        label="相关知识产权",
        help_text="成果单位已登记的知识产权号码（可带 ZL、可省略小数点）。",
    )
    contact_name = serializers.CharField(max_length=40, label="联系人")
    contact_phone = serializers.CharField(max_length=40, label="联系电话")
    is_public = serializers.BooleanField(required=False, default=True, label="公开发布")


class AchievementUpdateSerializer(AchievementCreateSerializer):
    """修改科技成果：只改所提供的字段，未提供的保持不变；规则与登记时相同。给出 related_ip 时以它替换相关知识产权。"""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in self.fields.values():
            item.required = False
            item.default = serializers.empty


class SuggestionSerializer(serializers.Serializer):
    """一条推荐：成果或专家、匹配度与理由。"""

    kind = serializers.CharField()
    id = serializers.IntegerField()
    title = serializers.CharField()
    score = serializers.FloatField()
    explanation = serializers.CharField()
    shared_terms = serializers.ListField(child=serializers.CharField())
    field_match = serializers.BooleanField()
    listed = serializers.BooleanField()


class MatchSerializer(serializers.ModelSerializer):
    """成果对接。"""

    status_label = serializers.CharField(source="get_status_display", read_only=True)
    status = serializers.CharField(
        read_only=True, help_text="proposed 待对接、confirmed 已确认、agreed 已达成合作、declined 未达成。"
    )

    class Meta:
        model = Match
        fields = ["id", "demand", "kind", "achievement", "expert", "score", "explanation", "status", "status_label"]
        read_only_fields = fields


class ContractSerializer(serializers.ModelSerializer):
    """技术合同（登记）。成交额单位为元。"""

    contract_type_label = serializers.CharField(source="get_contract_type_display", read_only=True)
    region = serializers.CharField(source="region_id", read_only=True)

    class Meta:
        model = TechContract
        fields = [
            "id",
            "contract_type",
            "contract_type_label",
            "title",
            "registration_no",
            "registered_on",
            "signed_on",
            "seller_name",
            "buyer_name",
            "amount",
            "match",
            "region",
        ]
        read_only_fields = fields


class ContractCreateSerializer(InputSerializer):
    """技术合同登记：成交额为精确金额（元，最多两位小数，三位小数会被拒绝）。"""

    contract_type = serializers.ChoiceField(choices=ContractType.choices, label="合同类型")
    title = serializers.CharField(max_length=200, label="合同名称")
    registration_no = serializers.CharField(max_length=40, label="登记编号")
    registered_on = serializers.DateField(label="登记日期")
    signed_on = serializers.DateField(required=False, allow_null=True, label="签订日期")
    seller_name = serializers.CharField(max_length=200, label="卖方名称")
    buyer_name = serializers.CharField(max_length=200, label="买方名称")
    amount = serializers.CharField(max_length=24, label="合同成交额（元）")
    region = serializers.RegexField(r"^\d{2,12}$", max_length=12, label="登记区划代码")


class ContractUpdateSerializer(ContractCreateSerializer):
    """修改技术合同：只改所提供的字段，未提供的保持不变；规则与登记时相同（登记编号不能与其他合同重复，
    成交额精确到分，日期不能晚于今天）。"""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in self.fields.values():
            item.required = False
