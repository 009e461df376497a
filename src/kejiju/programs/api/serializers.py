"""Serializers of the programmes and projects API: input serializers check shapes and types; the
services apply the business rules (amounts with two decimals, deadlines, eligibility …)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from kejiju.core.api.serializers import MAX_ID, InputSerializer
from kejiju.programs.choices import BudgetCategory, FundSource
from kejiju.programs.models import Application, Call, Payment, Project

Text = serializers.CharField


class CallSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, label="状态", help_text="状态代码（见文档）。")
    status_display = serializers.CharField(source="get_status_display", read_only=True, label="状态名称")
    program_name = serializers.CharField(source="program.name", read_only=True, label="科技计划")

    class Meta:
        model = Call
        fields = [
            "id",
            "program",
            "program_name",
            "year",
            "title",
            "status",
            "status_display",
            "opens_at",
            "closes_at",
            "budget_ceiling",
            "max_request",
            "needs_recommendation",
            "eligibility",
            "form_fields",
            "review_criteria",
            "region",
        ]
        read_only_fields = fields


class CallDetailSerializer(CallSerializer):
    class Meta(CallSerializer.Meta):
        fields = [*CallSerializer.Meta.fields, "guide"]
        read_only_fields = fields


class MemberOutSerializer(serializers.Serializer):
    name = serializers.CharField(source="person.name", label="姓名")
    id_number = serializers.CharField(
        source="person.masked_id_number",
        label="证件号码",
        help_text="脱敏显示：只显示前四位和后四位，与页面一致（个人信息，完整号码不经接口输出）。",
    )
    is_leader = serializers.BooleanField(label="项目负责人")
    role = serializers.CharField(label="分工")


class BudgetOutSerializer(serializers.Serializer):
    category = serializers.CharField(label="科目")
    source = serializers.CharField(label="资金来源")  # type: ignore[assignment]
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, label="金额（元）")
    note = serializers.CharField(label="说明")


class ApplicationSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, label="状态", help_text="状态代码（见文档）。")
    status_display = serializers.CharField(source="get_status_display", read_only=True, label="状态名称")
    organization_name = serializers.CharField(source="organization.name", read_only=True, label="申报单位")

    class Meta:
        model = Application
        fields = [
            "id",
            "call",
            "organization",
            "organization_name",
            "number",
            "title",
            "status",
            "status_display",
            "requested_amount",
            "version",
            "submitted_at",
            "review_score",
            "region",
        ]
        read_only_fields = fields


class AvoidExpertSerializer(serializers.Serializer):
    name = serializers.CharField(label="姓名")
    organization = serializers.CharField(label="工作单位", allow_blank=True)
    reason = serializers.CharField(label="回避理由")


class ApplicationDetailSerializer(ApplicationSerializer):
    members = MemberOutSerializer(many=True, read_only=True, label="项目组成员")
    budget_lines = BudgetOutSerializer(many=True, read_only=True, label="经费预算")
    subjects = serializers.ListField(
        child=serializers.CharField(), read_only=True, label="学科", help_text="GB/T 13745 代码，第一个为主学科。"
    )
    cooperating_organizations: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, label="合作单位", help_text="单位名录中的单位 id。"
    )
    avoid_experts = AvoidExpertSerializer(many=True, read_only=True, label="申请回避的专家")

    class Meta(ApplicationSerializer.Meta):
        fields = [
            *ApplicationSerializer.Meta.fields,
            "contact_person",
            "contact_phone",
            "data",
            "subjects",
            "cooperating_organizations",
            "avoid_experts",
            "members",
            "budget_lines",
            "review_opinion",
        ]
        read_only_fields = fields


class MemberInSerializer(InputSerializer):
    name = Text(max_length=40, label="姓名")
    id_number = Text(max_length=30, label="证件号码")
    id_type = Text(max_length=20, required=False, label="证件类型")
    phone = Text(max_length=40, required=False, allow_blank=True, label="手机")
    role = Text(max_length=100, required=False, allow_blank=True, label="分工")
    is_leader = serializers.BooleanField(required=False, default=False, label="项目负责人")


class BudgetInSerializer(InputSerializer):
    category = serializers.ChoiceField(choices=BudgetCategory.choices, label="科目")
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=FundSource.choices, required=False, default=FundSource.GRANT, label="资金来源"
    )
    amount = Text(max_length=30, label="金额（元）", help_text='元，最多两位小数，如 "50000.00"。')
    note = Text(max_length=200, required=False, allow_blank=True, label="说明")


class AvoidExpertInSerializer(InputSerializer):
    name = Text(max_length=40, label="姓名")
    organization = Text(max_length=200, required=False, allow_blank=True, label="工作单位")
    reason = Text(max_length=200, label="回避理由")


class ApplicationSaveSerializer(InputSerializer):
    title = Text(max_length=200, required=False, allow_blank=True, label="项目名称")
    requested_amount = Text(
        max_length=30, required=False, allow_blank=True, label="申请资助（元）", help_text="元，最多两位小数。"
    )
    contact_person = Text(max_length=40, required=False, allow_blank=True, label="联系人")
    contact_phone = Text(max_length=40, required=False, allow_blank=True, label="联系电话")
    fields = serializers.DictField(  # type: ignore[assignment]
        child=Text(max_length=20000, allow_blank=True), required=False, label="申报书字段"
    )
    members = MemberInSerializer(many=True, required=False, label="项目组成员")
    budget = BudgetInSerializer(many=True, required=False, label="经费预算")
    subjects = serializers.ListField(
        child=Text(max_length=20),
        required=False,
        max_length=50,
        label="学科",
        help_text="GB/T 13745 代码，第一个为主学科；草稿可空，提交时至少一个。给出时整体替换。",
    )
    cooperating_organizations = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=50,
        label="合作单位",
        help_text="单位名录中本指南范围内的单位 id（不含申报单位本身），给出时整体替换。",
    )
    avoid_experts = AvoidExpertInSerializer(
        many=True,
        required=False,
        label="申请回避的专家",
        help_text="姓名、工作单位（可空）、回避理由；条数上限由评审设置决定（默认 3）。给出时整体替换。",
    )


class ApplicationCreateSerializer(ApplicationSaveSerializer):
    call = serializers.IntegerField(min_value=1, max_value=MAX_ID, label="指南")
    organization = serializers.IntegerField(min_value=1, max_value=MAX_ID, label="申报单位")


class TransitionSerializer(InputSerializer):
    action = Text(
        max_length=40,
        label="操作",
        help_text="recommend、county_return、start_check、pass_check、return、reject、decline。",
    )
    reason = Text(max_length=2000, required=False, allow_blank=True, default="", label="理由")


class ReasonSerializer(InputSerializer):
    reason = Text(max_length=2000, required=False, allow_blank=True, default="", label="理由")


class ReviewSerializer(InputSerializer):
    score = Text(max_length=10, label="评分")
    opinion = Text(max_length=5000, label="评审意见")
    rank = serializers.IntegerField(min_value=1, max_value=99999, required=False, allow_null=True, label="排名")


class ProjectSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, label="状态", help_text="状态代码（见文档）。")
    status_display = serializers.CharField(source="get_status_display", read_only=True, label="状态名称")
    organization_name = serializers.CharField(source="organization.name", read_only=True, label="承担单位")
    program_name = serializers.CharField(source="program.name", read_only=True, label="科技计划")

    class Meta:
        model = Project
        fields = [
            "id",
            "number",
            "title",
            "status",
            "status_display",
            "program",
            "program_name",
            "organization",
            "organization_name",
            "approved_amount",
            "approved_on",
            "closed_on",
            "region",
        ]
        read_only_fields = fields


class PaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = ["id", "project", "disbursement", "paid_on", "amount", "voucher", "note"]
        read_only_fields = fields


class PaymentCreateSerializer(InputSerializer):
    amount = Text(max_length=30, label="金额（元）", help_text="元，最多两位小数。")
    paid_on = serializers.DateField(label="拨付日期")
    voucher = Text(max_length=60, required=False, allow_blank=True, default="", label="凭证号")
    note = Text(max_length=200, required=False, allow_blank=True, default="", label="说明")
    disbursement = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True, label="拨付批次"
    )
