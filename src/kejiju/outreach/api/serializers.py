"""Serializers of the outreach API: input serializers check the shape, the services apply the rules
(the same Chinese reasons as the pages), output serializers render the result.

Serializer docstrings are in Chinese because drf-spectacular publishes them as the schema's descriptions.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from kejiju.core.api.serializers import InputSerializer
from kejiju.outreach.choices import HolderType
from kejiju.outreach.models import Activity, Assessment, Assignment, Commissioner, ServiceDiary

MAX_ID = 2**63 - 1


class CommissionerSerializer(serializers.ModelSerializer):
    """科技特派员（一次选派）。"""

    name = serializers.CharField(source="display_name", read_only=True, help_text="姓名或法人单位名称。")
    kind = serializers.CharField(source="kind.code", read_only=True, help_text="类别代码。")
    kind_label = serializers.CharField(source="kind.name", read_only=True, help_text="类别名称。")
    region = serializers.CharField(source="region_id", read_only=True, help_text="选派区划代码。")

    class Meta:
        model = Commissioner
        fields = [
            "id",
            "name",
            "kind",
            "kind_label",
            "holder_type",
            "person",
            "organization",
            "selection_year",
            "region",
            "expertise",
            "is_archived",
        ]
        read_only_fields = fields


class AssignmentSerializer(serializers.ModelSerializer):
    """服务对象：乡镇/村或合作社/企业，期限与服务目标。"""

    target = serializers.CharField(source="target_label", read_only=True, help_text="服务对象名称。")

    class Meta:
        model = Assignment
        fields = ["id", "target", "target_region", "target_organization", "start_on", "end_on", "targets", "agreement"]
        read_only_fields = fields


class AssessmentSerializer(serializers.ModelSerializer):
    """年度考核结果。"""

    class Meta:
        model = Assessment
        fields = ["year", "total", "grade", "scores", "comment"]
        read_only_fields = fields


class CommissionerDetailSerializer(CommissionerSerializer):
    """科技特派员详情：服务对象与年度考核。"""

    assignments = serializers.SerializerMethodField(help_text="服务对象。")
    assessments = AssessmentSerializer(many=True, read_only=True, help_text="年度考核。")

    class Meta(CommissionerSerializer.Meta):
        fields = [*CommissionerSerializer.Meta.fields, "assignments", "assessments"]
        read_only_fields = fields

    def get_assignments(self, obj: Commissioner) -> list[dict[str, Any]]:
        return list(AssignmentSerializer(obj.assignments.filter(is_archived=False), many=True).data)


class PersonInputSerializer(InputSerializer):
    """个人特派员的身份信息（按证件号查找或登记人员）。"""

    name = serializers.CharField(label="姓名", max_length=40)
    id_number = serializers.CharField(label="身份证号码", max_length=32)
    phone = serializers.CharField(label="手机号码", max_length=40, required=False, allow_blank=True)


class CommissionerCreateSerializer(InputSerializer):
    """登记科技特派员：个人（person）或法人（organization）。"""

    kind = serializers.CharField(label="类别代码", max_length=30)
    holder_type = serializers.ChoiceField(label="类型", choices=HolderType.choices, default=HolderType.INDIVIDUAL)
    selection_year = serializers.IntegerField(label="选派年度", min_value=2000, max_value=2100)
    region = serializers.RegexField(r"^\d{2,12}$", label="选派区划代码", required=False)
    person = PersonInputSerializer(label="人员", required=False)
    organization = serializers.IntegerField(label="法人单位 id", min_value=1, max_value=MAX_ID, required=False)
    expertise = serializers.CharField(label="服务领域", max_length=200, required=False, allow_blank=True)


class DiarySerializer(serializers.ModelSerializer):
    """服务日志。"""

    commissioner_name = serializers.CharField(source="commissioner.display_name", read_only=True, help_text="特派员。")
    place_region = serializers.CharField(source="region_id", read_only=True, help_text="服务地点区划代码。")

    class Meta:
        model = ServiceDiary
        fields = [
            "id",
            "commissioner",
            "commissioner_name",
            "served_on",
            "place_region",
            "place",
            "served",
            "content",
            "hours",
            "request_refs",
            "activity",
        ]
        read_only_fields = fields


class DiaryCreateSerializer(InputSerializer):
    """记录服务日志（照片请在网页上传）。"""

    served_on = serializers.DateField(label="服务日期")
    place_region = serializers.RegexField(r"^\d{6,12}$", label="服务地点区划代码")
    place = serializers.CharField(label="具体地点", max_length=100, required=False, allow_blank=True)
    served = serializers.CharField(label="服务对象", max_length=100)
    content = serializers.CharField(label="服务内容", max_length=2000)
    hours = serializers.DecimalField(label="服务时长（小时）", max_digits=4, decimal_places=1, min_value=0)
    request_refs = serializers.ListField(
        label="关联热线工单",
        child=serializers.RegexField(r"^[a-z_]+\.[a-z_]+:\d{1,18}$", max_length=60),
        required=False,
        max_length=20,
    )


class ActivitySerializer(serializers.ModelSerializer):
    """培训与科普活动。"""

    kind = serializers.CharField(source="kind.code", read_only=True, help_text="活动类型代码。")
    kind_label = serializers.CharField(source="kind.name", read_only=True, help_text="活动类型名称。")
    region = serializers.CharField(source="region_id", read_only=True, help_text="举办乡镇代码。")
    status = serializers.CharField(read_only=True, help_text="状态：planned 计划、held 已举办、cancelled 已取消。")

    class Meta:
        model = Activity
        fields = [
            "id",
            "kind",
            "kind_label",
            "title",
            "topic",
            "status",
            "region",
            "venue",
            "planned_start",
            "planned_end",
            "planned_attendance",
            "start_on",
            "end_on",
            "attendance",
            "materials",
            "cost",
            "summary",
            "organizer_organization",
            "organizer_department",
            "trainers",
            "commissioners",
        ]
        read_only_fields = fields


class ActivityPlanSerializer(InputSerializer):
    """计划培训/科普活动。"""

    kind = serializers.CharField(label="活动类型代码", max_length=30)
    title = serializers.CharField(label="活动名称", max_length=120)
    topic = serializers.CharField(label="主题", max_length=200, required=False, allow_blank=True)
    region = serializers.RegexField(r"^\d{6,12}$", label="举办乡镇代码")
    venue = serializers.CharField(label="地点", max_length=100, required=False, allow_blank=True)
    planned_start = serializers.DateField(label="计划开始日期")
    planned_end = serializers.DateField(label="计划结束日期", required=False)
    planned_attendance = serializers.IntegerField(label="计划人次", min_value=0, max_value=999_999_999, required=False)
    organizer_organization = serializers.IntegerField(
        label="主办单位 id", min_value=1, max_value=MAX_ID, required=False
    )
    trainers = serializers.ListField(
        label="授课专家（人员 id）",
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=200,
    )
    commissioners = serializers.ListField(
        label="参与特派员 id",
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=200,
    )


class ActivityHoldSerializer(InputSerializer):
    """登记举办情况（照片与签到表请在网页上传）。"""

    start_on = serializers.DateField(label="实际开始日期")
    end_on = serializers.DateField(label="实际结束日期", required=False)
    attendance = serializers.IntegerField(label="参加人次", min_value=0, max_value=999_999_999)
    materials = serializers.IntegerField(label="发放资料（份）", min_value=0, max_value=999_999_999, required=False)
    cost = serializers.DecimalField(label="经费（元）", max_digits=14, decimal_places=2, min_value=0, required=False)
    summary = serializers.CharField(label="活动情况", max_length=4000, required=False, allow_blank=True)
    attendees = serializers.ListField(
        label="参训人员 id",
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=2000,
    )


class ActivityCancelSerializer(InputSerializer):
    """取消活动（须说明原因）。"""

    reason = serializers.CharField(label="取消原因", max_length=500)
