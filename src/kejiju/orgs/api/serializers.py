"""Serializers of the organizations API (house rule 9): input serializers check the shape of a request,
the services apply the rules (the same Chinese reasons as the pages and the Excel import), output
serializers render the result.

Serializer docstrings are in Chinese because drf-spectacular publishes them as the schema's
descriptions.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from rest_framework import serializers

from kejiju.core.api.serializers import InputSerializer, RegionCodeField
from kejiju.orgs.choices import OrgType
from kejiju.orgs.models import IntellectualProperty, Organization, OrganizationAlias, Qualification

MAX_STAFF = 9_999_999


class AliasSerializer(serializers.ModelSerializer):
    """曾用名（更名或合并时保留）。"""

    source_label = serializers.CharField(source="get_source_display", read_only=True, help_text="来源名称。")

    class Meta:
        model = OrganizationAlias
        fields = ["name", "source", "source_label", "until"]
        read_only_fields = fields


class QualificationSerializer(serializers.ModelSerializer):
    """资质（证书）。"""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True, help_text="资质类型名称。")
    level_label = serializers.CharField(source="get_level_display", read_only=True, help_text="级别名称。")
    valid_today = serializers.SerializerMethodField(help_text="今天是否在有效期内。")

    class Meta:
        model = Qualification
        fields = [
            "id",
            "kind",
            "kind_label",
            "level",
            "level_label",
            "certificate_no",
            "issuer",
            "issued_on",
            "expires_on",
            "valid_today",
            "note",
        ]
        read_only_fields = fields

    def get_valid_today(self, obj: Qualification) -> bool:
        return obj.is_valid_on(date.today())


class IntellectualPropertySerializer(serializers.ModelSerializer):
    """知识产权；ip_class 为Ⅰ类（I）、Ⅱ类（II）或不计入（空）。"""

    ip_type_label = serializers.CharField(source="get_ip_type_display", read_only=True, help_text="类型名称。")
    ip_class_label = serializers.CharField(source="get_ip_class_display", read_only=True, help_text="类别名称。")
    status_label = serializers.CharField(source="get_status_display", read_only=True, help_text="状态名称。")

    class Meta:
        model = IntellectualProperty
        fields = [
            "id",
            "ip_type",
            "ip_type_label",
            "ip_class",
            "ip_class_label",
            "title",
            "number",
            "applied_on",
            "granted_on",
            "status",
            "status_label",
            "owners",
        ]
        read_only_fields = fields


class OrganizationSerializer(serializers.ModelSerializer):
    """单位（列表）。"""

    org_type_label = serializers.CharField(source="get_org_type_display", read_only=True, help_text="单位类型名称。")
    region = serializers.CharField(source="region_id", read_only=True, help_text="所属区划代码。")
    region_name = serializers.CharField(source="region.name", read_only=True, help_text="所属区划名称。")
    merged_into = serializers.IntegerField(
        source="merged_into_id", read_only=True, allow_null=True, help_text="已合并至的单位 id（未合并为 null）。"
    )

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "credit_code",
            "org_type",
            "org_type_label",
            "region",
            "region_name",
            "industry_code",
            "address",
            "legal_representative",
            "contact_person",
            "contact_phone",
            "founded_on",
            "staff_count",
            "main_products",
            "is_archived",
            "merged_into",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class OrganizationDetailSerializer(OrganizationSerializer):
    """单位详情，含曾用名、有效与过期的资质和知识产权（未归档的）。"""

    aliases = serializers.SerializerMethodField(help_text="曾用名，最近的在前。")
    qualifications = serializers.SerializerMethodField(help_text="资质（无资质查看权限时为空）。")
    intellectual_property = serializers.SerializerMethodField(help_text="知识产权（无查看权限时为空）。")

    class Meta(OrganizationSerializer.Meta):
        fields = [*OrganizationSerializer.Meta.fields, "aliases", "qualifications", "intellectual_property"]
        read_only_fields = fields

    def _user(self) -> Any:
        request = self.context.get("request")
        return getattr(request, "user", None)

    def get_aliases(self, obj: Organization) -> list[dict[str, Any]]:
        from kejiju.orgs import selectors

        return list(AliasSerializer(selectors.organization_aliases(organization=obj), many=True).data)

    def get_qualifications(self, obj: Organization) -> list[dict[str, Any]]:
        from kejiju.orgs import selectors

        user = self._user()
        if user is None or not user.has_perm("orgs.view_qualification"):
            return []
        return list(QualificationSerializer(selectors.organization_qualifications(organization=obj), many=True).data)

    def get_intellectual_property(self, obj: Organization) -> list[dict[str, Any]]:
        from kejiju.orgs import selectors

        user = self._user()
        if user is None or not user.has_perm("orgs.view_intellectualproperty"):
            return []
        return list(IntellectualPropertySerializer(selectors.organization_ip(organization=obj), many=True).data)


def _fields(*, create: bool) -> dict[str, serializers.Field]:
    """The writable fields: required ones only on create (PATCH leaves what is not sent)."""
    return {
        "name": serializers.CharField(
            label="单位名称", max_length=200, required=create, help_text="与营业执照或登记证书一致。"
        ),
        "credit_code": serializers.CharField(
            label="统一社会信用代码", max_length=24, required=create, help_text="18 位，按 GB 32100 校验。"
        ),
        "region": RegionCodeField(label="所属区划", required=create, help_text="区划代码，须在您的管辖范围内。"),
        "org_type": serializers.ChoiceField(label="单位类型", choices=OrgType.choices, required=create),
        "industry_code": serializers.CharField(
            label="行业门类",
            max_length=4,
            required=False,
            allow_blank=True,
            help_text="GB/T 4754-2017 门类字母（如 C）或大类代码（如 39）。",
        ),
        "address": serializers.CharField(label="注册地址", max_length=200, required=False, allow_blank=True),
        "legal_representative": serializers.CharField(
            label="法定代表人", max_length=40, required=False, allow_blank=True
        ),
        "contact_person": serializers.CharField(label="联系人", max_length=40, required=False, allow_blank=True),
        "contact_phone": serializers.CharField(
            label="联系电话", max_length=40, required=False, allow_blank=True, help_text="手机或带区号的固定电话。"
        ),
        "founded_on": serializers.DateField(label="成立日期", required=False, allow_null=True),
        "staff_count": serializers.IntegerField(
            label="职工人数", required=False, allow_null=True, min_value=0, max_value=MAX_STAFF
        ),
        "main_products": serializers.CharField(
            label="主要产品（服务）", max_length=2000, required=False, allow_blank=True
        ),
    }


class OrganizationCreateSerializer(InputSerializer):
    """登记单位：统一社会信用代码不能与已登记的重复。"""

    def get_fields(self) -> dict[str, serializers.Field]:
        return _fields(create=True)


class OrganizationUpdateSerializer(InputSerializer):
    """修改单位；未提供的字段保持不变。改名后原名称保留为曾用名。"""

    def get_fields(self) -> dict[str, serializers.Field]:
        return _fields(create=False)
