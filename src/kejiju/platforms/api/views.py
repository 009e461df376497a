"""The platforms API under ``/api/v1/platforms/`` (read-only, region-scoped)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from kejiju.core.api.views import DETAIL_ERRORS, LIST_ERRORS, ApiView, path_id
from kejiju.platforms import selectors
from kejiju.platforms.api.serializers import PlatformDetailSerializer, PlatformSerializer
from kejiju.platforms.models import Platform

TAGS = ["创新平台"]
FILTERS = {
    "q": "平台名称或依托单位",
    "kind": "类型代码",
    "level": "级别：national, provincial, city, county",
    "status": "状态：good, warning, revoked",
    "region": "区划代码前缀",
    "host": "依托单位 id",
}


class PlatformListView(ApiView):
    queryset = Platform.objects.none()
    serializer_class = PlatformSerializer
    required_perms = {"GET": "platforms.view_platform"}

    @extend_schema(
        operation_id="platforms_list",
        tags=TAGS,
        summary="创新平台",
        parameters=[
            OpenApiParameter(k, str, OpenApiParameter.QUERY, required=False, description=v) for k, v in FILTERS.items()
        ],
        responses={200: PlatformSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        filters = {k: str(request.query_params.get(k, ""))[:64] for k in FILTERS}
        qs = selectors.platform_list(user=request.user, filters=filters).order_by("name", "pk")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(PlatformSerializer(page, many=True).data)


class PlatformDetailView(ApiView):
    queryset = Platform.objects.none()
    serializer_class = PlatformDetailSerializer
    required_perms = {"GET": "platforms.view_platform"}

    @extend_schema(
        operation_id="platforms_retrieve",
        tags=TAGS,
        summary="创新平台详情（含年度报告与评价）",
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        responses={200: PlatformDetailSerializer, **DETAIL_ERRORS},
    )
    def get(self, request: Request, id: str) -> Response:
        return Response(
            PlatformDetailSerializer(selectors.platform_get(user=request.user, pk=path_id(id, "平台不存在。"))).data
        )
