"""The outreach API under ``/api/v1/outreach/``: input serializer → service → output serializer. Reads start
from the region-scoped selectors (outside the caller's region answers 404 like a missing record)."""

from __future__ import annotations

import re
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from kejiju.core.api.views import DETAIL_ERRORS, E404, LIST_ERRORS, WRITE_ERRORS, ApiView, parse_input, path_id
from kejiju.core.errors import BusinessError
from kejiju.outreach import selectors, services
from kejiju.outreach.api.serializers import (
    ActivityCancelSerializer,
    ActivityHoldSerializer,
    ActivityPlanSerializer,
    ActivitySerializer,
    CommissionerCreateSerializer,
    CommissionerDetailSerializer,
    CommissionerSerializer,
    DiaryCreateSerializer,
    DiarySerializer,
)
from kejiju.outreach.models import Activity, Commissioner, ServiceDiary
from kejiju.outreach.permissions import can_log_service

TAGS = ["科技特派员与科普"]
#: Accepted shapes of the query filters (anything else is ignored, never sent to the database).
_FILTERS = {
    "q": re.compile(r"^[^\x00]{1,64}$"),
    "kind": re.compile(r"^[a-z0-9_]{1,30}$"),
    "year": re.compile(r"^\d{4}$"),
    "month": re.compile(r"^\d{1,2}$"),
    "region": re.compile(r"^\d{2,12}$"),
    "status": re.compile(r"^(planned|held|cancelled)$"),
    "commissioner": re.compile(r"^\d{1,18}$"),
    "training": re.compile(r"^1$"),
}


def _filters(request: Request, names: tuple[str, ...]) -> dict[str, str]:
    result = {}
    for name in names:
        value = request.query_params.get(name, "")
        if value and _FILTERS[name].match(value):
            result[name] = value
    return result


def _params(names: tuple[str, ...]) -> list[OpenApiParameter]:
    labels = {
        "q": "关键词",
        "kind": "类型代码",
        "year": "年度",
        "month": "月份（1–12）",
        "region": "区划代码（含下级）",
        "status": "状态：planned 计划、held 已举办、cancelled 已取消",
        "commissioner": "特派员 id",
        "training": "1 = 只看培训",
    }
    return [OpenApiParameter(n, str, OpenApiParameter.QUERY, required=False, description=labels[n]) for n in names]


_ID_PARAM = OpenApiParameter("id", int, OpenApiParameter.PATH, description="记录 id。")
COMMISSIONER_FILTERS = ("q", "kind", "year", "region")
ACTIVITY_FILTERS = ("q", "kind", "status", "year", "month", "region", "training")
DIARY_FILTERS = ("q", "commissioner", "region", "year", "month")


class CommissionerListView(ApiView):
    serializer_class = CommissionerSerializer
    required_perms = {"GET": "outreach.view_commissioner", "POST": "outreach.add_commissioner"}

    def get_queryset(self) -> Any:
        return Commissioner.objects.none()

    @extend_schema(
        operation_id="outreach_commissioners_list",
        tags=TAGS,
        summary="科技特派员列表",
        parameters=_params(COMMISSIONER_FILTERS),
        responses={200: CommissionerSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        qs = selectors.commissioner_list(user=request.user, filters=_filters(request, COMMISSIONER_FILTERS))
        page = self.paginate_queryset(qs.order_by("-selection_year", "pk"))
        return self.get_paginated_response(CommissionerSerializer(page, many=True).data)

    @extend_schema(
        operation_id="outreach_commissioners_create",
        tags=TAGS,
        summary="登记科技特派员",
        description="个人特派员按身份证号查找或登记人员；法人特派员给出单位 id。字段有误答 400，不做任何修改。",
        request=CommissionerCreateSerializer,
        responses={201: CommissionerDetailSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = parse_input(CommissionerCreateSerializer, request)
        obj = services.commissioner_create(actor=request.user, data=data)
        return Response(CommissionerDetailSerializer(obj).data, status=status.HTTP_201_CREATED)


class CommissionerDetailView(ApiView):
    serializer_class = CommissionerDetailSerializer
    required_perms = {"GET": "outreach.view_commissioner"}

    def get_queryset(self) -> Any:
        return Commissioner.objects.none()

    @extend_schema(
        operation_id="outreach_commissioners_retrieve",
        tags=TAGS,
        summary="科技特派员详情",
        parameters=[_ID_PARAM],
        responses={200: CommissionerDetailSerializer, **DETAIL_ERRORS},
    )
    def get(self, request: Request, id: str) -> Response:
        obj = selectors.commissioner_get(user=request.user, pk=path_id(id, "特派员不存在。"))
        return Response(CommissionerDetailSerializer(obj).data)


class DiaryCreateView(ApiView):
    serializer_class = DiarySerializer
    required_perms = {"POST": "outreach.add_servicediary"}

    def get_queryset(self) -> Any:
        return ServiceDiary.objects.none()

    def check_permissions(self, request: Request) -> None:
        # the commissioner's own account (add_servicediary) or bureau staff (change_commissioner)
        if request.user.is_authenticated and request.user.has_perm("outreach.change_commissioner"):
            return
        super().check_permissions(request)

    @extend_schema(
        operation_id="outreach_diaries_create",
        tags=TAGS,
        summary="记录服务日志",
        description="特派员本人或管理其的科技局人员记录一次服务；服务地点须在当天在期的服务乡镇/村内。",
        parameters=[_ID_PARAM],
        request=DiaryCreateSerializer,
        responses={201: DiarySerializer, **WRITE_ERRORS, 404: E404},
    )
    def post(self, request: Request, id: str) -> Response:
        pk = path_id(id, "特派员不存在。")
        own = selectors.commissioners_of_user(user=request.user).filter(pk=pk).first()
        obj = own or selectors.commissioner_get(user=request.user, pk=pk)
        if not can_log_service(request.user, obj):
            raise BusinessError("您没有该操作的权限。", code="forbidden")
        data = parse_input(DiaryCreateSerializer, request)
        diary = services.diary_create(actor=request.user, commissioner=obj, data=data)
        return Response(DiarySerializer(diary).data, status=status.HTTP_201_CREATED)


class DiaryListView(ApiView):
    serializer_class = DiarySerializer
    required_perms = {"GET": "outreach.view_servicediary"}

    def get_queryset(self) -> Any:
        return ServiceDiary.objects.none()

    @extend_schema(
        operation_id="outreach_diaries_list",
        tags=TAGS,
        summary="服务日志列表",
        parameters=_params(DIARY_FILTERS),
        responses={200: DiarySerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        qs = selectors.diary_list(user=request.user, filters=_filters(request, DIARY_FILTERS))
        page = self.paginate_queryset(qs.order_by("-served_on", "-pk"))
        return self.get_paginated_response(DiarySerializer(page, many=True).data)


class ActivityListView(ApiView):
    serializer_class = ActivitySerializer
    required_perms = {"GET": "outreach.view_activity", "POST": "outreach.add_activity"}

    def get_queryset(self) -> Any:
        return Activity.objects.none()

    @extend_schema(
        operation_id="outreach_activities_list",
        tags=TAGS,
        summary="培训与科普活动列表",
        parameters=_params(ACTIVITY_FILTERS),
        responses={200: ActivitySerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        qs = selectors.activity_list(user=request.user, filters=_filters(request, ACTIVITY_FILTERS))
        page = self.paginate_queryset(
            qs.prefetch_related("trainers", "commissioners").order_by("-planned_start", "-pk")
        )
        return self.get_paginated_response(ActivitySerializer(page, many=True).data)

    @extend_schema(
        operation_id="outreach_activities_create",
        tags=TAGS,
        summary="计划培训/科普活动",
        request=ActivityPlanSerializer,
        responses={201: ActivitySerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = parse_input(ActivityPlanSerializer, request)
        obj = services.activity_plan(actor=request.user, data=data)
        return Response(ActivitySerializer(obj).data, status=status.HTTP_201_CREATED)


class ActivityDetailView(ApiView):
    serializer_class = ActivitySerializer
    required_perms = {"GET": "outreach.view_activity"}

    def get_queryset(self) -> Any:
        return Activity.objects.none()

    @extend_schema(
        operation_id="outreach_activities_retrieve",
        tags=TAGS,
        summary="活动详情",
        parameters=[_ID_PARAM],
        responses={200: ActivitySerializer, **DETAIL_ERRORS},
    )
    def get(self, request: Request, id: str) -> Response:
        return Response(
            ActivitySerializer(selectors.activity_get(user=request.user, pk=path_id(id, "活动不存在。"))).data
        )


class ActivityHoldView(ApiView):
    serializer_class = ActivitySerializer
    required_perms = {"POST": "outreach.change_activity"}

    def get_queryset(self) -> Any:
        return Activity.objects.none()

    @extend_schema(
        operation_id="outreach_activities_hold",
        tags=TAGS,
        summary="登记举办情况",
        description="计划 → 已举办（已举办的再次提交即更正）；参加人次不能为负，结束日期不能早于开始日期。",
        parameters=[_ID_PARAM],
        request=ActivityHoldSerializer,
        responses={200: ActivitySerializer, **WRITE_ERRORS, 404: E404},
    )
    def post(self, request: Request, id: str) -> Response:
        obj = selectors.activity_get(user=request.user, pk=path_id(id, "活动不存在。"))
        data = parse_input(ActivityHoldSerializer, request)
        obj = services.activity_hold(actor=request.user, activity=obj, data=data)
        return Response(ActivitySerializer(obj).data)


class ActivityCancelView(ApiView):
    serializer_class = ActivitySerializer
    required_perms = {"POST": "outreach.change_activity"}

    def get_queryset(self) -> Any:
        return Activity.objects.none()

    @extend_schema(
        operation_id="outreach_activities_cancel",
        tags=TAGS,
        summary="取消活动",
        parameters=[_ID_PARAM],
        request=ActivityCancelSerializer,
        responses={200: ActivitySerializer, **WRITE_ERRORS, 404: E404},
    )
    def post(self, request: Request, id: str) -> Response:
        obj = selectors.activity_get(user=request.user, pk=path_id(id, "活动不存在。"))
        data = parse_input(ActivityCancelSerializer, request)
        obj = services.activity_cancel(actor=request.user, activity=obj, reason=data["reason"])
        return Response(ActivitySerializer(obj).data)
