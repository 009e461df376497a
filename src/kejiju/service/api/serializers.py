"""Serializers of the service API: input shapes for the services, output shapes for the records."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from kejiju.core.api.serializers import InputSerializer
from kejiju.service.models import Callback, Dispatch, ServiceRequest, Visit

ACTIONS = ("accept", "decline", "wait", "resume", "close", "reopen", "complain")


class ServiceRequestCreateSerializer(InputSerializer):
    caller_phone = serializers.CharField(label="来电号码", max_length=30)
    caller_name = serializers.CharField(label="求助人", max_length=40)
    region = serializers.RegexField(r"^\d{9}(\d{3})?$", label="所在村（乡镇）区划代码", max_length=12)
    subject = serializers.CharField(label="服务领域代码", max_length=20)
    category = serializers.CharField(label="问题类别代码", max_length=20)
    description = serializers.CharField(label="问题描述", max_length=2000)
    channel = serializers.ChoiceField(label="受理渠道", choices=["phone", "web", "walk_in"], required=False)


class ServiceTransitionSerializer(InputSerializer):
    action = serializers.ChoiceField(label="操作", choices=ACTIONS)
    reason = serializers.CharField(label="理由", max_length=500, required=False, allow_blank=True)


class ServiceVisitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Visit
        fields = ["id", "visited_on", "people", "diagnosis", "measures", "materials"]


class ServiceCallbackSerializer(serializers.ModelSerializer):
    loss_method = serializers.CharField(
        help_text="测算方式：area 面积×亩挽回产量×单价、head 头数×单价、direct 直接金额，空为未挽回损失。"
    )
    loss_status = serializers.CharField(help_text="核定状态：pending 待核定、checked 已核定、rejected 不予认定。")

    class Meta:
        model = Callback
        fields = [
            "id",
            "called_on",
            "resolved",
            "satisfaction",
            "comment",
            "loss_method",
            "loss_amount",
            "loss_formula",
            "loss_status",
        ]


class ServiceDispatchSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(help_text="dispatch 派单、transfer 转派。")
    person = serializers.CharField(source="person.name")
    to_region = serializers.CharField(source="to_region_id")
    from_region = serializers.CharField(source="from_region_id", allow_null=True)

    class Meta:
        model = Dispatch
        fields = ["id", "kind", "person", "from_region", "to_region", "at", "accepted_at", "note"]


class ServiceRequestSerializer(serializers.ModelSerializer):
    subject = serializers.CharField(source="subject.code")
    category = serializers.CharField(source="category.code")
    region = serializers.CharField(source="region_id")
    town = serializers.CharField(source="town_id")
    assigned_region = serializers.CharField(source="assigned_region_id", allow_null=True)
    assignee = serializers.SerializerMethodField()
    status = serializers.CharField(
        help_text="状态：received 待处理、waiting 等待来电人、dispatched 已派单、accepted 已接单、answered 已答复、visited 已出诊、closed 已办结。"
    )
    status_label = serializers.CharField(source="get_status_display")
    channel = serializers.CharField(help_text="受理渠道：phone 电话、web 网上求助、walk_in 来访。")

    class Meta:
        model = ServiceRequest
        fields = [
            "id",
            "number",
            "channel",
            "caller_name",
            "region",
            "town",
            "subject",
            "category",
            "status",
            "status_label",
            "assignee",
            "assigned_region",
            "received_at",
            "first_response_at",
            "closed_at",
            "is_overdue",
            "satisfaction",
            "loss_avoided",
        ]

    def get_assignee(self, obj: ServiceRequest) -> str | None:
        return obj.assignee.name if obj.assignee_id and obj.assignee else None


class ServiceRequestDetailSerializer(ServiceRequestSerializer):
    caller_phone = serializers.CharField()
    visits = ServiceVisitSerializer(many=True, read_only=True)
    callbacks = ServiceCallbackSerializer(many=True, read_only=True)
    dispatches = ServiceDispatchSerializer(many=True, read_only=True)

    class Meta(ServiceRequestSerializer.Meta):
        fields = [
            *ServiceRequestSerializer.Meta.fields,
            "caller_phone",
            "description",
            "answer",
            "response_due",
            "visit_due",
            "closure_due",
            "complaints",
            "visits",
            "callbacks",
            "dispatches",
        ]


class KbSearchHitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    subject = serializers.CharField()
    rank = serializers.FloatField()
    title_html = serializers.CharField(help_text="标题，命中词以 <mark> 标出（已转义）。")
    snippet_html = serializers.CharField(help_text="摘录，命中词以 <mark> 标出（已转义）。")

    @staticmethod
    def from_hit(hit: Any) -> dict[str, Any]:
        return {
            "id": hit.article.pk,
            "title": hit.article.title,
            "subject": hit.article.subject.code,
            "rank": hit.rank,
            "title_html": str(hit.title),
            "snippet_html": str(hit.snippet),
        }


class KbSearchResultSerializer(serializers.Serializer):
    query = serializers.CharField()
    has_more = serializers.BooleanField()
    results = KbSearchHitSerializer(many=True)
