"""The cultivation API under ``/api/v1/cultivation/`` (read-only): pipeline entries, R&D reserve filings,
subsidy policies and awards, all from the region-scoped selectors (outside the region → 404)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from kejiju.core.api.views import DETAIL_ERRORS, LIST_ERRORS, ApiView, path_id
from kejiju.cultivation import selectors
from kejiju.cultivation.api.serializers import (
    AwardSerializer,
    FilingSerializer,
    PipelineEntryDetailSerializer,
    PipelineEntrySerializer,
    PolicySerializer,
)
from kejiju.cultivation.models import PipelineEntry, RdReserveFiling, SubsidyAward, SubsidyPolicy

TAGS = ["企业培育"]


def _params(*names: str) -> list[OpenApiParameter]:
    desc = {
        "q": "单位名称或统一社会信用代码（前缀）",
        "year": "年度",
        "region": "区划代码前缀",
        "organization": "单位 id",
        "stage": "阶段：self_evaluated, registered, reserve, applied, recognised, lapsed",
        "status": "状态",
        "policy": "政策代码",
        "closest": "1：只列后备/申报企业，按未达标条件数从少到多",
    }
    return [OpenApiParameter(n, str, OpenApiParameter.QUERY, required=False, description=desc[n]) for n in names]


def _filters(request: Request, names: tuple[str, ...]) -> dict[str, Any]:
    return {n: str(request.query_params.get(n, ""))[:64] for n in names}


class PipelineListView(ApiView):
    queryset = PipelineEntry.objects.none()
    serializer_class = PipelineEntrySerializer
    required_perms = {"GET": "cultivation.view_pipelineentry"}
    FILTERS = ("q", "year", "region", "organization", "stage", "closest")

    @extend_schema(
        operation_id="cultivation_pipeline_list",
        tags=TAGS,
        summary="培育库企业",
        parameters=_params(*FILTERS),
        responses={200: PipelineEntrySerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        qs = selectors.pipeline_list(user=request.user, filters=_filters(request, self.FILTERS))
        if request.query_params.get("closest") != "1":
            qs = qs.order_by("-year", "pk")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(PipelineEntrySerializer(page, many=True).data)


class PipelineDetailView(ApiView):
    queryset = PipelineEntry.objects.none()
    serializer_class = PipelineEntryDetailSerializer
    required_perms = {"GET": "cultivation.view_pipelineentry"}

    @extend_schema(
        operation_id="cultivation_pipeline_retrieve",
        tags=TAGS,
        summary="培育库企业详情（含评价结果与差距）",
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        responses={200: PipelineEntryDetailSerializer, **DETAIL_ERRORS},
    )
    def get(self, request: Request, id: str) -> Response:
        entry = selectors.pipeline_get(user=request.user, pk=path_id(id, "培育库记录不存在。"))
        return Response(PipelineEntryDetailSerializer(entry).data)


class FilingListView(ApiView):
    queryset = RdReserveFiling.objects.none()
    serializer_class = FilingSerializer
    required_perms = {"GET": "cultivation.view_rdreservefiling"}
    FILTERS = ("q", "year", "region", "organization", "status")

    @extend_schema(
        operation_id="cultivation_filings_list",
        tags=TAGS,
        summary="研发准备金备案",
        parameters=_params(*FILTERS),
        responses={200: FilingSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        qs = selectors.filing_list(user=request.user, filters=_filters(request, self.FILTERS)).order_by("-year", "pk")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(FilingSerializer(page, many=True).data)


class FilingDetailView(ApiView):
    queryset = RdReserveFiling.objects.none()
    serializer_class = FilingSerializer
    required_perms = {"GET": "cultivation.view_rdreservefiling"}

    @extend_schema(
        operation_id="cultivation_filings_retrieve",
        tags=TAGS,
        summary="研发准备金备案详情",
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        responses={200: FilingSerializer, **DETAIL_ERRORS},
    )
    def get(self, request: Request, id: str) -> Response:
        return Response(
            FilingSerializer(selectors.filing_get(user=request.user, pk=path_id(id, "备案记录不存在。"))).data
        )


class PolicyListView(ApiView):
    queryset = SubsidyPolicy.objects.none()
    serializer_class = PolicySerializer
    required_perms = {"GET": "cultivation.view_subsidypolicy"}

    @extend_schema(
        operation_id="cultivation_policies_list",
        tags=TAGS,
        summary="奖补政策及版本",
        responses={200: PolicySerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.policy_list(user=request.user))
        return self.get_paginated_response(PolicySerializer(page, many=True).data)


class AwardListView(ApiView):
    queryset = SubsidyAward.objects.none()
    serializer_class = AwardSerializer
    required_perms = {"GET": "cultivation.view_subsidyaward"}
    FILTERS = ("q", "year", "region", "organization", "status", "policy")

    @extend_schema(
        operation_id="cultivation_awards_list",
        tags=TAGS,
        summary="奖补",
        parameters=_params(*FILTERS),
        responses={200: AwardSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        qs = selectors.award_list(user=request.user, filters=_filters(request, self.FILTERS)).order_by("-year", "pk")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(AwardSerializer(page, many=True).data)


class AwardDetailView(ApiView):
    queryset = SubsidyAward.objects.none()
    serializer_class = AwardSerializer
    required_perms = {"GET": "cultivation.view_subsidyaward"}

    @extend_schema(
        operation_id="cultivation_awards_retrieve",
        tags=TAGS,
        summary="奖补详情",
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        responses={200: AwardSerializer, **DETAIL_ERRORS},
    )
    def get(self, request: Request, id: str) -> Response:
        return Response(
            AwardSerializer(selectors.award_get(user=request.user, pk=path_id(id, "奖补记录不存在。"))).data
        )
