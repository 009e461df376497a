"""The statistics API under ``/api/v1/stats/`` (house rule 9): the indicator catalogue, figures with their
provenance, and entered values. A region outside the caller's scope answers 404; bad input 400 with the
field and the Chinese reason; nothing answers 500."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from kejiju.core.api.views import DETAIL_ERRORS, LIST_ERRORS, WRITE_ERRORS, ApiView, parse_input
from kejiju.core.errors import RowErrors
from kejiju.core.models import Attachment
from kejiju.stats import selectors, services
from kejiju.stats.api.serializers import (
    EnteredFilterSerializer,
    EnteredValueCreateSerializer,
    EnteredValueSerializer,
    FigureSerializer,
    IndicatorFilterSerializer,
    IndicatorSerializer,
    ValueQuerySerializer,
)
from kejiju.stats.models import EnteredValue, IndicatorDefinition
from kejiju.stats.periods import PeriodError, parse_period
from kejiju.stats.permissions import VIEW

TAGS = ["统计"]


def _query(serializer_class: Any, request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.query_params)
    if not serializer.is_valid():
        errors = {k: [str(m) for m in v] for k, v in serializer.errors.items()}
        exc = RowErrors(errors)
        name = next(iter(errors))
        exc.message = "%s：%s" % (name, errors[name][0])
        raise exc
    return dict(serializer.validated_data)


class IndicatorListView(ApiView):
    serializer_class = IndicatorSerializer
    required_perms = {"GET": VIEW}

    def get_queryset(self) -> Any:
        return IndicatorDefinition.objects.all().order_by("area", "order", "code")

    @extend_schema(
        operation_id="stats_indicators_list",
        tags=TAGS,
        summary="指标目录",
        description="全部启用的指标：代码、名称、统计口径、单位、统计周期、来源（系统计算 / 人工录入）、是否可加总。",
        parameters=[IndicatorFilterSerializer],
        responses={200: IndicatorSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        services.catalogue_ensure()
        filters = _query(IndicatorFilterSerializer, request)
        qs = self.get_queryset().filter(is_active=True)
        if filters.get("area"):
            qs = qs.filter(area=filters["area"])
        if filters.get("source"):
            qs = qs.filter(source=filters["source"])
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(IndicatorSerializer(page, many=True).data)


class IndicatorDetailView(ApiView):
    serializer_class = IndicatorSerializer
    required_perms = {"GET": VIEW}

    def get_queryset(self) -> Any:
        return IndicatorDefinition.objects.none()

    @extend_schema(
        operation_id="stats_indicators_retrieve",
        tags=TAGS,
        summary="指标详情",
        parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH, description="指标代码。")],
        responses={200: IndicatorSerializer, **DETAIL_ERRORS},
    )
    def get(self, request: Request, code: str) -> Response:
        services.catalogue_ensure()
        return Response(IndicatorSerializer(selectors.indicator_get(code=code[:80])).data)


class ValueView(ApiView):
    serializer_class = FigureSerializer
    required_perms = {"GET": VIEW}

    def get_queryset(self) -> Any:
        return IndicatorDefinition.objects.none()

    @extend_schema(
        operation_id="stats_values_retrieve",
        tags=TAGS,
        summary="指标数值及来源",
        description="某指标在某区划（含下级）某统计期的数值，附来源：计算指标给出查询与记录数，录入指标给出录入人与来源文件。"
        "区划不在管辖范围内答 404；指标不存在答 404。",
        parameters=[ValueQuerySerializer],
        responses={200: FigureSerializer, **DETAIL_ERRORS, 400: LIST_ERRORS[400]},
    )
    def get(self, request: Request) -> Response:
        query = _query(ValueQuerySerializer, request)
        try:
            period = parse_period(query["period"])
        except PeriodError as exc:
            raise RowErrors({"period": [str(exc)]}) from None
        region = selectors.region_for(user=request.user, code=query.get("region"))
        services.catalogue_ensure()
        code = selectors.clean_code(query["indicator"])
        definition = IndicatorDefinition.objects.filter(code=code, is_active=True).first() if code else None
        if definition is None:
            raise Http404("指标不存在。")
        fig = selectors.figure(code=definition.code, region=region.code, period=period)
        from kejiju.stats.views import records_url

        data = FigureSerializer({**fig.__dict__, "records_url": records_url(fig.code, region.code, period.key)}).data
        return Response(data)


class EnteredValueListView(ApiView):
    serializer_class = EnteredValueSerializer
    required_perms = {"GET": "stats.view_enteredvalue", "POST": "stats.add_enteredvalue"}

    def get_queryset(self) -> Any:
        return EnteredValue.objects.none()

    @extend_schema(
        operation_id="stats_entered_values_list",
        tags=TAGS,
        summary="录入数值列表",
        description="当前工作区划内的录入数值，可按指标、统计期、区划筛选。",
        parameters=[EnteredFilterSerializer],
        responses={200: EnteredValueSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        filters = _query(EnteredFilterSerializer, request)
        page = self.paginate_queryset(selectors.entered_value_list(user=request.user, filters=filters))
        return self.get_paginated_response(EnteredValueSerializer(page, many=True).data)

    @extend_schema(
        operation_id="stats_entered_values_create",
        tags=TAGS,
        summary="录入指标数值",
        description="录入（或更正）一个人工录入指标的数值，必须引用已上传的来源文件。数值不是数字、缺少来源、"
        "区划不在管辖范围内时答 400，不做任何修改。",
        request=EnteredValueCreateSerializer,
        responses={201: EnteredValueSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = parse_input(EnteredValueCreateSerializer, request)
        document = None
        if data.get("source_document"):
            document = Attachment.objects.restrict(request.user).filter(pk=data["source_document"]).first()
            if document is None:
                raise RowErrors({"source_document": ["来源文件不存在。"]})
        row = services.entered_value_save(
            actor=request.user,
            indicator=data["indicator"],
            region=data["region"],
            period=data["period"],
            value=data["value"],
            source_document=document,
            source_note=data.get("source_note") or "",
        )
        return Response(EnteredValueSerializer(row).data, status=status.HTTP_201_CREATED)
