"""Serializers of the people API (house rule 9): input serializers check the shape, the services apply
the rules (the same Chinese reasons as the pages and the import), output serializers render.

Serializer docstrings are in Chinese because drf-spectacular publishes them as the schema's
descriptions.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kejiju.core.api.serializers import InputSerializer, RegionCodeField
from kejiju.people.choices import Education, Gender, IdType, TitleLevel
from kejiju.people.models import Honour, Person, TalentCategory, TalentMembership


class TalentCategorySerializer(serializers.ModelSerializer):
    """人才类别。"""

    class Meta:
        model = TalentCategory
        fields = ["id", "code", "name", "description", "order", "is_active"]
        read_only_fields = fields


class MembershipSerializer(serializers.ModelSerializer):
    """人才入库记录。"""

    category = serializers.CharField(source="category.code", read_only=True, help_text="人才类别代码。")
    category_name = serializers.CharField(source="category.name", read_only=True, help_text="人才类别名称。")
    selection_round = serializers.IntegerField(
        source="selection_round_id", read_only=True, allow_null=True, help_text="来源评选批次 id（直接入库为 null）。"
    )

    class Meta:
        model = TalentMembership
        fields = ["id", "category", "category_name", "year", "document_no", "selection_round", "is_archived"]
        read_only_fields = fields


class HonourSerializer(serializers.ModelSerializer):
    """荣誉与入选。"""

    level_label = serializers.CharField(source="get_level_display", read_only=True, help_text="级别名称。")

    class Meta:
        model = Honour
        fields = ["id", "title", "level", "level_label", "year", "issuer", "document_no"]
        read_only_fields = fields


class PersonSerializer(serializers.ModelSerializer):
    """人员（列表）。证件号码对无修改权限者只显示首尾各 4 位。"""

    id_number = serializers.SerializerMethodField(help_text="证件号码（无权查看完整号码时中间以 * 遮盖）。")
    id_type_label = serializers.CharField(source="get_id_type_display", read_only=True, help_text="证件类型名称。")
    region = serializers.CharField(source="region_id", read_only=True, help_text="所属区划代码。")
    region_name = serializers.CharField(source="region.name", read_only=True, help_text="所属区划名称。")
    organization = serializers.IntegerField(
        source="organization_id", read_only=True, allow_null=True, help_text="工作单位 id。"
    )
    organization_name = serializers.SerializerMethodField(help_text="工作单位名称。")

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "id_type",
            "id_type_label",
            "id_number",
            "gender",
            "birth_date",
            "ethnicity",
            "phone",
            "email",
            "region",
            "region_name",
            "organization",
            "organization_name",
            "position",
            "title",
            "title_level",
            "education",
            "major",
            "subjects",
            "industries",
            "keywords",
            "is_archived",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_id_number(self, obj: Person) -> str:
        from kejiju.people.permissions import can_view_id_number

        request = self.context.get("request")
        user = getattr(request, "user", None)
        return obj.id_number if user is not None and can_view_id_number(user, obj) else obj.masked_id_number

    def get_organization_name(self, obj: Person) -> str:
        return obj.organization.name if obj.organization is not None else ""


class PersonDetailSerializer(PersonSerializer):
    """人员详情，含人才类别、荣誉与其他模块中的角色。"""

    memberships = serializers.SerializerMethodField(help_text="人才类别（在库的）。")
    honours = serializers.SerializerMethodField(help_text="荣誉与入选。")
    roles = serializers.SerializerMethodField(help_text="在平台各模块中的角色（专家、科技特派员、人才……）。")

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "memberships", "honours", "roles"]
        read_only_fields = fields

    def _user(self) -> Any:
        return getattr(self.context.get("request"), "user", None)

    def get_memberships(self, obj: Person) -> list[dict[str, Any]]:
        from kejiju.people import selectors
        from kejiju.people.permissions import can_view_talent

        if not can_view_talent(self._user(), obj):
            return []
        return list(MembershipSerializer(selectors.person_memberships(person=obj), many=True).data)

    def get_honours(self, obj: Person) -> list[dict[str, Any]]:
        from kejiju.people import selectors
        from kejiju.people.permissions import can_view_talent

        if not can_view_talent(self._user(), obj):
            return []
        return list(HonourSerializer(selectors.person_honours(person=obj), many=True).data)

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"label": {"type": "string"}, "url": {"type": "string"}, "detail": {"type": "string"}},
            },
        }
    )
    def get_roles(self, obj: Person) -> list[dict[str, str]]:
        from kejiju.people.registry import person_roles

        return [{"label": r.label, "url": r.url, "detail": r.detail} for r in person_roles(self._user(), obj)]


class TalentSerializer(serializers.ModelSerializer):
    """人才库中的一条入库记录（一人一类别一行）。"""

    person = serializers.IntegerField(source="person_id", read_only=True, help_text="人员 id。")
    name = serializers.CharField(source="person.name", read_only=True, help_text="姓名。")
    category = serializers.CharField(source="category.code", read_only=True, help_text="人才类别代码。")
    category_name = serializers.CharField(source="category.name", read_only=True, help_text="人才类别名称。")
    region = serializers.CharField(source="region_id", read_only=True, help_text="所属区划代码。")

    class Meta:
        model = TalentMembership
        fields = ["id", "person", "name", "category", "category_name", "year", "document_no", "region"]
        read_only_fields = fields


def _fields(*, create: bool) -> dict[str, serializers.Field]:
    def text(label: str, max_length: int, help_text: str = "") -> serializers.CharField:
        return serializers.CharField(
            label=label, max_length=max_length, required=False, allow_blank=True, help_text=help_text
        )

    return {
        "name": serializers.CharField(label="姓名", max_length=40, required=create),
        "id_type": serializers.ChoiceField(label="证件类型", choices=IdType.choices, required=False),
        "id_number": serializers.CharField(
            label="证件号码",
            max_length=32,
            required=create,
            help_text="居民身份证 18 位（GB 11643 校验，15 位旧号自动升级）；护照等 5–20 位字母数字。",
        ),
        "region": RegionCodeField(label="所属区划", required=create, help_text="区划代码，须在您的管辖范围内。"),
        "gender": serializers.ChoiceField(
            label="性别", choices=Gender.choices, required=False, allow_blank=True, help_text="居民身份证由号码得出。"
        ),
        "birth_date": serializers.DateField(label="出生日期", required=False, allow_null=True),
        "ethnicity": text("民族", 20),
        "phone": text("联系电话", 40),
        "email": text("电子邮箱", 254),
        "organization": serializers.IntegerField(
            label="工作单位", required=False, allow_null=True, min_value=1, max_value=2**63 - 1, help_text="单位 id。"
        ),
        "position": text("职务", 60),
        "title": text("职称", 60),
        "title_level": serializers.ChoiceField(
            label="职称级别", choices=TitleLevel.choices, required=False, allow_blank=True
        ),
        "education": serializers.ChoiceField(
            label="最高学历", choices=Education.choices, required=False, allow_blank=True
        ),
        "major": text("所学专业", 80),
        "subjects": serializers.ListField(
            label="学科", child=serializers.CharField(max_length=10), required=False, max_length=20
        ),
        "industries": serializers.ListField(
            label="行业", child=serializers.CharField(max_length=10), required=False, max_length=20
        ),
        "keywords": text("专长关键词", 300),
        "notes": text("备注", 2000),
    }


class PersonCreateSerializer(InputSerializer):
    """登记人员：证件号码不能与已登记的重复（一人一条记录）。"""

    def get_fields(self) -> dict[str, serializers.Field]:
        return _fields(create=True)


class PersonUpdateSerializer(InputSerializer):
    """修改人员；未提供的字段保持不变。"""

    def get_fields(self) -> dict[str, serializers.Field]:
        return _fields(create=False)
