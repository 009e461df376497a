"""The review API under ``/api/v1/review/`` (house rule 9): the expert pool for staff and the expert's own
tasks (answer an invitation, score). Reads start from the region-scoped selectors (404 outside the
region); an expert reaches only their own assignments (404 otherwise)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from kejiju.core.api.views import DETAIL_ERRORS, E404, LIST_ERRORS, WRITE_ERRORS, ApiView, parse_input, path_id
from kejiju.review import selectors, services
from kejiju.review.api.serializers import (
    BatchSerializer,
    ExpertCreateSerializer,
    ExpertDetailSerializer,
    ExpertSerializer,
    ExpertUpdateSerializer,
    MyAssignmentSerializer,
    RespondSerializer,
    SheetSerializer,
)
from kejiju.review.models import Assignment, Expert, ReviewBatch

TAGS = ["专家评审"]
_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="记录 id。")
_Q = [
    OpenApiParameter("q", str, description="姓名、工作单位或专长关键词。"),
    OpenApiParameter("status", str, description="状态：applied/active/paused/retired/removed/rejected。"),
    OpenApiParameter("subject", str, description="学科代码（前缀）。"),
]


class ExpertListView(ApiView):
    serializer_class = ExpertSerializer
    required_perms = {"GET": "review.view_expert", "POST": "review.add_expert"}

    def get_queryset(self) -> Any:
        params = self.request.query_params
        filters = {k: str(params.get(k, ""))[:64].replace("\x00", "") for k in ("q", "status", "subject")}
        return selectors.expert_list(user=self.request.user, filters=filters).order_by("name", "pk")

    @extend_schema(
        operation_id="review_experts_list",
        tags=TAGS,
        summary="专家列表",
        parameters=_Q,
        description="当前工作区划内的专家。",
        responses={200: ExpertSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ExpertSerializer(page, many=True).data)

    @extend_schema(
        operation_id="review_experts_create",
        tags=TAGS,
        summary="新增专家",
        description="在管辖区划内新增专家（按身份证号码关联人员库）。字段有误答 400，不做任何修改。",
        request=ExpertCreateSerializer,
        responses={201: ExpertDetailSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = parse_input(ExpertCreateSerializer, request)
        expert = services.expert_create(actor=request.user, data=data)
        return Response(ExpertDetailSerializer(expert).data, status=status.HTTP_201_CREATED)


class ExpertDetailView(ApiView):
    serializer_class = ExpertDetailSerializer
    required_perms = {"GET": "review.view_expert", "PATCH": "review.change_expert"}

    def get_queryset(self) -> Any:
        return Expert.objects.none()

    @extend_schema(
        operation_id="review_experts_retrieve",
        tags=TAGS,
        summary="专家详情",
        parameters=[_ID],
        responses={200: ExpertDetailSerializer, **DETAIL_ERRORS},
    )
    def get(self, request: Request, id: str) -> Response:
        return Response(
            ExpertDetailSerializer(selectors.expert_get(user=request.user, pk=path_id(id, "专家不存在。"))).data
        )

    @extend_schema(
        operation_id="review_experts_partial_update",
        tags=TAGS,
        summary="修改专家",
        parameters=[_ID],
        request=ExpertUpdateSerializer,
        responses={200: ExpertDetailSerializer, **WRITE_ERRORS, 404: E404},
    )
    def patch(self, request: Request, id: str) -> Response:
        expert = selectors.expert_get(user=request.user, pk=path_id(id, "专家不存在。"))
        data = parse_input(ExpertUpdateSerializer, request)
        expert = services.expert_update(actor=request.user, expert=expert, data=data)
        return Response(ExpertDetailSerializer(expert).data)


class BatchDetailView(ApiView):
    serializer_class = BatchSerializer
    required_perms = {"GET": "review.view_reviewbatch"}

    def get_queryset(self) -> Any:
        return ReviewBatch.objects.none()

    @extend_schema(
        operation_id="review_batches_retrieve",
        tags=TAGS,
        summary="评审批次",
        description="批次设置、评分指标和各评审对象的汇总结果（平均分、去掉最高最低分后的平均分、排名、分歧提示）。",
        parameters=[_ID],
        responses={200: BatchSerializer, **DETAIL_ERRORS},
    )
    def get(self, request: Request, id: str) -> Response:
        return Response(
            BatchSerializer(selectors.batch_get(user=request.user, pk=path_id(id, "评审批次不存在。"))).data
        )


class MyAssignmentListView(ApiView):
    serializer_class = MyAssignmentSerializer
    required_perms = {"GET": "review.take_review"}

    def get_queryset(self) -> Any:
        return selectors.my_assignments(user=self.request.user).prefetch_related("batch__criteria")

    @extend_schema(
        operation_id="review_my_assignments_list",
        tags=TAGS,
        summary="我的评审任务",
        description="当前专家本人的评审邀请和任务。",
        responses={200: MyAssignmentSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(MyAssignmentSerializer(page, many=True).data)


def _mine(request: Request, pk: str) -> Assignment:
    return selectors.my_assignment_get(user=request.user, pk=path_id(pk, "评审任务不存在。"))


class MyAssignmentDetailView(ApiView):
    serializer_class = MyAssignmentSerializer
    required_perms = {"GET": "review.take_review"}

    def get_queryset(self) -> Any:
        return Assignment.objects.none()

    @extend_schema(
        operation_id="review_my_assignments_retrieve",
        tags=TAGS,
        summary="我的评审任务详情",
        parameters=[_ID],
        responses={200: MyAssignmentSerializer, **DETAIL_ERRORS},
    )
    def get(self, request: Request, id: str) -> Response:
        return Response(MyAssignmentSerializer(_mine(request, id)).data)


class MyRespondView(ApiView):
    serializer_class = MyAssignmentSerializer
    required_perms = {"POST": "review.take_review"}

    def get_queryset(self) -> Any:
        return Assignment.objects.none()

    @extend_schema(
        operation_id="review_my_assignments_respond",
        tags=TAGS,
        summary="答复评审邀请",
        description="接受（须同时声明无利害关系）或谢绝（须填理由；conflict=true 表示申请回避）。谢绝后由备选专家递补。",
        parameters=[_ID],
        request=RespondSerializer,
        responses={200: MyAssignmentSerializer, **WRITE_ERRORS, 404: E404},
    )
    def post(self, request: Request, id: str) -> Response:
        assignment = _mine(request, id)
        data = parse_input(RespondSerializer, request)
        if data["accept"]:
            services.assignment_accept(actor=request.user, assignment=assignment, declare=data["declare_no_conflict"])
        else:
            services.assignment_decline(
                actor=request.user, assignment=assignment, reason=data["reason"], conflict=data["conflict"]
            )
        return Response(MyAssignmentSerializer(_mine(request, id)).data)


class MySheetView(ApiView):
    serializer_class = MyAssignmentSerializer
    required_perms = {"POST": "review.take_review"}

    def get_queryset(self) -> Any:
        return Assignment.objects.none()

    @extend_schema(
        operation_id="review_my_assignments_score",
        tags=TAGS,
        summary="评分",
        description="保存或提交评分（各项 0 至该项分值，最多一位小数）；提交后锁定，再次保存答 400。",
        parameters=[_ID],
        request=SheetSerializer,
        responses={200: MyAssignmentSerializer, **WRITE_ERRORS, 404: E404},
    )
    def post(self, request: Request, id: str) -> Response:
        assignment = _mine(request, id)
        data = parse_input(SheetSerializer, request)
        services.sheet_save(
            actor=request.user,
            assignment=assignment,
            scores={str(k): v for k, v in data["scores"].items()},
            comment=data["comment"],
            recommendation=data["recommendation"],
            submit=data["submit"],
        )
        return Response(MyAssignmentSerializer(_mine(request, id)).data)
