"""The service API under ``/api/v1/service/``: requests (intake, list, detail, transitions) and the
knowledge-base search. Input serializer → service → output serializer; records outside the caller's region
answer 404; service errors answer 400 with the Chinese reason."""

from __future__ import annotations

import re
from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from kejiju.core.api.serializers import MAX_ID
from kejiju.core.api.views import DETAIL_ERRORS, E404, LIST_ERRORS, WRITE_ERRORS, ApiView, parse_input
from kejiju.core.errors import BusinessError
from kejiju.service import selectors, services
from kejiju.service.api.serializers import (
    KbSearchHitSerializer,
    KbSearchResultSerializer,
    ServiceRequestCreateSerializer,
    ServiceRequestDetailSerializer,
    ServiceRequestSerializer,
    ServiceTransitionSerializer,
)
from kejiju.service.filters import RequestFilter
from kejiju.service.models import ServiceRequest

TAGS = ["服务热线"]
_ID_RE = re.compile(r"[0-9]{1,19}")
_ID_PARAM = OpenApiParameter("id", int, OpenApiParameter.PATH, description="工单 id。")


def _request_or_404(request: Request, pk: str) -> ServiceRequest:
    if not _ID_RE.fullmatch(pk) or not 0 < int(pk) <= MAX_ID:
        raise Http404("工单不存在。")
    return selectors.request_get(user=request.user, pk=int(pk))


def _detail(request: Request, pk: int) -> dict[str, Any]:
    obj = selectors.request_get(user=request.user, pk=pk)
    return dict(ServiceRequestDetailSerializer(obj).data)


class RequestListView(ApiView):
    serializer_class = ServiceRequestSerializer
    filterset_class = RequestFilter
    required_perms = {"GET": "service.view_servicerequest", "POST": "service.add_servicerequest"}

    def get_queryset(self) -> Any:
        return selectors.request_list(user=self.request.user).order_by("-received_at", "-pk")

    @extend_schema(
        operation_id="service_requests_list",
        tags=TAGS,
        summary="服务工单列表",
        description="当前工作区划内（含转派来的）服务工单，新的在前；可按状态、区划、领域、类别、超时、受理日期筛选。",
        responses={200: ServiceRequestSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(ServiceRequestSerializer(page, many=True).data)

    @extend_schema(
        operation_id="service_requests_create",
        tags=TAGS,
        summary="受理求助",
        description="受理一件求助；村须在您的管辖范围内。字段有误答 400（errors 给出每个字段的中文原因），不做任何修改。",
        request=ServiceRequestCreateSerializer,
        responses={201: ServiceRequestDetailSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = parse_input(ServiceRequestCreateSerializer, request)
        req = services.request_create(actor=request.user, data=data)
        return Response(_detail(request, req.pk), status=status.HTTP_201_CREATED)


class RequestDetailView(ApiView):
    serializer_class = ServiceRequestDetailSerializer
    required_perms = {"GET": "service.view_servicerequest"}

    def get_queryset(self) -> Any:
        return ServiceRequest.objects.none()

    @extend_schema(
        operation_id="service_requests_retrieve",
        tags=TAGS,
        summary="服务工单详情",
        parameters=[_ID_PARAM],
        description="工单及其派单、出诊、回访记录；不存在或不在管辖范围内都答 404。",
        responses={200: ServiceRequestDetailSerializer, **DETAIL_ERRORS},
    )
    def get(self, request: Request, id: str) -> Response:
        return Response(_detail(request, _request_or_404(request, id).pk))


class RequestTransitionView(ApiView):
    serializer_class = ServiceTransitionSerializer
    required_perms = {"POST": "service.view_servicerequest"}

    def get_queryset(self) -> Any:
        return ServiceRequest.objects.none()

    @extend_schema(
        operation_id="service_requests_transition",
        tags=TAGS,
        summary="工单状态变更",
        parameters=[_ID_PARAM],
        description="接单、退回、等待来电人、恢复、办结、重新打开、登记投诉（退回、重新打开、投诉须填理由）。"
        "当前状态不允许时答 400。",
        request=ServiceTransitionSerializer,
        responses={200: ServiceRequestDetailSerializer, **WRITE_ERRORS, 404: E404},
    )
    def post(self, request: Request, id: str) -> Response:
        req = _request_or_404(request, id)
        data = parse_input(ServiceTransitionSerializer, request)
        services.request_transition(
            actor=request.user, request=req, action=data["action"], reason=data.get("reason", "")
        )
        return Response(_detail(request, req.pk))


class KbSearchView(ApiView):
    """Public: anyone may search the public articles; signed-in staff also search internal ones."""

    permission_classes = [AllowAny]
    serializer_class = KbSearchResultSerializer

    @extend_schema(
        operation_id="service_kb_search",
        tags=TAGS,
        summary="知识库检索",
        description="中文全文检索（按相关度排序，命中词高亮）。未登录只检索公开文章。",
        parameters=[
            OpenApiParameter("q", str, description="检索词（最多 100 字）。", required=True),
            OpenApiParameter("limit", int, description="返回条数（1–50，默认 10）。"),
        ],
        responses={200: KbSearchResultSerializer, 400: WRITE_ERRORS[400]},
    )
    def get(self, request: Request) -> Response:
        q = str(request.query_params.get("q", ""))
        if "\x00" in q or len(q) > 100:
            raise BusinessError("检索词无效或过长（最多 100 字）。", code="invalid", field="q")
        raw = str(request.query_params.get("limit", "10"))
        if not raw.isdigit() or not 1 <= int(raw) <= 50:
            raise BusinessError("limit 须为 1 到 50 的整数。", code="invalid", field="limit")
        result = selectors.kb_search(
            user=request.user, query=q, public=not request.user.is_authenticated, limit=int(raw)
        )
        return Response(
            KbSearchResultSerializer(
                {
                    "query": q,
                    "has_more": result.has_more,
                    "results": [KbSearchHitSerializer.from_hit(h) for h in result.hits],
                }
            ).data
        )
