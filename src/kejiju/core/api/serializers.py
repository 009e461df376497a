"""Serializers of the core API (house rule 9): input serializers parse and check the shape of a
request, services apply the business rules, output serializers render the result.

Input serializers derive from :class:`InputSerializer`: an unknown field is an error (a typo must
not be silently ignored), and region or department references are resolved within the caller's
scope so a forged code never reveals whether a record exists elsewhere.

Serializer docstrings are in Chinese because drf-spectacular publishes them as the schema's
descriptions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.validators import RegexValidator
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kejiju.core.choices import RegionLevel, Role
from kejiju.core.models import Department, Region, User
from kejiju.core.permissions import account_region_code, active_region_code

#: Largest primary key the databases store (signed 64-bit); larger numbers are simply "not found".
MAX_ID = 2**63 - 1

OUT_OF_SCOPE_REGION = "所选区划不在您的管辖范围内。"
NOT_AN_OBJECT = "请求体须为 JSON 对象（{…}），收到的是 %(type)s。"


# ---------------------------------------------------------------- errors


class ErrorSerializer(serializers.Serializer):
    """错误应答（所有 4xx）。"""

    detail = serializers.CharField(help_text="中文错误说明（指明字段与原因）。")
    code = serializers.CharField(help_text="稳定的错误代码，如 required、invalid、out_of_scope、not_found。")
    field = serializers.CharField(required=False, help_text="出错的字段（如有）。")
    # Declared fields are popped off the class, so this does not shadow Serializer.errors.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="字段 → 错误说明列表（输入校验失败时）。",
    )


# ---------------------------------------------------------------- input base


class InputSerializer(serializers.Serializer):
    """请求体：只含所列字段的 JSON 对象（未知字段会被拒绝）。"""

    def run_validation(self, data: Any = serializers.empty) -> Any:
        # DRF's own answer to a JSON null body is untranslated ("No data provided").
        if data is None:
            raise serializers.ValidationError({"non_field_errors": [NOT_AN_OBJECT % {"type": "null"}]}, code="invalid")
        return super().run_validation(data)

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, Mapping):
            raise serializers.ValidationError(
                {"non_field_errors": [NOT_AN_OBJECT % {"type": type(data).__name__}]}, code="invalid"
            )
        unknown = [str(key) for key in data if key not in self.fields]
        if unknown:
            raise serializers.ValidationError(
                {key: [serializers.ErrorDetail("不支持此字段。", code="unknown_field")] for key in unknown}
            )
        return super().to_internal_value(data)


@extend_schema_field({"type": "string", "pattern": r"^\d{2,12}$", "nullable": True, "example": "341181"})
class RegionCodeField(serializers.CharField):
    """A region given by its code, resolved within the caller's account region. A code outside
    it answers "所选区划不在您的管辖范围内。" whether or not it exists (existence never leaks)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 12)
        super().__init__(**kwargs)

    def run_validation(self, data: Any = serializers.empty) -> Region | None:
        # Resolve after the string checks (length, NUL characters) have run on the code itself.
        code = super().run_validation(data)
        if not code:
            return None
        scope = account_region_code(self.context["request"].user)
        if scope is None or not code.startswith(scope):
            raise serializers.ValidationError(OUT_OF_SCOPE_REGION, code="out_of_scope")
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise serializers.ValidationError("所选区划不存在。", code="does_not_exist")
        return region


class DepartmentField(serializers.IntegerField):
    """A section (科室) by id, resolved within the caller's account region; one message for
    "does not exist" and "not yours"."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)

    def run_validation(self, data: Any = serializers.empty) -> Department | None:
        # Resolve after the integer checks (type, bounds) have run on the id itself.
        pk = super().run_validation(data)
        if pk is None:
            return None
        department = Department.objects.filter(pk=pk).first()
        scope = account_region_code(self.context["request"].user)
        if department is None or scope is None or not department.region_id.startswith(scope):
            raise serializers.ValidationError("所选科室不存在。", code="does_not_exist")
        return department


# ---------------------------------------------------------------- regions


class RegionSerializer(serializers.ModelSerializer):
    """行政区划。"""

    level_label = serializers.CharField(source="get_level_display", read_only=True, help_text="级别名称。")
    source_label = serializers.CharField(source="get_source_display", read_only=True, help_text="来源名称。")
    # A declared field (popped off the class), not Field.parent.
    parent = serializers.CharField(  # type: ignore[assignment]
        source="parent_id", read_only=True, allow_null=True, help_text="上级区划代码。"
    )

    class Meta:
        model = Region
        fields = [
            "code",
            "name",
            "level",
            "level_label",
            "kind",
            "parent",
            "source",
            "source_label",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class RegionCreateSerializer(InputSerializer):
    """新增乡镇（9 位代码）或村（12 位代码），上级区划须已存在。"""

    code = serializers.CharField(
        label="区划代码",
        max_length=12,
        validators=[RegexValidator(r"^(\d{9}|\d{12})$", "区划代码须为 9 位（乡镇/街道）或 12 位（村/社区）数字。")],
        help_text="9 位（乡镇/街道）或 12 位（村/社区）统计用区划代码。",
    )
    name = serializers.CharField(label="名称", max_length=64)
    kind = serializers.CharField(
        label="类型",
        max_length=16,
        required=False,
        allow_blank=True,
        default="",
        help_text="如 镇、街道、村委会、居委会。",
    )


class RegionUpdateSerializer(InputSerializer):
    """修改区划名称、类型或启用状态；未提供的字段保持不变。"""

    name = serializers.CharField(label="名称", max_length=64, required=False)
    kind = serializers.CharField(label="类型", max_length=16, required=False, allow_blank=True)
    is_active = serializers.BooleanField(label="启用", required=False)


# ---------------------------------------------------------------- users


class UserSerializer(serializers.ModelSerializer):
    """账号（不含密码）。"""

    role_label = serializers.CharField(source="get_role_display", read_only=True, help_text="角色名称。")
    region = serializers.CharField(source="region_id", read_only=True, allow_null=True, help_text="所属区划代码。")
    region_name = serializers.SerializerMethodField(help_text="所属区划名称。")
    department = serializers.IntegerField(
        source="department_id", read_only=True, allow_null=True, help_text="科室 id。"
    )
    department_name = serializers.SerializerMethodField(help_text="科室名称。")
    is_locked = serializers.SerializerMethodField(help_text="是否因多次登录失败被锁定。")
    # Plain text: an account without an e-mail address has "" (not a valid "format: email").
    email = serializers.CharField(read_only=True, help_text="电子邮箱（可为空）。")

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "full_name",
            "role",
            "role_label",
            "region",
            "region_name",
            "department",
            "department_name",
            "phone",
            "email",
            "is_active",
            "is_locked",
            "locked_until",
            "must_change_password",
            "last_login",
            "date_joined",
        ]
        read_only_fields = fields

    def get_region_name(self, obj: User) -> str | None:
        return obj.region.name if obj.region is not None else None

    def get_department_name(self, obj: User) -> str | None:
        return obj.department.name if obj.department is not None else None

    def get_is_locked(self, obj: User) -> bool:
        return bool(obj.locked_until and obj.locked_until > timezone.now())


class UserCreateSerializer(InputSerializer):
    """新建账号（所属区划须在您的管辖范围内）。"""

    username = serializers.CharField(label="用户名", max_length=150, validators=[UnicodeUsernameValidator()])
    full_name = serializers.CharField(label="姓名", max_length=40)
    password = serializers.CharField(
        label="初始密码",
        max_length=128,
        write_only=True,
        trim_whitespace=False,
        style={"input_type": "password"},
        help_text="至少 10 位，含字母与数字；只写入，不会返回。",
    )
    role = serializers.ChoiceField(label="角色", choices=Role.choices)
    region = RegionCodeField(
        label="所属区划", allow_null=True, help_text="区划代码；只有系统管理员可以留空（全部区划）。"
    )
    department = DepartmentField(label="科室", required=False, allow_null=True)
    phone = serializers.CharField(label="手机号码", max_length=20, required=False, allow_blank=True, default="")
    email = serializers.EmailField(label="电子邮箱", max_length=254, required=False, allow_blank=True, default="")
    must_change_password = serializers.BooleanField(label="下次登录须修改密码", required=False, default=True)


class UserUpdateSerializer(InputSerializer):
    """修改账号；未提供的字段保持不变。"""

    full_name = serializers.CharField(label="姓名", max_length=40, required=False)
    role = serializers.ChoiceField(label="角色", choices=Role.choices, required=False)
    region = RegionCodeField(label="所属区划", required=False, allow_null=True)
    department = DepartmentField(label="科室", required=False, allow_null=True)
    phone = serializers.CharField(label="手机号码", max_length=20, required=False, allow_blank=True)
    email = serializers.EmailField(label="电子邮箱", max_length=254, required=False, allow_blank=True)


# ---------------------------------------------------------------- me, token


class RegionRefSerializer(serializers.Serializer):
    """区划（代码、名称、级别）。"""

    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=RegionLevel.choices)


class MeSerializer(serializers.Serializer):
    """当前账号：角色、所属区划、当前工作区划与权限。"""

    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)
    role_label = serializers.CharField()
    region = RegionRefSerializer(allow_null=True, help_text="账号所属区划；系统管理员可为空（全部区划）。")
    active_region = RegionRefSerializer(allow_null=True, help_text="当前工作区划（区划切换后的选择）。")
    permissions = serializers.ListField(child=serializers.CharField(), help_text="模型权限，如 core.view_region。")
    must_change_password = serializers.BooleanField()

    @staticmethod
    def for_user(user: User) -> dict[str, Any]:
        def ref(code: str | None) -> dict[str, Any] | None:
            if not code:
                return None
            region = Region.objects.filter(code=code).first()
            return {"code": region.code, "name": region.name, "level": region.level} if region else None

        return {
            "id": user.pk,
            "username": user.username,
            "full_name": user.full_name,
            "role": user.role,
            "role_label": user.get_role_display(),
            "region": ref(user.region_id),
            "active_region": ref(active_region_code(user)),
            "permissions": sorted(user.get_all_permissions()),
            "must_change_password": user.must_change_password,
        }


class TokenObtainSerializer(InputSerializer):
    """用户名与密码。"""

    username = serializers.CharField(label="用户名", max_length=150)
    password = serializers.CharField(
        label="密码", max_length=128, trim_whitespace=False, write_only=True, style={"input_type": "password"}
    )


class TokenSerializer(serializers.Serializer):
    """接口令牌。"""

    token = serializers.CharField(help_text="在请求头中使用：Authorization: Token <token>。")
    username = serializers.CharField()
