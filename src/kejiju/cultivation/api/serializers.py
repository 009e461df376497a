"""Output serializers of the cultivation API."""

from __future__ import annotations

from rest_framework import serializers

from kejiju.cultivation.models import PipelineEntry, RdReserveFiling, SubsidyAward, SubsidyPolicy, SubsidyPolicyVersion


class _OrgMixin(serializers.Serializer):  # type: ignore[type-arg]
    organization_id = serializers.IntegerField(read_only=True, help_text="单位 id")
    organization_name = serializers.CharField(source="organization.name", read_only=True, help_text="单位名称")
    credit_code = serializers.CharField(source="organization.credit_code", read_only=True, help_text="统一社会信用代码")
    region = serializers.CharField(source="region_id", read_only=True, help_text="所属区划代码")


class PipelineEntrySerializer(_OrgMixin, serializers.ModelSerializer):  # type: ignore[type-arg]
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)

    class Meta:
        model = PipelineEntry
        fields = [
            "id",
            "organization_id",
            "organization_name",
            "credit_code",
            "region",
            "year",
            "stage",
            "stage_label",
            "tech_sme_passed",
            "tech_sme_score",
            "tech_sme_rule_version",
            "tech_sme_number",
            "registered_on",
            "hnte_rule_version",
            "gap_count",
            "innovation_min",
            "innovation_max",
            "applied_on",
            "certificate_no",
            "recognised_on",
            "expires_on",
        ]


class GapSerializer(serializers.Serializer):  # type: ignore[type-arg]
    key = serializers.CharField()
    message = serializers.CharField()
    shortfall = serializers.CharField()
    unit = serializers.CharField()


class PipelineEntryDetailSerializer(PipelineEntrySerializer):
    tech_sme_result = serializers.JSONField(read_only=True, help_text="科小评价结果（引擎输出，含 gaps）")
    hnte_result = serializers.JSONField(read_only=True, help_text="高企测算结果（引擎输出）")
    hnte_gaps = GapSerializer(many=True, read_only=True)

    class Meta(PipelineEntrySerializer.Meta):
        fields = [*PipelineEntrySerializer.Meta.fields, "tech_sme_result", "hnte_result", "hnte_gaps"]


class FilingSerializer(_OrgMixin, serializers.ModelSerializer):  # type: ignore[type-arg]
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = RdReserveFiling
        fields = [
            "id",
            "organization_id",
            "organization_name",
            "credit_code",
            "region",
            "year",
            "reserve_amount",
            "rd_expense",
            "status",
            "status_label",
            "filed_on",
        ]


class PolicyVersionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    params = serializers.JSONField(read_only=True)

    class Meta:
        model = SubsidyPolicyVersion
        fields = ["id", "effective_from", "kind", "params"]


class PolicySerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    versions = PolicyVersionSerializer(many=True, read_only=True)

    class Meta:
        model = SubsidyPolicy
        fields = ["id", "code", "name", "is_active", "versions"]


class AwardSerializer(_OrgMixin, serializers.ModelSerializer):  # type: ignore[type-arg]
    policy_code = serializers.CharField(source="policy_version.policy.code", read_only=True)
    policy_name = serializers.CharField(source="policy_version.policy.name", read_only=True)
    effective_from = serializers.DateField(source="policy_version.effective_from", read_only=True)
    inputs = serializers.JSONField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = SubsidyAward
        fields = [
            "id",
            "organization_id",
            "organization_name",
            "credit_code",
            "region",
            "year",
            "policy_code",
            "policy_name",
            "effective_from",
            "inputs",
            "explanation",
            "amount",
            "source",
            "status",
            "status_label",
            "paid_on",
            "voucher_no",
        ]
