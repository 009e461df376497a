"""The organizations API under ``/api/v1/orgs/`` (house rule 9): input serializer → service → output
serializer. Reads start from the region-scoped selectors: a record outside the caller's region answers
404 exactly like one that does not exist; own region without the permission answers 403; anonymous
callers get 401. Field errors of the services (:class:`~kejiju.core.errors.RowErrors`) answer 400 with
``errors`` mapping each field to its Chinese reasons."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from kejiju.core.api.views import DETAIL_ERRORS, E404, LIST_ERRORS, WRITE_ERRORS, ApiView, parse_input, path_id
from kejiju.orgs import selectors, services
from kejiju.orgs.api.serializers import (
    OrganizationCreateSerializer,
    OrganizationDetailSerializer,
    OrganizationSerializer,
    OrganizationUpdateSerializer,
)
from kejiju.orgs.filters import OrganizationFilter
from kejiju.orgs.models import Organization

TAGS = ["主体库"]


def _organization_or_404(request: Request, pk: str) -> Organization:
    return selectors.organization_get(user=request.user, pk=path_id(pk, "单位不存在。"))


def _service_data(data: dict[str, Any], base: Organization | None = None) -> dict[str, Any]:
    """The validated body in the shape the services take, over the record's current values (PATCH)."""
    values: dict[str, Any] = {}
    if base is not None:
        values = {name: getattr(base, name) for name in services.ORG_FIELDS if name != "region"}
        values["region"] = base.region_id
    for name, value in data.items():
        values[name] = value.code if name == "region" and value is not None else value
    return values


def _detail(request: Request, org: Organization) -> dict[str, Any]:
    org = selectors.organization_get(user=request.user, pk=org.pk)
    return dict(OrganizationDetailSerializer(org, context={"request": request}).data)


class OrganizationListView(ApiView):
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter
    required_perms = {"GET": "orgs.view_organization", "POST": "orgs.add_organization"}

    def get_queryset(self) -> Any:
        # the widest scoped set (archived included); the FilterSet narrows it with the selector's own
        # defaults, so archived records appear only with ?archived=true
        return selectors.organization_list(user=self.request.user, filters={"archived": "1"}).order_by("name", "pk")

    @extend_schema(
        operation_id="orgs_organizations_list",
        tags=TAGS,
        summary="单位列表",
        description="当前工作区划内的单位（默认不含已归档、已合并的）；可按关键词（名称、曾用名、信用代码、拼音首字母）、"
        "单位类型、区划、行业、持有的有效资质筛选。",
        responses={200: OrganizationSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(OrganizationSerializer(page, many=True).data)

    @extend_schema(
        operation_id="orgs_organizations_create",
        tags=TAGS,
        summary="登记单位",
        description="在您的管辖区划内登记一个单位。字段有误时答 400，errors 给出每个字段的中文原因，不做任何修改。",
        request=OrganizationCreateSerializer,
        responses={201: OrganizationDetailSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = parse_input(OrganizationCreateSerializer, request)
        org = services.organization_create(actor=request.user, data=_service_data(data))
        return Response(_detail(request, org), status=status.HTTP_201_CREATED)


_ID_PARAM = OpenApiParameter("id", int, OpenApiParameter.PATH, description="单位 id。")


class OrganizationDetailView(ApiView):
    serializer_class = OrganizationDetailSerializer
    required_perms = {"GET": "orgs.view_organization", "PATCH": "orgs.change_organization"}

    def get_queryset(self) -> Any:
        return Organization.objects.none()  # for the schema only; reads go through selectors.organization_get

    @extend_schema(
        operation_id="orgs_organizations_retrieve",
        tags=TAGS,
        summary="单位详情",
        parameters=[_ID_PARAM],
        description="一个单位及其曾用名、资质和知识产权；不存在或不在管辖范围内都答 404。",
        responses={200: OrganizationDetailSerializer, **DETAIL_ERRORS},
    )
    def get(self, request: Request, id: str) -> Response:
        return Response(_detail(request, _organization_or_404(request, id)))

    @extend_schema(
        operation_id="orgs_organizations_partial_update",
        tags=TAGS,
        summary="修改单位",
        description="修改单位信息；未提供的字段保持不变。改名后原名称保留为曾用名；已合并的单位不能修改。",
        parameters=[_ID_PARAM],
        request=OrganizationUpdateSerializer,
        responses={200: OrganizationDetailSerializer, **WRITE_ERRORS, 404: E404},
    )
    def patch(self, request: Request, id: str) -> Response:
        org = _organization_or_404(request, id)
        data = parse_input(OrganizationUpdateSerializer, request)
        org = services.organization_update(actor=request.user, organization=org, data=_service_data(data, org))
        return Response(_detail(request, org))
